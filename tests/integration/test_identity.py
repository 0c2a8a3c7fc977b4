"""Identity over HTTP on the local runtime: every happy path and every rejection the issue names."""

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import jwt
import pyotp
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.api import ApiClient
from tests.support.local import aws, eventually, invocations, worked_off

# DynamoDB's contention on (a tenth of writes conflict): the same results must follow.
pytestmark = pytest.mark.usefixtures("contention")


def signing_key(platform):
    """The platform's current private signing key, read from the local Secrets Manager."""
    secrets = aws(platform, "secretsmanager")
    name = platform.template.physical["SigningKeysSecret"].attrs["Name"]
    return json.loads(secrets.get_secret_value(SecretId=name)["SecretString"])["keys"][0]


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def forged(platform, member=None, **overrides):
    """An access token signed with the platform's own key, with some claims or header changed;
    for `member`'s account and login unless told otherwise."""
    key = signing_key(platform)
    now = int(time.time())
    login = jwt.decode(member["access_token"], options={"verify_signature": False}) if member else {}
    claims = {
        "iss": "https://auth.fitconnect.app",
        "aud": "fitconnect-local",
        "sub": overrides.pop("sub", login.get("sub", "nobody")),
        "sid": overrides.pop("sid", login.get("sid", "no-login")),
        "role": "member",
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        **overrides,
    }
    return jwt.encode(claims, key["private_pem"], algorithm="RS256", headers={"kid": key["kid"]})


