"""Lazy public faces (platform.faces): every exposed name resolves to its definition, a name that is
not exposed fails loudly, and importing a face does not load the domain behind it."""

import importlib
import subprocess
import sys

import pytest

from tests.support.paths import REPO_ROOT

LAZY_FACES = [
    "fitconnect.scheduling.public",
    "fitconnect.payments.public",
    "fitconnect.coaching.public",
    "fitconnect.members.public",
    "fitconnect.pricing.public",
]


@pytest.mark.parametrize("face_name", LAZY_FACES)
def test_every_name_a_lazy_face_exposes_is_the_definition_in_its_module(face_name):
    face = importlib.import_module(face_name)
    for name, target in face._EXPORTS.items():
        module, _, attribute = target.partition(":")
        assert getattr(face, name) is getattr(importlib.import_module(module), attribute or name)


@pytest.mark.parametrize("face_name", LAZY_FACES)
def test_a_name_a_face_does_not_expose_is_an_attribute_error(face_name):
    face = importlib.import_module(face_name)
    with pytest.raises(AttributeError, match="no attribute 'bookings'"):
        face.bookings  # noqa: B018 — the read is the test
    assert not hasattr(face, "Bookings")


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(m for m in sys.modules if m.startswith('fitconnect')))"
    env = {"PYTHONPATH": str(REPO_ROOT / "layers" / "shared"), "AWS_DEFAULT_REGION": "us-east-1"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return set(run.stdout.split())


@pytest.mark.parametrize(
    ("importer", "not_loaded"),
    [
        # listing products (pricing) reaches payments, whose seat holds live in scheduling
        ("fitconnect.pricing.catalog", {"fitconnect.scheduling.bookings", "fitconnect.payments.payments"}),
        # a notification's text reads a booking only when it is rendered
        ("fitconnect.notifications.templates", {"fitconnect.scheduling.bookings"}),
        # a booking's list reads neither profiles nor wallets, which sessions and covers need
        (
            "fitconnect.scheduling.bookings",
            {"fitconnect.members.profiles", "fitconnect.pricing.entitlements", "fitconnect.pricing.models"},
        ),
        # the chatbot reads bookings, sessions, the week and the plan only for the intents that need them
        (
            "fitconnect.assistant.chatbot",
            {"fitconnect.scheduling.bookings", "fitconnect.coaching.plans", "fitconnect.coaching.insights"},
        ),
    ],
)
def test_importing_a_module_that_uses_a_face_leaves_the_domain_behind_it_unloaded(importer, not_loaded):
    loaded = _loaded_after_import(importer)
    assert importer in loaded
    assert loaded & not_loaded == set()
