from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = REPO_ROOT / "template.yaml"
EVENTS_DIR = REPO_ROOT / "events"
FIXTURE_APP = REPO_ROOT / "tests" / "fixtures" / "runtime_app"
