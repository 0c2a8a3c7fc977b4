"""The refresh-token state machine, in process against moto: a login is a family of refresh tokens,
each spent once; every transition it makes and every one it refuses."""

import os
from datetime import timedelta
from unittest import mock

import jwt
import pytest

from fitconnect.platform import clock
from fitconnect.platform.errors import Unauthorized
from tests.support.interleave import side_by_side


@pytest.fixture
def identity(function_env):
    with function_env("LoginFunction"), function_env("RefreshFunction"):
        from fitconnect.identity import tokens
        from fitconnect.identity.models import Account

        account = Account(
            *Account.key("u1"), user_id="u1", email="u1@example.com", created_at=clock.now_iso()
        )
        account.save()
        yield tokens, account


def _refused(tokens, presented):
    with pytest.raises(Unauthorized) as refused:
        tokens.refresh(presented)
    return refused.value.code


def test_a_refresh_token_is_spent_once_and_its_successor_works(identity):
    tokens, account = identity
    first = tokens.start_session(account)
    second = tokens.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    third = tokens.refresh(second.refresh_token)
    assert third.access_token


def test_reusing_a_spent_token_signs_the_whole_login_out_and_only_that_login(identity):
    tokens, account = identity
    stolen = tokens.start_session(account)
    other_device = tokens.start_session(account)
    current = tokens.refresh(stolen.refresh_token)
    assert _refused(tokens, stolen.refresh_token) == "refresh_token_reused"
    assert _refused(tokens, current.refresh_token) == "invalid_refresh_token"  # the family is revoked
    assert tokens.refresh(other_device.refresh_token).access_token  # the other login stands


def test_logout_revokes_that_login_and_revoke_all_every_login(identity):
    tokens, account = identity
    phone, laptop, tablet = (tokens.start_session(account) for _ in range(3))
    tokens.revoke_by_token("someone-else", phone.refresh_token)  # not theirs: nothing happens
    assert tokens.refresh(phone.refresh_token).refresh_token
    tokens.revoke_by_token("u1", laptop.refresh_token)
    assert _refused(tokens, laptop.refresh_token) == "invalid_refresh_token"
    assert tokens.revoke_all("u1", reason="password_reset") == 2  # phone's and tablet's logins
    assert tokens.revoke_all("u1", reason="password_reset") == 0
    assert _refused(tokens, tablet.refresh_token) == "invalid_refresh_token"


def test_a_login_is_live_until_revoked_expired_or_forgotten(identity):
    tokens, account = identity
    pair = tokens.start_session(account)
    family = tokens.refresh(pair.refresh_token)  # same family
    from fitconnect.identity.models import RefreshToken, TokenFamily

    logins = TokenFamily.query("USER#u1", TokenFamily.sk.startswith("FAMILY#"))
    [login] = list(logins)
    assert tokens.session_is_live("u1", login.family_id)
    tokens.revoke_family("u1", login.family_id, reason="logout")
    assert not tokens.session_is_live("u1", login.family_id)
    tokens.forget_all("u1")
    assert list(TokenFamily.query("USER#u1", TokenFamily.sk.startswith("FAMILY#"))) == []
    assert list(RefreshToken.gsi1.query("TOKENS#u1")) == []
    assert _refused(tokens, family.refresh_token) == "invalid_refresh_token"


def test_an_expired_token_a_disabled_account_or_a_made_up_token_gets_nothing(identity):
    tokens, account = identity
    old, current = tokens.start_session(account), tokens.start_session(account)
    with clock.travel(timedelta(days=31)):  # past the 30-day life (before DynamoDB's TTL removes it)
        assert _refused(tokens, old.refresh_token) == "invalid_refresh_token"
    account.update(actions=[type(account).status.set("disabled")])
    assert _refused(tokens, current.refresh_token) == "invalid_refresh_token"
    assert _refused(tokens, "not-a-token-at-all") == "invalid_refresh_token"


def test_an_access_token_lives_15_minutes_and_a_login_30_days(identity):
    tokens, account = identity
    pair = tokens.start_session(account)
    claims = jwt.decode(pair.access_token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 15 * 60
    with clock.travel(timedelta(days=30) - timedelta(minutes=1)):
        pair = tokens.refresh(pair.refresh_token)  # still within the login's 30 days
    with clock.travel(timedelta(days=30, minutes=1)):  # the token just issued lives 30 days too
        assert tokens.refresh(pair.refresh_token).access_token
    with clock.travel(timedelta(days=60, minutes=1)):
        assert _refused(tokens, pair.refresh_token) == "invalid_refresh_token"


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["first-wins", "second-wins"])
def test_two_refreshes_of_one_token_that_both_read_it_unspent_get_one_pair(identity, contention, order):
    """A copied token used twice at once: one refresh wins, the other is refused and, being a reuse,
    ends the login — the winner's new token stops working too."""
    tokens, account = identity
    pair = tokens.start_session(account)
    calls = [lambda: tokens.refresh(pair.refresh_token)] * 2
    outcomes = side_by_side(tokens, "get_item", calls, order)
    won = [o for o in outcomes if isinstance(o, tokens.TokenPair)]
    refused = [o.code for o in outcomes if isinstance(o, Unauthorized)]
    assert (len(won), refused) == (1, ["invalid_refresh_token"])
    assert _refused(tokens, won[0].refresh_token) == "invalid_refresh_token"


def test_the_authorizer_reads_a_new_caller_in_one_batch_and_then_from_its_cache(identity):
    """A crowd of new callers (a class opening) costs the authorizer one read each, not two: the
    account and the login in one BatchGetItem; the caller's next request reads nothing."""
    from fitconnect.identity import authorizer, keys
    from tests.unit.test_sign_in_abuse import _aws_calls_of

    tokens, account = identity
    authorizer._accounts.clear(), authorizer._sessions.clear()  # a new container: nothing cached
    authorizer._jwks.keys, authorizer._jwks.fetched_at = {}, 0
    keys._cached = None  # this test's AWS has its own signing key
    pair = tokens.start_session(account)
    event = {"headers": {"authorization": f"Bearer {pair.access_token}"}}
    with mock.patch.dict(os.environ, {clock.OFFSET_ENV: "2"}):  # used a moment after the login
        first_calls, first = _aws_calls_of(lambda: authorizer.authorize(event))
    with mock.patch.dict(os.environ, {clock.OFFSET_ENV: "4"}):  # and again, well inside the cache
        again_calls, again = _aws_calls_of(lambda: authorizer.authorize(event))
    assert first["context"].get("user_id") == "u1", first
    assert again == first
    assert [call for call in first_calls if call.startswith("dynamodb:")] == ["dynamodb:BatchGetItem"]
    assert again_calls == []
    tokens.revoke_all("u1", reason="test")
    authorizer._sessions.clear()  # past the cache
    assert authorizer.authorize(event)["context"]["auth_error"] == "session_ended"
