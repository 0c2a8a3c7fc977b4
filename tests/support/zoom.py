"""A local stand-in for Zoom's API: S2S OAuth token and meeting creation, recording what it got."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LocalZoom:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.next_meeting_id = 85746065000
        zoom = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                zoom.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
                )
                if self.path.startswith("/oauth/token"):
                    answer = {"access_token": "zoom-test-token", "token_type": "bearer", "expires_in": 3599}
                elif self.path == "/v2/users/me/meetings" and self.headers.get("Authorization") == (
                    "Bearer zoom-test-token"
                ):
                    zoom.next_meeting_id += 1
                    meeting_id = zoom.next_meeting_id
                    answer = {
                        "id": meeting_id,
                        "join_url": f"https://zoom.us/j/{meeting_id}",
                        "topic": body["topic"],
                    }
                else:
                    self.send_response(401)
                    self.end_headers()
                    return
                payload = json.dumps(answer).encode()
                self.send_response(201 if "meetings" in self.path else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
