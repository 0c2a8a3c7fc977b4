"""The web client in a real browser: Playwright drives Debian's Chromium (`make test` installs it)
against the local runtime, which serves the built app (`make web`) at /app/ as CloudFront would,
with the template's security headers. Screenshots of the key screens go to web/screenshots/."""

import json
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.support.paths import TEMPLATE

WEB = TEMPLATE.parent / "web"
SCREENSHOTS = WEB / "screenshots"
CHROMIUM = os.environ.get("FITCONNECT_CHROMIUM", "/usr/bin/chromium")
# Headless on a closed network: no background connections to Google's services.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # the browser tests' dependency only

    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium"
    assert (WEB / "dist" / "index.html").exists(), "the web client is not built: make web"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, platform):
    """A fresh browser profile at 360 px wide (the smallest phone the app supports); it records
    every request the page makes."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, timezone_id="UTC")
    opened = context.new_page()
    opened.requested = []
    opened.on("request", lambda request: opened.requested.append(request.url))
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def _shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _free_class_tomorrow(api, admin):
    trainer = api.approved_trainer(admin)
    starts = (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    title = f"Free Flow Yoga {uuid.uuid4().hex[:6]}"
    body = {
        "title": title,
        "starts_at": starts.isoformat().replace("+00:00", "Z"),
        "duration_min": 45,
        "capacity": 8,
        "price_cents": 0,
        "currency": "eur",
        "kind": "in_person",
        "location": "Studio 2",
    }
    reply = api.post("/sessions", body, token=trainer["access_token"])
    assert reply.status == 201, reply.body
    return title


def test_a_member_signs_up_books_a_free_class_and_cancels_it(page, platform, api, admin):
    title = _free_class_tomorrow(api, admin)
    answer = page.goto(f"{platform.api_url}/app/")
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    assert answer.headers["x-frame-options"] == "DENY"
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Create an account").click()

    # The API's field errors appear next to their field.
    page.get_by_label("Name").fill("Web Member")
    page.get_by_label("E-mail").fill(f"web-{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_label("Password (10 characters or more)").fill("short")
    page.get_by_role("button", name="Create account").click()
    password_error = page.get_by_role("alert")
    assert "10" in password_error.inner_text()
    _shot(page, "sign-up-field-error")
    page.get_by_label("Password (10 characters or more)").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()

    page.get_by_role("heading", name="Classes").wait_for()
    page.get_by_role("group", name="Day").get_by_role("button").nth(1).click()  # tomorrow
    card = page.get_by_test_id("session").filter(has_text=title)
    card.get_by_role("button", name=f"Book {title}").click()
    assert "Booked" in card.get_by_role("status").inner_text()
    card.get_by_text("7 of 8 seats left").wait_for()  # the list is read again after the booking
    _shot(page, "classes")

    page.get_by_role("link", name="My bookings").click()
    booking = page.get_by_test_id("booking").filter(has_text=title)
    assert "Confirmed" in booking.inner_text()
    _shot(page, "my-bookings")
    booking.get_by_role("button", name=f"Cancel {title}").click()
    booking.get_by_text("Cancelled").first.wait_for()
    assert "Cancelled" in booking.inner_text()

    # Everything the page loaded came from its own origin (bundled fonts, scripts, no CDN).
    hosts = {urlsplit(url).netloc for url in page.requested}
    assert hosts == {urlsplit(platform.api_url).netloc}, hosts


def test_a_deep_link_loads_the_app_and_tokens_stay_out_of_storage(page, platform, api):
    member = api.member()
    page.goto(f"{platform.api_url}/app/bookings")  # not a file: the app's index.html answers
    page.get_by_label("E-mail").fill(member["email"])
    page.get_by_label("Password").fill(member["password"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="My bookings").wait_for()
    page.get_by_text("No bookings yet").wait_for()
    stored = page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}, document.cookie])")
    assert "eyJ" not in stored  # no JWT anywhere a script could read it later


def _sign_in(page, platform, account, path="/app/signin"):
    page.goto(f"{platform.api_url}{path}")
    page.get_by_label("E-mail").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Sign in").click()


def test_a_trainer_publishes_a_class_and_checks_a_member_in(page, platform, api, admin):
    trainer = api.approved_trainer(admin)
    _sign_in(page, platform, trainer)
    page.get_by_role("link", name="Teach").click()
    title = f"Lunch Spin {uuid.uuid4().hex[:6]}"
    soon = (datetime.now(UTC) + timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M")  # check-in opens 1 h before
    page.get_by_label("Title").fill(title)
    page.get_by_label("Starts").fill(soon)
    page.get_by_label("Minutes").fill("45")
    page.get_by_role("button", name="Publish").click()
    # An in-person class needs a place: a rule across fields, so the form says it above the button.
    assert "needs a location" in page.get_by_role("alert").inner_text()
    page.get_by_label("Place").fill("Studio 1")
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_role("status").first.inner_text() == "Published."
    card = page.get_by_test_id("teach-session").filter(has_text=title)
    card.wait_for()

    member = api.member()
    [session] = [
        s for s in api.get(f"/sessions?trainer_id={trainer['user_id']}").body["items"] if s["title"] == title
    ]
    assert session["starts_at"].startswith(soon)  # the browser's zone is UTC: its wall time
    assert (
        api.post(f"/sessions/{session['session_id']}/bookings", {}, token=member["access_token"]).status
        == 201
    )

    card.get_by_role("button", name=f"Roster of {title}").click()
    place = card.get_by_test_id("roster-place").filter(has_text="Test Member")
    assert "confirmed" in place.inner_text()
    _shot(page, "trainer-roster")
    place.get_by_role("button", name="Check in Test Member").click()
    card.get_by_test_id("roster-place").filter(has_text="attended").wait_for()
    [booking] = api.get("/me/bookings", token=member["access_token"]).body["items"]
    assert booking["status"] == "attended"


def test_an_admin_approves_a_trainer(page, platform, api):
    applicant = api.member()
    bio = "Kettlebells and mobility for desk workers, small groups."
    body = {"bio": bio, "specialties": ["strength"], "hourly_rate_cents": 4000, "currency": "eur"}
    assert api.post("/trainers", body, token=applicant["access_token"]).status == 201
    _sign_in(page, platform, {"email": "admin@fitconnect.local", "password": "fitconnect-demo"})
    page.get_by_role("link", name="Admin", exact=True).click()
    application = page.get_by_test_id("application").filter(has_text=bio)
    _shot(page, "admin-applications")
    application.get_by_role("button", name="Approve Test Member").click()
    assert application.get_by_role("status").inner_text() == "Approved."
    trainer = api.get(f"/trainers/{applicant['user_id']}").body
    assert trainer["status"] == "approved"


def test_a_member_sets_their_zone_and_reminders_exports_their_data_and_deletes_the_account(
    page, platform, api, admin
):
    title = _free_class_tomorrow(api, admin)  # 10:00 UTC tomorrow
    member = api.member()
    _sign_in(page, platform, member, path="/app/profile")
    page.get_by_label("Time zone (times are shown in it)").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved.").wait_for()
    page.get_by_label("Text message").uncheck()
    page.get_by_role("button", name="Save reminders").click()
    page.get_by_text("Reminders saved.").wait_for()
    preferences = api.get("/me/notification-preferences", token=member["access_token"]).body
    assert (preferences["sms"], preferences["email"]) == (False, True)
    assert api.get("/me", token=member["access_token"]).body["timezone"] == "Asia/Tokyo"

    page.get_by_role("link", name="Classes").click()
    page.get_by_role("group", name="Day").get_by_role("button").nth(1).click()
    card = page.get_by_test_id("session").filter(has_text=title)
    assert re.search(r"\b(07:00\s?PM|19:00)", card.locator("time").inner_text())  # 10:00 UTC in Tokyo

    page.get_by_role("link", name="Test Member").click()
    page.get_by_role("button", name="Export my data").click()
    download = page.get_by_role("link", name="Download your data")
    download.wait_for(timeout=30_000)
    exported = requests.get(download.get_attribute("href"), timeout=10).json()
    assert exported["members"]["profile"]["timezone"] == "Asia/Tokyo"
    _shot(page, "profile")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("link", name="Sign in").wait_for()
    assert api.login(member["email"], member["password"]).status == 401


def test_axe_finds_no_serious_accessibility_violation_on_the_key_screens(browser, platform):
    axe = (WEB / "node_modules" / "axe-core" / "axe.min.js").read_text()
    # axe is injected as an inline script, which the app's CSP rightly forbids: this context alone
    # bypasses it.
    context = browser.new_context(viewport={"width": 360, "height": 780}, bypass_csp=True)
    page = context.new_page()
    try:
        for path, ready in (
            ("/app/", "Classes"),
            ("/app/signin", "Sign in"),
            ("/app/signup", "Create your account"),
        ):
            page.goto(f"{platform.api_url}{path}")
            page.get_by_role("heading", name=ready).wait_for()
            page.add_script_tag(content=axe)
            found = page.evaluate("async () => (await axe.run()).violations")
            serious = [v["id"] for v in found if v["impact"] in ("serious", "critical")]
            assert serious == [], json.dumps(found, indent=1)[:2000]
    finally:
        context.close()
