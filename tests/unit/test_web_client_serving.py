"""The gateway's part of CloudFront: the built web client under /app/, a deep link answered by the
app's index.html, nothing outside web/dist, and the template's security headers."""

import json

import pytest

from fitconnect_local.template import TemplateError, load_template
from fitconnect_local.web_client import WebClient, web_client
from tests.support.paths import TEMPLATE


@pytest.fixture
def site(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>FitConnect</title>")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    (tmp_path.parent / "secret.txt").write_text("not for the web")
    return WebClient("/app/", tmp_path, {"X-Frame-Options": "DENY"})


def test_files_deep_links_and_the_config(site):
    status, headers, body = site.answer("/app/assets/index-abc.js")
    assert (status, body) == (200, b"console.log(1)")
    assert headers["Cache-Control"].endswith("immutable")
    assert headers["X-Frame-Options"] == "DENY"
    deep = site.answer("/app/bookings")  # a route of the app, not a file
    assert (deep[0], deep[2]) == (200, (site.root / "index.html").read_bytes())
    assert deep[1]["Cache-Control"] == "no-cache"
    assert json.loads(site.answer("/app/config.json")[2]) == {"apiUrl": ""}
    assert site.answer("/app") == (301, {"Location": "/app/"}, b"")


def test_nothing_outside_the_build_is_served(site):
    status, _, body = site.answer("/app/../secret.txt")
    assert status == 200
    assert b"not for the web" not in body


def test_an_unbuilt_client_says_how_to_build_it(tmp_path):
    status, _, body = WebClient("/app/", tmp_path / "dist", {}).answer("/app/")
    assert status == 404
    assert json.loads(body)["error"]["code"] == "web_client_not_built"


def test_the_template_declares_the_client_with_cloudfronts_headers(template):
    client = web_client(template)
    assert client is not None
    assert client.prefix == "/app/"
    policy = client.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'; script-src 'self' https://js.stripe.com/v3/;")
    assert "frame-ancestors 'none'" in policy
    assert client.headers["X-Frame-Options"] == "DENY"
    # Stripe.js gets its key and URL from config.json; the local default key is a test key.
    config = json.loads(client.answer("/app/config.json")[2])
    assert config == {
        "apiUrl": "",
        "stripePublishableKey": "pk_test_FitConnectLocal",
        "stripeJsUrl": "https://js.stripe.com/v3/",
        "ssoProviders": {},
    }


def _sources(policy: str, directive: str) -> set[str]:
    [value] = [d.strip().split()[1:] for d in policy.split(";") if d.strip().split()[0] == directive]
    return set(value)


def test_deployed_the_policy_names_stripe_and_the_avatars_buckets_s3_hosts(template):
    policy = web_client(template).headers["Content-Security-Policy"]
    bucket = "https://fitconnect-test-avatarsbucket.s3"
    assert _sources(policy, "connect-src") == {
        "'self'",
        "https://fitconnect-test-HttpApi.execute-api.us-east-1.amazonaws.com",
        "https://api.stripe.com",
        f"{bucket}.us-east-1.amazonaws.com",
        f"{bucket}.amazonaws.com",
    }
    assert _sources(policy, "img-src") == {
        "'self'",
        "data:",
        f"{bucket}.us-east-1.amazonaws.com",
        f"{bucket}.amazonaws.com",
    }


def test_the_runtime_points_stripe_js_s3_and_the_policy_at_its_stand_ins():
    standin = {
        "FITCONNECT_STRIPE_JS_URL": "http://127.0.0.1:8420/js.stripe.com/v3/",
        "FITCONNECT_STRIPE_URL": "http://127.0.0.1:8420",
        "FITCONNECT_STORAGE_URL": "http://127.0.0.1:4566",
    }
    client = web_client(load_template(TEMPLATE, parameters={"Stage": "test"}, environ=standin))
    assert client is not None
    policy = client.headers["Content-Security-Policy"]
    assert _sources(policy, "script-src") == {"'self'", "http://127.0.0.1:8420/js.stripe.com/v3/"}
    assert {"http://127.0.0.1:8420", "http://127.0.0.1:4566"} <= _sources(policy, "connect-src")
    assert _sources(policy, "img-src") == {"'self'", "data:", "http://127.0.0.1:4566"}
    assert client.config["stripeJsUrl"] == standin["FITCONNECT_STRIPE_JS_URL"]


def test_a_policy_that_is_not_in_the_template_is_refused():
    template = load_template(TEMPLATE, parameters={"Stage": "test"})  # its own: this one is changed
    template.body["Metadata"]["LocalRuntime"]["WebClient"] = {
        "Path": "/app/",
        "Directory": "web/dist",
        "HeadersPolicy": "NoSuchPolicy",
        "Config": "WebClientConfig",
    }
    with pytest.raises(TemplateError, match="NoSuchPolicy"):
        web_client(template)
