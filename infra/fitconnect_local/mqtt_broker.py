"""An amqtt MQTT broker on 127.0.0.1 (anonymous, no $SYS chatter): the stand-in for IoT Core.

IoT Core lets a device publish to its reserved `$aws/rules/<rule>/<topic>` (Basic Ingest); amqtt
follows MQTT's advice and closes the connection of a client that publishes to a topic starting
with `$`. So this broker carries those messages under BASIC_INGEST_ALIAS instead, where the
runtime's IoT bridge picks them up (fitconnect_local.iot)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

BASIC_INGEST = "$aws/rules/"
BASIC_INGEST_ALIAS = "aws-basic-ingest/rules/"


def _carry_basic_ingest() -> None:
    from amqtt.broker import Broker  # here: the runtime imports this module for its constants

    deliver = Broker._handle_message_delivery

    async def handle_message_delivery(self: Any, session: Any, handler: Any, wait_deliver: Any) -> bool:
        message = wait_deliver.result()
        if message is not None and str(message.topic or "").startswith(BASIC_INGEST):
            message.topic = BASIC_INGEST_ALIAS + message.topic[len(BASIC_INGEST) :]
        return await deliver(self, session, handler, wait_deliver)

    Broker._handle_message_delivery = handle_message_delivery


async def _serve(port: int) -> None:
    from amqtt.broker import Broker

    config = {
        "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }
    broker = Broker(config)
    await broker.start()
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # A readiness probe (connect, close) is not an MQTT client: do not log it as a broken one.
    logging.getLogger("amqtt.broker").setLevel(logging.CRITICAL)
    _carry_basic_ingest()
    asyncio.run(_serve(args.port))


if __name__ == "__main__":
    main()