# ------------------------------------------------------------------ register and login
def test_register_login_and_read_my_profile(api):
    account = api.register(email=f"Mixed.Case-{uuid.uuid4().hex[:6]}@Example.com ")
    login = api.login(account["email"].strip().lower(), account["password"])
    assert login.status == 200
    assert login.body["token_type"] == "Bearer"
    assert login.body["expires_in"] == 900
    me = api.get("/me", token=login.body["access_token"])
    assert me.status == 200
    assert me.body["user_id"] == account["user_id"]
    assert me.body["email"] == account["email"].strip().lower()
    assert me.body["role"] == "member"
    assert me.body["mfa_enabled"] is False
    claims = jwt.decode(login.body["access_token"], options={"verify_signature": False})
    assert {"iss", "aud", "sub", "role", "exp", "iat", "jti", "sid"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 900
    assert jwt.get_unverified_header(login.body["access_token"])["alg"] == "RS256"


def test_the_same_email_cannot_register_twice_in_any_case(api):
    account = api.register()
    again = api.post(
        "/auth/register", {"email": account["email"].upper(), "password": "another long one", "name": "X"}
    )
    assert (again.status, again.error_code) == (409, "email_taken")


def test_a_weak_password_is_refused_and_nothing_is_written(api):
    email = f"weak-{uuid.uuid4().hex[:8]}@example.com"
    reply = api.post("/auth/register", {"email": email, "password": "short", "name": "Weak"})
    assert (reply.status, reply.error_code) == (422, "weak_password")
    assert api.register(email=email)["email"] == email  # the address was never claimed


def test_bad_fields_are_a_400_naming_each_one(api):
    reply = api.post("/auth/register", {"email": "not-an-email", "name": ""})
    assert reply.status == 400
    assert {detail["field"] for detail in reply.body["error"]["details"]} == {"email", "password", "name"}


def test_wrong_password_and_unknown_email_answer_alike(api):
    account = api.register()
    wrong = api.login(account["email"], "not the password at all")
    unknown = api.login(f"nobody-{uuid.uuid4().hex[:8]}@example.com", "not the password at all")
    assert (wrong.status, wrong.body) == (unknown.status, unknown.body)
    assert wrong.error_code == "invalid_credentials"


def test_five_failures_lock_the_email_for_that_client_only(api, clock):
    account = api.register()
    stranger = ApiClient(api.base_url)
    for _ in range(5):
        assert stranger.login(account["email"], "wrong password!").status == 401
    locked = stranger.login(account["email"], account["password"])
    assert (locked.status, locked.error_code) == (429, "too_many_attempts")
    assert 0 < int(locked.headers["Retry-After"]) <= 900
    # The owner, elsewhere, is not locked out of their own account by a stranger's guesses.
    assert api.login(account["email"], account["password"]).status == 200
    clock(15 * 60 + 1)
    assert stranger.login(account["email"], account["password"]).status == 200


def test_spraying_many_accounts_from_one_address_is_slowed_at_every_door(api, oidc_issuer):
    sprayer = ApiClient(api.base_url)
    victims = [api.register() for _ in range(3)]
    for attempt in range(20):  # a few guesses at many accounts stays under each e-mail's lockout
        email = victims[attempt % 3]["email"] if attempt % 2 else f"ghost-{attempt}@example.com"
        assert sprayer.login(email, "Password123!").status == 401
    doors = [
        sprayer.login(victims[0]["email"], victims[0]["password"]),
        sprayer.post("/auth/sso/testidp", {"id_token": oidc_issuer.id_token("s", "s@example.com")}),
        sprayer.post("/auth/password/forgot", {"email": victims[1]["email"]}),
        sprayer.post(
            "/auth/password/reset", {"email": victims[1]["email"], "code": "123456", "new_password": "x" * 12}
        ),
    ]
    assert [(reply.status, reply.error_code) for reply in doors] == [(429, "too_many_attempts")] * 4
    assert 0 < int(doors[0].headers["Retry-After"]) <= 300
    assert api.login(victims[0]["email"], victims[0]["password"]).status == 200  # others are not slowed


# ------------------------------------------------------------------ refresh and logout
def test_refresh_rotates_and_reuse_revokes_the_whole_family(api):
    member = api.member()
    first = api.post("/auth/refresh", {"refresh_token": member["refresh_token"]})
    assert first.status == 200
    assert first.body["refresh_token"] != member["refresh_token"]
    assert api.get("/me", token=first.body["access_token"]).status == 200
    reused = api.post("/auth/refresh", {"refresh_token": member["refresh_token"]})
    assert (reused.status, reused.error_code) == (401, "refresh_token_reused")
    # The thief's reuse also kills the legitimate holder's newer token.
    after = api.post("/auth/refresh", {"refresh_token": first.body["refresh_token"]})
    assert (after.status, after.error_code) == (401, "invalid_refresh_token")


def test_two_concurrent_refreshes_of_one_token_never_both_succeed(platform):
    member = ApiClient(platform.api_url).member()
    clients = [ApiClient(platform.api_url) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(
            pool.map(lambda c: c.post("/auth/refresh", {"refresh_token": member["refresh_token"]}), clients)
        )
    winners = [reply for reply in replies if reply.status == 200]
    assert len(winners) <= 1
    assert all(reply.status == 401 for reply in replies if reply.status != 200)
    # A race is a reuse: the family is revoked, the winner's new token included.
    for winner in winners:
        assert clients[0].post("/auth/refresh", {"refresh_token": winner.body["refresh_token"]}).status == 401


def test_a_login_that_ended_ends_its_access_tokens_within_a_minute(api, platform, clock):
    member = api.member()
    other_login = api.login(member["email"], member["password"]).body
    assert api.get("/me", token=member["access_token"]).status == 200
    logout = api.post(
        "/auth/logout", {"refresh_token": member["refresh_token"]}, token=member["access_token"]
    )
    assert logout.status == 204
    clock(61)  # past the authorizer's cache of a live login
    ended = api.get("/me", token=member["access_token"])
    assert (ended.status, ended.error_code) == (401, "session_ended")
    assert api.get("/me", token=other_login["access_token"]).status == 200  # another login stands
    no_sid = forged(platform, member, sid="made-up")
    assert api.get("/me", token=no_sid).error_code == "session_ended"


def test_logout_revokes_that_login_only(api):
    member = api.member()
    other_login = api.login(member["email"], member["password"]).body
    assert (
        api.post(
            "/auth/logout", {"refresh_token": member["refresh_token"]}, token=member["access_token"]
        ).status
        == 204
    )
    assert api.post("/auth/refresh", {"refresh_token": member["refresh_token"]}).status == 401
    assert api.post("/auth/refresh", {"refresh_token": other_login["refresh_token"]}).status == 200


# ------------------------------------------------------------------ MFA
def test_mfa_setup_verify_then_login_needs_a_fresh_code(api, clock):
    member = api.member()
    setup = api.post("/auth/mfa/setup", token=member["access_token"])
    assert setup.status == 200
    assert setup.body["otpauth_uri"].startswith("otpauth://totp/FitConnect:")
    totp = pyotp.TOTP(setup.body["secret"])
    wrong = api.post(
        "/auth/mfa/verify",
        {"code": "000000" if totp.now() != "000000" else "111111"},
        token=member["access_token"],
    )
    assert (wrong.status, wrong.error_code) == (422, "invalid_mfa_code")
    code = totp.now()
    assert api.post("/auth/mfa/verify", {"code": code}, token=member["access_token"]).body == {
        "mfa_enabled": True
    }
    assert api.get("/me", token=member["access_token"]).body["mfa_enabled"] is True

    without = api.login(member["email"], member["password"])
    assert (without.status, without.error_code) == (401, "mfa_required")
    replay = api.login(member["email"], member["password"], code)  # the code verify just used
    assert (replay.status, replay.error_code) == (401, "mfa_required")

    clock(60)  # two steps later: a new code
    fresh = totp.at(time.time() + 60)
    assert api.login(member["email"], member["password"], fresh).status == 200
    again = api.login(member["email"], member["password"], fresh)
    assert (again.status, again.error_code) == (401, "mfa_required")


# ------------------------------------------------------------------ the authorizer's rejections
def test_no_token_and_a_garbage_token_are_401_with_the_error_shape(api):
    assert api.get("/me").error_code == "unauthorized"
    reply = api.get("/me", token="garbage")
    assert (reply.status, reply.error_code) == (401, "invalid_token")


def test_a_tampered_signature_is_refused(api):
    token = api.member()["access_token"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"
    evil = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    reply = api.get("/admin/users", token=f"{header}.{evil}.{signature}")
    assert (reply.status, reply.error_code) == (401, "invalid_token")


def test_alg_none_is_refused(api, platform):
    claims = jwt.decode(api.member()["access_token"], options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")
    reply = api.get("/me", token=unsigned)
    assert (reply.status, reply.error_code) == (401, "invalid_token")


def test_hs256_signed_with_the_public_key_is_refused(api, platform):
    member = api.member()
    jwks = api.get("/.well-known/jwks.json").body
    public_pem = jwt.PyJWK(jwks["keys"][0]).key.public_bytes(
        encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = jwt.decode(member["access_token"], options={"verify_signature": False})
    header = {"alg": "HS256", "typ": "JWT", "kid": jwks["keys"][0]["kid"]}
    # pyjwt refuses to do this (rightly); an attacker builds it by hand.
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    confused = f"{signing_input}.{b64url(signature)}"
    reply = api.get("/me", token=confused)
    assert (reply.status, reply.error_code) == (401, "invalid_token")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"exp": int(time.time()) - 120, "iat": int(time.time()) - 1000}, "token_expired"),
        ({"aud": "someone-else"}, "invalid_token"),
        ({"iss": "https://evil.example"}, "invalid_token"),
    ],
    ids=["expired", "wrong-audience", "wrong-issuer"],
)
def test_expired_wrong_audience_and_wrong_issuer_are_refused(api, platform, overrides, code):
    member = api.member()
    token = forged(platform, member, **overrides)
    reply = api.get("/me", token=token)
    assert (reply.status, reply.error_code) == (401, code)
    assert api.get("/me", token=forged(platform, member)).status == 200  # the control


def test_an_unknown_kid_is_refused(api, platform):
    member = api.member()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = jwt.decode(member["access_token"], options={"verify_signature": False})
    token = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "not-a-key-of-ours"})
    reply = api.get("/me", token=token)
    assert (reply.status, reply.error_code) == (401, "invalid_token")


