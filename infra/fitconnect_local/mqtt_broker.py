"""An amqtt MQTT broker on 127.0.0.1 (anonymous, no $SYS chatter): the stand-in for IoT Core."""

from __future__ import annotations

import argparse
import asyncio
import logging

from amqtt.broker import Broker


async def _serve(port: int) -> None:
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
    asyncio.run(_serve(args.port))


if __name__ == "__main__":
    main()
