"""The runtime's Stripe.js stand-in: what a browser may do with a publishable key and a client
secret on localstripe, and nothing more (fitconnect_local.stripe_server)."""

from __future__ import annotations

import requests

SECRET_KEY = {"Authorization": "Bearer sk_test_fitconnect_local"}
CARD = {
    "key": "pk_test_local",
    "type": "card",
    "card[exp_month]": "12",
    "card[exp_year]": "2031",
    "card[cvc]": "123",
}


def _intent(localstripe: str, amount: int = 1500) -> dict:
    made = requests.post(
        f"{localstripe}/v1/payment_intents",
        data={"amount": amount, "currency": "eur", "payment_method_types[]": "card"},
        headers=SECRET_KEY,
        timeout=5,
    )
    made.raise_for_status()
    return made.json()


def _card(localstripe: str, number: str, key: str = "pk_test_local") -> requests.Response:
    return requests.post(
        f"{localstripe}/v1/payment_methods", data={**CARD, "key": key, "card[number]": number}, timeout=5
    )


def _confirm(localstripe: str, intent: dict, method: str, secret: str | None = None) -> requests.Response:
    return requests.post(
        f"{localstripe}/v1/payment_intents/{intent['id']}/confirm",
        data={
            "key": "pk_test_local",
            "client_secret": secret or intent["client_secret"],
            "payment_method": method,
        },
        timeout=5,
    )


def test_the_script_is_the_standin_that_confirms_with_a_card(localstripe):
    script = requests.get(f"{localstripe}/js.stripe.com/v3/", timeout=5)
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "confirmCardPayment" in script.text
    assert "createPaymentMethod" in script.text
    assert "localstripe: " not in script.text  # not localstripe's own script


def test_a_test_card_pays_the_intent_with_its_client_secret(localstripe):
    intent = _intent(localstripe)
    method = _card(localstripe, "4242424242424242")
    assert method.status_code == 200
    assert method.json()["card"]["last4"] == "4242"
    confirmed = _confirm(localstripe, intent, method.json()["id"])
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] in ("succeeded", "processing")
    assert confirmed.json()["payment_method"] == method.json()["id"]


def test_a_declined_card_is_refused_with_stripes_error(localstripe):
    intent = _intent(localstripe)
    method = _card(localstripe, "4000000000000341")
    refused = _confirm(localstripe, intent, method.json()["id"])
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "card_declined"


def test_another_intents_client_secret_confirms_nothing(localstripe):
    mine, theirs = _intent(localstripe), _intent(localstripe)
    method = _card(localstripe, "4242424242424242")
    refused = _confirm(localstripe, mine, method.json()["id"], secret=theirs["client_secret"])
    assert refused.status_code == 401
    still = requests.get(f"{localstripe}/v1/payment_intents/{mine['id']}", headers=SECRET_KEY, timeout=5)
    assert still.json()["status"] == "requires_payment_method"


def test_a_publishable_key_reaches_nothing_else(localstripe):
    assert _card(localstripe, "4242424242424242", key="not_a_key").status_code == 401
    listing = requests.post(f"{localstripe}/v1/customers", data={"key": "pk_test_local"}, timeout=5)
    assert listing.status_code == 401