def test_a_rejected_token_writes_nothing(api, platform):
    member = api.member()
    token = forged(platform, member, aud="someone-else")
    assert api.patch("/me", {"name": "Hijacked"}, token=token).status == 401
    assert api.get("/me", token=member["access_token"]).body["name"] == "Test Member"


def test_key_rotation_logs_nobody_out(api, platform, clock):
    member = api.member()
    old_kid = jwt.get_unverified_header(member["access_token"])["kid"]
    outcome = platform.invoke("RotateSigningKeyFunction", {})
    assert outcome.ok
    assert api.get("/me", token=member["access_token"]).status == 200  # signed with the previous key
    clock(301)  # issuers and the JWKS endpoint cache keys for up to 5 minutes
    fresh = api.login(member["email"], member["password"]).body["access_token"]
    assert jwt.get_unverified_header(fresh)["kid"] == outcome.result["kid"]
    kids = [key["kid"] for key in api.get("/.well-known/jwks.json").body["keys"]]
    assert kids == [outcome.result["kid"], old_kid]
    assert api.get("/me", token=fresh).status == 200


# ------------------------------------------------------------------ password reset
def reset_code(api, email):
    def find():
        for message in api.get("/_local/outbox").body["items"]:
            if email in message.get("to", []) and "reset" in (message.get("subject") or "").lower():
                return re.search(r"\b(\d{6})\b", message["body"]).group(1)
        return None

    return eventually(find, timeout_s=15)  # sent by the notifications queue worker


