"""Upload the built web client (web/dist, `make web`) to a deployed stage and point it at the API.

    make web-deploy STAGE=prod

Reads the stack's outputs (WebBucketName, WebDistributionId, ApiUrl), uploads every file under
`app/` (hashed assets cached for a year, index.html and config.json never), writes `config.json`
with the API's URL and the WebClientConfig output (Stripe.js's publishable key and URL; the app
reads it at start, so one build serves every stage), and invalidates
the distribution's `/app/*`. The stage's CorsAllowOrigins must name the WebUrl output's origin.
"""

from __future__ import annotations

import json
import mimetypes
import os
import sys
import time
from pathlib import Path
from typing import Any

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"


def client_config(api_url: str, declared: str) -> dict[str, Any]:
    """config.json: where the API is ("" for the app's own origin) and the template's WebClientConfig."""
    return {"apiUrl": api_url.rstrip("/"), **json.loads(declared)}


def uploads(dist: Path, config: dict[str, Any]) -> list[tuple[str, bytes, str, str]]:
    """(key, body, content type, cache control) of each object, config.json last."""
    objects = []
    for path in sorted(p for p in dist.rglob("*") if p.is_file() and p.name != "config.json"):
        relative = path.relative_to(dist).as_posix()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        cache = IMMUTABLE if relative.startswith("assets/") else "no-cache"
        objects.append((f"app/{relative}", path.read_bytes(), kind, cache))
    objects.append(("app/config.json", json.dumps(config).encode(), "application/json", "no-cache"))
    return objects


def main() -> int:
    import boto3  # the deploy tools' dependency

    stage = os.environ.get("STAGE", "")
    if not stage:
        print("usage: make web-deploy STAGE=dev|prod", file=sys.stderr)
        return 2
    if not (DIST / "index.html").exists():
        print("web/dist is not built: make web", file=sys.stderr)
        return 1
    stack = boto3.client("cloudformation").describe_stacks(StackName=f"fitconnect-{stage}")["Stacks"][0]
    outputs: dict[str, Any] = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    s3 = boto3.client("s3")
    config = client_config(outputs["ApiUrl"], outputs["WebClientConfig"])
    for key, body, kind, cache in uploads(DIST, config):
        s3.put_object(
            Bucket=outputs["WebBucketName"], Key=key, Body=body, ContentType=kind, CacheControl=cache
        )
    boto3.client("cloudfront").create_invalidation(
        DistributionId=outputs["WebDistributionId"],
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/app/*"]},
            "CallerReference": str(time.time()),
        },
    )
    print(f"web client at {outputs['WebUrl']} (API {outputs['ApiUrl']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
