"""localstripe's aiohttp app, bound to 127.0.0.1 and kept in memory.

Its own CLI listens on every interface and pickles its store to a fixed file under /tmp (shared by
every run on the machine); here the store lives and dies with the local runtime, like moto's.
localstripe is GPL-3.0: a dev/test stand-in, never shipped in the layer.
"""

from __future__ import annotations

import argparse
import logging

from aiohttp import web
from localstripe import resources
from localstripe.server import app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