def test_password_reset_by_emailed_code_signs_out_everywhere(api, clock):
    member = api.member()
    assert api.post("/auth/password/forgot", {"email": member["email"]}).status == 202
    code = reset_code(api, member["email"])
    assert code
    reset = {"email": member["email"], "code": code, "new_password": "a brand new password"}
    assert api.post("/auth/password/reset", reset).status == 204
    assert api.post("/auth/refresh", {"refresh_token": member["refresh_token"]}).status == 401
    clock(61)
    assert api.get("/me", token=member["access_token"]).error_code == "session_ended"
    assert api.login(member["email"], member["password"]).status == 401
    assert api.login(member["email"], "a brand new password").status == 200
    used = api.post("/auth/password/reset", {**reset, "new_password": "yet another password"})
    assert (used.status, used.error_code) == (422, "invalid_reset_code")


def test_forgot_for_an_unknown_email_is_202_and_sends_nothing(api, platform):
    email = f"ghost-{uuid.uuid4().hex[:8]}@example.com"
    before = invocations(api, "SendResetCodeFunction")
    assert api.post("/auth/password/forgot", {"email": email}).status == 202
    # Handled (the sender ran, its queue is empty) before "nothing was sent" means anything.
    assert eventually(
        lambda: worked_off(platform, api, "SendResetCodeFunction", "ResetRequestsQueue", before)
    )
    assert not [m for m in api.get("/_local/outbox").body["items"] if email in m.get("to", [])]


def test_wrong_reset_codes_burn_the_code(api):
    api = ApiClient(api.base_url)  # its own address: five failures of its own
    member = api.member()
    api.post("/auth/password/forgot", {"email": member["email"]})
    code = reset_code(api, member["email"])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        reply = api.post(
            "/auth/password/reset", {"email": member["email"], "code": wrong, "new_password": "x" * 12}
        )
        assert reply.error_code == "invalid_reset_code"
    late = api.post(
        "/auth/password/reset", {"email": member["email"], "code": code, "new_password": "x" * 12}
    )
    assert (late.status, late.error_code) == (422, "invalid_reset_code")


# ------------------------------------------------------------------ SSO
def test_sso_creates_the_account_then_signs_the_same_user_in(api, oidc_issuer):
    email = f"sso-{uuid.uuid4().hex[:8]}@example.com"
    subject = uuid.uuid4().hex
    first = api.post("/auth/sso/testidp", {"id_token": oidc_issuer.id_token(subject, email)})
    assert first.status == 200
    me = api.get("/me", token=first.body["access_token"]).body
    assert me["email"] == email
    assert me["name"] == "SSO Person"
    second = api.post("/auth/sso/testidp", {"id_token": oidc_issuer.id_token(subject, email)})
    assert api.get("/me", token=second.body["access_token"]).body["user_id"] == me["user_id"]


