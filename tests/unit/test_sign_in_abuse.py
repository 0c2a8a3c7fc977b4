"""Sign-in abuse, in process against moto: a reset request does the same work for any e-mail, and
the per-client limit counts failures at every door."""

import json
import threading
from unittest import mock

import botocore.client
import pytest

from fitconnect.identity import throttle
from fitconnect.platform.errors import TooManyRequests, Unauthorized
from tests.support.http_events import api_event
from tests.support.lambdas import load_handler


def _aws_calls_of(call):
    """The AWS operations `call` makes, by name, in order (on this thread: a poller another test
    left running in the background is not this handler's doing)."""
    made = []
    real = botocore.client.BaseClient._make_api_call
    this_thread = threading.get_ident()

    def recording(client, operation, params):
        if threading.get_ident() == this_thread:
            made.append(f"{client.meta.service_model.service_name}:{operation}")
        return real(client, operation, params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", recording):
        result = call()
    return made, result


def test_forgot_answers_after_the_same_aws_calls_whether_or_not_the_account_exists(
    function_env, functions, lambda_context
):
    with function_env("RegisterFunction"):
        from fitconnect.identity import accounts
        from fitconnect.members import public as members

        accounts.register("known@example.com", "a long enough password", "Known Member", members.new_profile)
    with function_env("PasswordForgotFunction"):
        handler = load_handler(functions["PasswordForgotFunction"])
        answers = {}
        for client, email in (("192.0.2.1", "known@example.com"), ("192.0.2.2", "nobody@example.com")):
            event = api_event("POST", "/auth/password/forgot", body={"email": email})
            event["requestContext"]["http"]["sourceIp"] = client  # each a first request from its client
            answers[email] = _aws_calls_of(lambda event=event: handler(event, lambda_context))
    (known_calls, known_reply), (unknown_calls, unknown_reply) = answers.values()
    assert known_calls == unknown_calls
    assert "sqs:SendMessage" in known_calls
    assert not any("Query" in call or "ResetCode" in call for call in known_calls)
    assert known_reply["statusCode"] == unknown_reply["statusCode"] == 202
    assert json.loads(known_reply["body"]) == json.loads(unknown_reply["body"])


def _fail():
    raise Unauthorized("wrong", code="invalid_credentials")


def test_a_client_past_its_failures_is_refused_at_every_door_and_others_are_not(function_env):
    with function_env("LoginFunction"):
        for _ in range(throttle.CLIENT_ATTEMPTS_ALLOWED):
            with pytest.raises(Unauthorized), throttle.client_attempt("203.0.113.7"):
                _fail()
        with pytest.raises(TooManyRequests) as refused, throttle.client_attempt("203.0.113.7"):
            pass  # even a request that would succeed
        assert refused.value.details[0]["retry_after_s"] <= throttle.CLIENT_WINDOW_S
        with throttle.client_attempt("198.51.100.1"):  # another client is not slowed
            pass


def test_successes_do_not_count_but_reset_requests_do(function_env):
    with function_env("LoginFunction"):
        for _ in range(throttle.CLIENT_ATTEMPTS_ALLOWED + 5):
            with throttle.client_attempt("203.0.113.8"):
                pass
        for _ in range(throttle.CLIENT_ATTEMPTS_ALLOWED):
            with throttle.client_attempt("203.0.113.9", always_counts=True):
                pass
        with pytest.raises(TooManyRequests), throttle.client_attempt("203.0.113.9", always_counts=True):
            pass
