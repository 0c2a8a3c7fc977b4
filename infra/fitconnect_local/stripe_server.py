"""localstripe's aiohttp app, bound to 127.0.0.1 and kept in memory.

Its own CLI listens on every interface and pickles its store to a fixed file under /tmp (shared by
every run on the machine); here the store lives and dies with the local runtime, like moto's.
localstripe is GPL-3.0: a dev/test stand-in, never shipped in the layer.

What a browser does with Stripe.js is served here too, in place of localstripe's own script (which
cannot confirm a PaymentIntent with a card): `/js.stripe.com/v3/` is the runtime's stand-in
(stripe_js_standin.js), and the two calls it makes with the publishable key are answered as Stripe
answers them: creating a card PaymentMethod, and confirming a PaymentIntent with its client secret.
"""

from __future__ import annotations

import argparse
import logging
import re
from pathlib import Path
from typing import Any

from aiohttp import web
from localstripe import resources
from localstripe.errors import UserError
from localstripe.server import app, get_api_key, get_post_data, json_response

STANDIN_SCRIPT = Path(__file__).with_name("stripe_js_standin.js")
CONFIRM_PATH = re.compile(r"/v1/payment_intents/(?P<id>pi_\w+)/confirm")


async def _publishable_key_data(request: web.Request) -> dict[str, Any]:
    data = dict(await get_post_data(request, remove_auth=False) or {})
    if not str(data.pop("key", "")).startswith("pk_"):
        raise UserError(401, "Unauthorized")
    data.pop("payment_user_agent", None)
    return data


def _card_payment_method(data: dict[str, Any]) -> web.Response:
    if data.get("type") != "card":
        raise UserError(400, "Bad request: a publishable key creates card payment methods only")
    return json_response(resources.PaymentMethod._api_create(**data)._export())


def _confirm_with_client_secret(intent_id: str, data: dict[str, Any]) -> web.Response:
    intent = resources.PaymentIntent._api_retrieve(intent_id)
    if data.pop("client_secret", None) != intent.client_secret:
        raise UserError(401, "Unauthorized: the client secret is not this PaymentIntent's")
    method = data.pop("payment_method", None)
    if data:
        raise UserError(400, "Unexpected " + ", ".join(data))
    if not method and intent.status == "requires_action":
        return json_response(intent._export())  # already confirmed: Stripe.js goes on to 3-D Secure
    if method:
        resources.PaymentIntent._api_update(intent_id, payment_method=method)
    return json_response(resources.PaymentIntent._api_confirm(intent_id)._export())


@web.middleware
async def stripe_js_standin(request: web.Request, handler: Any) -> web.StreamResponse:
    """Stripe.js's script and its publishable-key calls; anything else goes to localstripe."""
    if request.method == "GET" and request.path == "/js.stripe.com/v3/":
        return web.Response(text=STANDIN_SCRIPT.read_text(), content_type="application/javascript")
    if request.method == "POST" and get_api_key(request) is None:
        if request.path == "/v1/payment_methods":
            return _card_payment_method(await _publishable_key_data(request))
        confirm = CONFIRM_PATH.fullmatch(request.path)
        if confirm:
            return _confirm_with_client_secret(confirm["id"], await _publishable_key_data(request))
    return await handler(request)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    app.middlewares.insert(1, stripe_js_standin)  # inside localstripe's error middleware
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