def test_sso_links_an_existing_account_by_verified_email(api, oidc_issuer):
    member = api.member()
    reply = api.post(
        "/auth/sso/testidp", {"id_token": oidc_issuer.id_token(uuid.uuid4().hex, member["email"])}
    )
    assert api.get("/me", token=reply.body["access_token"]).body["user_id"] == member["user_id"]


def test_sso_refuses_an_unverified_email(api, oidc_issuer):
    member = api.member()
    token = oidc_issuer.id_token(uuid.uuid4().hex, member["email"], verified=False)
    reply = api.post("/auth/sso/testidp", {"id_token": token})
    assert (reply.status, reply.error_code) == (422, "email_not_verified")


def test_sso_refuses_tokens_from_an_unconfigured_issuer_and_unknown_providers(api, oidc_issuer):
    stranger = oidc_issuer.id_token(uuid.uuid4().hex, "x@example.com", iss="https://accounts.evil.example")
    reply = api.post("/auth/sso/testidp", {"id_token": stranger})
    assert (reply.status, reply.error_code) == (401, "invalid_token")
    wrong_audience = oidc_issuer.id_token(uuid.uuid4().hex, "x@example.com", aud="another-app")
    assert api.post("/auth/sso/testidp", {"id_token": wrong_audience}).status == 401
    unknown = api.post("/auth/sso/nosuchidp", {"id_token": oidc_issuer.id_token("s", "x@example.com")})
    assert (unknown.status, unknown.error_code) == (404, "unknown_provider")


# ------------------------------------------------------------------ admin
def admin_token(api):
    reply = api.login("admin@fitconnect.local", "fitconnect-demo")
    assert reply.status == 200, reply.body
    return reply.body["access_token"]


def test_the_demo_logins_exist_with_their_roles(api):
    for role in ("admin", "trainer", "member"):
        reply = api.login(f"{role}@fitconnect.local", "fitconnect-demo")
        assert reply.status == 200
        assert api.get("/me", token=reply.body["access_token"]).body["role"] == role


def test_admin_lists_users_and_members_cannot(api):
    member = api.member()
    assert api.get("/admin/users", token=member["access_token"]).error_code == "forbidden"
    listed = api.get("/admin/users?limit=100", token=admin_token(api))
    assert listed.status == 200
    assert member["user_id"] in {user["user_id"] for user in listed.body["items"]}
    page = api.get("/admin/users?limit=1", token=admin_token(api)).body
    assert len(page["items"]) == 1
    assert page["next_cursor"]
    following = api.get(f"/admin/users?limit=1&cursor={page['next_cursor']}", token=admin_token(api)).body
    assert following["items"][0]["user_id"] != page["items"][0]["user_id"]


def test_admin_disable_takes_effect_and_role_changes_apply(api, clock):
    member = api.member()
    token = admin_token(api)
    reply = api.patch(f"/admin/users/{member['user_id']}", {"disabled": True}, token=token)
    assert reply.status == 200
    assert reply.body["disabled"] is True
    clock(61)  # the authorizer caches an account's standing for up to a minute
    blocked = api.get("/me", token=member["access_token"])
    assert (blocked.status, blocked.error_code) == (403, "account_disabled")
    assert api.post("/auth/refresh", {"refresh_token": member["refresh_token"]}).status == 401
    assert api.login(member["email"], member["password"]).status == 403
    api.patch(f"/admin/users/{member['user_id']}", {"disabled": False, "role": "trainer"}, token=token)
    clock(61)
    relogin = api.login(member["email"], member["password"])
    assert api.get("/me", token=relogin.body["access_token"]).body["role"] == "trainer"


def test_admin_cannot_lock_themselves_out(api):
    token = admin_token(api)
    admin_id = api.get("/me", token=token).body["user_id"]
    reply = api.patch(f"/admin/users/{admin_id}", {"disabled": True}, token=token)
    assert (reply.status, reply.error_code) == (409, "cannot_change_self")


# ------------------------------------------------------------------ profile, avatar, devices
def test_profile_update_checks_the_timezone(api):
    member = api.member()
    bad = api.patch("/me", {"timezone": "Mars/Olympus"}, token=member["access_token"])
    assert bad.status == 400
    assert bad.body["error"]["details"][0]["field"] == "timezone"
    good = api.patch("/me", {"timezone": "Europe/Paris", "goals": ["run 10k"]}, token=member["access_token"])
    assert (good.body["timezone"], good.body["goals"]) == ("Europe/Paris", ["run 10k"])


def test_avatar_upload_url_works_and_only_images_are_allowed(api, platform):
    member = api.member()
    refused = api.post("/me/avatar", {"content_type": "application/x-sh"}, token=member["access_token"])
    assert refused.status == 400
    grant = api.post("/me/avatar", {"content_type": "image/png"}, token=member["access_token"])
    assert grant.status == 200
    assert grant.body["expires_in"] == 300
    assert ["content-length-range", 1, 5 * 1024 * 1024] in json.loads(
        base64.b64decode(grant.body["upload_form"]["fields"]["policy"])
    )["conditions"]
    put = requests.put(
        grant.body["upload_url"], data=b"\x89PNG fake", headers={"Content-Type": "image/png"}, timeout=10
    )
    assert put.status_code == 200
    assert api.get("/me", token=member["access_token"]).body["avatar_url"]


def test_devices_register_once_per_token(api):
    member = api.member()
    body = {"platform": "android", "token": "fcm-token-" + uuid.uuid4().hex}
    first = api.post("/me/devices", body, token=member["access_token"])
    second = api.post("/me/devices", body, token=member["access_token"])
    assert first.status == second.status == 201
    assert first.body["device_id"] == second.body["device_id"]
    assert (
        api.post(
            "/me/devices", {"platform": "blackberry", "token": "x" * 10}, token=member["access_token"]
        ).status
        == 400
    )


# ------------------------------------------------------------------ GDPR
def test_export_is_built_asynchronously_and_only_its_owner_sees_it(api):
    member = api.member()
    started = api.post("/me/export", token=member["access_token"])
    assert started.status == 202
    export_id = started.body["export_id"]
    other = api.member()
    hidden = api.get(f"/me/export/{export_id}", token=other["access_token"])
    assert (hidden.status, hidden.error_code) == (404, "export_not_found")

    def ready():
        reply = api.get(f"/me/export/{export_id}", token=member["access_token"])
        return reply.body if reply.body.get("status") == "ready" else None

    status = eventually(ready, timeout_s=20)
    assert status
    assert status["download_url"]
    document = requests.get(status["download_url"], timeout=10).json()
    assert document["identity"]["account"]["email"] == member["email"]
    assert document["members"]["profile"]["name"] == "Test Member"


def test_delete_me_erases_and_frees_the_email(api, platform, clock):
    member = api.member()
    api.post(
        "/me/devices", {"platform": "ios", "token": "apns-" + uuid.uuid4().hex}, token=member["access_token"]
    )
    assert api.delete("/me", token=member["access_token"]).status == 202
    # At once: the account is gone (404), or the authorizer already knows (401)...
    assert api.get("/me", token=member["access_token"]).status in {401, 404}
    assert api.delete("/me", token=member["access_token"]).status in {401, 404}  # ...never erased twice
    clock(61)  # and once the authorizer's cache has passed, the token itself is refused
    assert api.get("/me", token=member["access_token"]).status == 401
    assert api.login(member["email"], member["password"]).status == 401
    dynamodb = aws(platform, "dynamodb")
    table = platform.template.physical["MembersTable"].ref

    def erased():
        items = dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"MEMBER#{member['user_id']}"}},
        )["Items"]
        return not items

    assert eventually(erased, timeout_s=20)
    assert api.register(email=member["email"])["user_id"] != member["user_id"]
