"""The web client in a real browser: Playwright drives Debian's Chromium (`make test` installs it)
against the local runtime, which serves the built app (`make web`) at /app/ as CloudFront would,
with the template's security headers. Screenshots of the key screens go to web/screenshots/."""

import json
import os
import re
import struct
import time
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.support.local import eventually
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


def _png(width, height):
    """A small grey PNG, as a phone would send."""
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _class_tomorrow(api, admin, name, *, hour, **fields):
    """A class of a newly approved trainer tomorrow at `hour` UTC, titled `name` and a unique tail;
    `fields` over a free, in-person class's."""
    trainer = api.approved_trainer(admin)
    starts = (datetime.now(UTC) + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    title = f"{name} {uuid.uuid4().hex[:6]}"
    body = {
        "title": title,
        "starts_at": starts.isoformat().replace("+00:00", "Z"),
        "duration_min": 45,
        "capacity": 8,
        "price_cents": 0,
        "currency": "eur",
        "kind": "in_person",
        "location": "Studio 2",
        **fields,
    }
    reply = api.post("/sessions", body, token=trainer["access_token"])
    assert reply.status == 201, reply.body
    return title


def _free_class_tomorrow(api, admin):
    return _class_tomorrow(api, admin, "Free Flow Yoga", hour=10)


def _paid_class_tomorrow(api, admin):
    # Cancelled now, it is refunded in full (a window of an hour).
    paid = {
        "duration_min": 30,
        "capacity": 10,
        "price_cents": 1500,
        "location": "Studio 3",
        "cancellation_window_min": 60,
    }
    return _class_tomorrow(api, admin, "Paid HIIT", hour=18, **paid)


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

    card = _open_tomorrow(page, title)
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
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="My bookings").wait_for()
    page.get_by_text("No bookings yet").wait_for()
    stored = page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}, document.cookie])")
    assert "eyJ" not in stored  # no JWT anywhere a script could read it later


def _sign_in(page, platform, account, path="/app/signin"):
    page.goto(f"{platform.api_url}{path}")
    page.get_by_label("E-mail").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_trainer_publishes_a_class_checks_a_member_in_edits_it_and_sees_their_figures(
    page, platform, api, admin
):
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

    # The class changes: a seat count the API refuses is said at its field; then it is saved.
    card.get_by_role("button", name=f"Edit {title}").click()
    edit = card.get_by_role("form", name=f"Edit {title}")
    edit.get_by_label("Seats").fill("none")
    edit.get_by_role("button", name="Save changes").click()
    edit.get_by_label("Seats").and_(page.locator("[aria-invalid=true]")).wait_for()
    edit.get_by_label("Seats").fill("20")
    edit.get_by_label("Title").fill(f"{title} (bigger room)")
    edit.get_by_role("button", name="Save changes").click()
    page.get_by_test_id("teach-session").filter(has_text=f"{title} (bigger room)").get_by_text(
        "of 20 booked"
    ).wait_for()
    changed = api.get(f"/sessions/{session['session_id']}").body
    assert (changed["capacity"], changed["title"]) == (20, f"{title} (bigger room)")
    figures = page.get_by_test_id("trainer-figures")
    assert "classes held" in figures.inner_text()
    figures.get_by_role("img", name=re.compile("^Earnings per week")).wait_for()


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
    card = _open_tomorrow(page, title)
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


def _axe_violations(page, axe):
    page.add_script_tag(content=axe)
    found = page.evaluate("async () => (await axe.run()).violations")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_accessibility_violation_on_any_screen(browser, platform):
    axe = (WEB / "node_modules" / "axe-core" / "axe.min.js").read_text()
    # axe is injected as an inline script, which the app's CSP rightly forbids: this context alone
    # bypasses it.
    context = browser.new_context(viewport={"width": 360, "height": 780}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        for path, ready in (
            ("/app/", "Classes"),
            ("/app/signin", "Sign in"),
            ("/app/signup", "Create your account"),
        ):
            page.goto(f"{platform.api_url}{path}")
            page.get_by_role("heading", name=ready).wait_for()
            serious = _axe_violations(page, axe)
            assert serious == [], (path, json.dumps(serious, indent=1)[:2000])
        # Signed in as the demo admin, every screen of the app, the admin's sections too (the
        # page is not loaded again: the tokens live in memory).
        _sign_in(page, platform, {"email": "admin@fitconnect.local", "password": "fitconnect-demo"})
        page.get_by_role("heading", name="Classes").wait_for()
        # The app's screens by their links, then the admin's sections by their buttons.
        for role, name, ready in (
            ("link", "Classes", "Classes"),
            ("link", "My bookings", "My bookings"),
            ("link", "Training", "Your plan"),
            ("link", "Passes", "Memberships & packs"),
            ("link", "Teach", "Teach"),
            ("link", "Ada Admin", "Profile"),
            ("link", "Admin", "Admin"),
            ("button", "Users", "Users"),
            ("button", "Equipment", "Equipment"),
            ("button", "Reports", "Reports"),
            ("button", "Refunds", "Refund a payment"),
        ):
            page.get_by_role(role, name=name, exact=True).click()
            page.get_by_role("heading", name=ready, exact=True).wait_for()
            page.locator("[aria-busy=true]").first.wait_for(state="detached")
            serious = _axe_violations(page, axe)
            assert serious == [], (name, json.dumps(serious, indent=1)[:2000])
    finally:
        context.close()


def _open_tomorrow(page, title):
    """Tomorrow's class of that title, paging through the day's list (20 a page) until it shows."""
    page.get_by_role("heading", name="Classes").wait_for()
    page.get_by_role("group", name="Day").get_by_role("button").nth(1).click()
    card = page.get_by_test_id("session").filter(has_text=title)
    more = page.get_by_role("button", name="More classes")
    card.or_(more).first.wait_for()
    while not card.count():
        more.click()
        card.or_(more).first.wait_for()
    return card


def test_a_member_pays_for_a_class_with_a_test_card_cancels_and_sees_the_refund(page, platform, api, admin):
    title = _paid_class_tomorrow(api, admin)
    member = api.member()
    _sign_in(page, platform, member)
    card = _open_tomorrow(page, title)
    assert not [url for url in page.requested if "/js.stripe.com/" in url]  # Stripe.js only to pay
    card.get_by_role("button", name=f"Book {title}").click()
    assert "Seat held for 15 minutes" in card.get_by_role("status").inner_text()

    # Stripe's element checks the card before anything is charged; the form stays open.
    card.get_by_label("Card number").fill("4242 4242 4242")
    card.get_by_label("Expiry").fill("12 / 34")
    card.get_by_label("CVC").fill("123")
    card.get_by_role("button", name="Pay €15.00").click()
    assert "card number is incomplete" in card.get_by_role("alert").inner_text()
    card.get_by_label("Card number").fill("4242 4242 4242 4242")
    _shot(page, "pay-by-card")
    card.get_by_role("button", name="Pay €15.00").click()
    card.get_by_text("Booked and paid").wait_for(timeout=30_000)
    [payment] = api.get("/me/payments", token=member["access_token"]).body["items"]
    assert (payment["amount_cents"], payment["status"]) == (1500, "succeeded")

    page.get_by_role("link", name="My bookings").click()
    booking = page.get_by_test_id("booking").filter(has_text=title)
    booking.get_by_text("Confirmed").wait_for()
    booking.get_by_role("button", name=f"Cancel {title}").click()
    booking.get_by_text("Refund of €15.00").wait_for()
    _shot(page, "refund")

    def refunded():
        [paid] = api.get("/me/payments", token=member["access_token"]).body["items"]
        return (paid["refunded_cents"], paid["status"]) == (1500, "refunded")

    eventually(refunded)  # Stripe's refund webhook settles it

    # The card went to Stripe (localstripe, the runtime's stand-in for Stripe.js and its API),
    # everything else to the app's own origin.
    hosts = {urlsplit(url).netloc for url in page.requested}
    assert hosts == {urlsplit(platform.api_url).netloc, urlsplit(platform.stripe_endpoint).netloc}, hosts
    card_numbers = [url for url in page.requested if "4242" in url]
    assert card_numbers == []


def test_a_member_buys_a_class_pack_books_a_paid_class_with_it_and_takes_a_membership(
    page, platform, api, admin
):
    name = f"Five classes {uuid.uuid4().hex[:6]}"
    product = {
        "kind": "class_pack",
        "name": name,
        "price_cents": 6000,
        "currency": "eur",
        "credits": 5,
        "valid_days": 90,
    }
    made = api.post("/admin/products", product, token=admin)
    assert made.status == 201, made.body
    title = _paid_class_tomorrow(api, admin)
    member = api.member()
    _sign_in(page, platform, member, path="/app/passes")
    offer = page.get_by_test_id("product").filter(has_text=name)
    offer.get_by_role("button", name=f"Buy {name}").click()
    offer.get_by_label("Promo code").fill("NOSUCHCODE")
    offer.get_by_label("Card number").fill("4242424242424242")
    offer.get_by_label("Expiry").fill("12 / 34")
    offer.get_by_label("CVC").fill("123")
    offer.get_by_role("button", name="Pay €60.00").click()
    offer.get_by_label("Promo code").and_(page.locator("[aria-invalid=true]")).wait_for()  # said at the field
    offer.get_by_label("Promo code").fill("")
    offer.get_by_role("button", name="Pay €60.00").click()
    page.get_by_text(f"{name} is yours").wait_for(timeout=30_000)
    page.get_by_test_id("entitlement").filter(has_text="5 of 5 classes left").wait_for()
    _shot(page, "passes")

    page.get_by_role("link", name="Classes").click()
    card = _open_tomorrow(page, title)
    card.get_by_role("button", name=f"Book {title}").click()
    assert "Booked with your class pack" in card.get_by_role("status").inner_text()
    [booking] = api.get("/me/bookings", token=member["access_token"]).body["items"]
    assert booking["status"] == "confirmed"
    assert booking["covered_by"]["kind"] == "class_pack"
    [entitlement] = api.get("/me/entitlements", token=member["access_token"]).body["items"]
    assert entitlement["credits_left"] == 4

    # A membership: the card is saved with Stripe (a PaymentMethod) and renews the subscription.
    monthly = {
        "kind": "membership",
        "name": f"Monthly {name[-6:]}",
        "price_cents": 4900,
        "currency": "eur",
        "interval": "month",
        "classes_per_period": 8,
    }
    assert api.post("/admin/products", monthly, token=admin).status == 201
    page.get_by_role("link", name="Passes").click()
    offer = page.get_by_test_id("product").filter(has_text=monthly["name"])
    offer.get_by_role("button", name=f"Buy {monthly['name']}").click()
    offer.get_by_label("Card number").fill("4242424242424242")
    offer.get_by_label("Expiry").fill("12 / 34")
    offer.get_by_label("CVC").fill("123")
    offer.get_by_role("button", name="Pay €49.00").click()
    page.get_by_text(f"{monthly['name']} is yours").wait_for(timeout=30_000)
    page.get_by_test_id("entitlement").filter(has_text="8 classes left this period").wait_for()
    [membership] = [
        e
        for e in api.get("/me/entitlements", token=member["access_token"]).body["items"]
        if e["kind"] == "membership"
    ]
    assert membership["status"] == "active"
    assert membership["subscription_id"]


def test_a_member_logs_a_workout_sees_the_analysis_and_makes_a_plan(page, platform, api):
    member = api.member()
    earlier = (datetime.now(UTC) - timedelta(days=3)).isoformat().replace("+00:00", "Z")
    run = {"type": "run", "started_at": earlier, "duration_s": 2400, "distance_m": 6000, "rpe": 5}
    assert api.post("/me/activities", run, token=member["access_token"]).status == 201
    _sign_in(page, platform, member)
    page.get_by_role("link", name="Training").click()
    page.get_by_role("img", name=re.compile("^Training load per week")).wait_for()

    form = page.get_by_role("form", name="Log a workout")
    form.get_by_label("Minutes").fill("0")
    form.get_by_role("button", name="Log workout").click()
    # The API's word, at the field.
    form.get_by_label("Minutes").and_(page.locator("[aria-invalid=true]")).wait_for()
    form.get_by_label("Minutes").fill("45")
    form.get_by_label("Distance (km, optional)").fill("10")
    form.get_by_role("button", name="Log workout").click()
    assert form.get_by_role("status").inner_text().startswith("Logged: load ")
    page.get_by_test_id("activity").nth(1).wait_for()  # both workouts listed
    activities = api.get("/me/activities", token=member["access_token"]).body["items"]
    assert sorted(a["distance_m"] for a in activities) == [6000, 10000]
    load = api.get("/me/insights?weeks=8", token=member["access_token"]).body["weeks"][-1]["load"]
    chart = page.get_by_role("img", name=re.compile("^Training load per week"))
    # This week's bar is both workouts, once the analysis is read again after the log.
    expect(chart).to_have_attribute("aria-label", re.compile(rf"\b{round(load)} load$"))
    page.get_by_role("img", name=re.compile("^Acute:chronic workload ratio")).wait_for()

    # A strength workout: sets of an exercise found in the catalogue.
    form.get_by_label("Kind").select_option("strength")
    form.get_by_label("Find an exercise").fill("squat")
    squats = form.get_by_label("Exercise", exact=True).locator("option", has_text=re.compile("squat", re.I))
    squats.first.wait_for(state="attached")
    exercise = form.get_by_label("Exercise", exact=True).input_value()
    form.get_by_role("button", name="Add a set").click()
    form.get_by_label("Reps of set 1").fill("8")
    form.get_by_label("Kilograms of set 1").fill("60")
    form.get_by_role("button", name="Log workout").click()
    form.get_by_role("status").filter(has_text="Logged").wait_for()
    [strength] = [
        a for a in api.get("/me/activities", token=member["access_token"]).body["items"] if a["sets"]
    ]
    assert strength["sets"][0]["exercise_id"] == exercise
    assert (strength["sets"][0]["reps"], strength["sets"][0]["weight_kg"]) == (8, 60)

    plan = page.get_by_role("form", name="Make a plan")
    plan.get_by_label(re.compile(r"^Days a week")).fill("3")
    plan.get_by_role("button", name="Make my plan").click()
    next_workout = page.get_by_test_id("next-workout")
    next_workout.wait_for()
    made = api.get("/me/plan", token=member["access_token"]).body
    assert made["next_workout"]["exercises"][0]["name"] in next_workout.inner_text()
    _shot(page, "training")


def test_an_admin_watches_equipment_live_reads_reports_and_disables_an_account(
    page, platform, api, admin, device
):
    name = f"Rower {uuid.uuid4().hex[:4]}"
    body = {"name": name, "kind": "rower", "location": "Cardio", "service_interval_hours": 100}
    machine = api.post("/equipment", body, token=admin)
    assert machine.status == 201, machine.body
    member = api.member()
    _sign_in(page, platform, {"email": "admin@fitconnect.local", "password": "fitconnect-demo"})
    page.get_by_role("link", name="Admin", exact=True).click()

    page.get_by_role("button", name="Equipment").click()
    board = page.get_by_test_id("machine").filter(has_text=name)
    board.get_by_text("Offline").wait_for()  # never heard from yet
    reading = {"ts": datetime.now(UTC).isoformat(), "in_use": True, "usage_seconds": 900, "battery_pct": 64}
    device(machine.body["equipment_id"], reading)
    board.get_by_text("In use").wait_for(timeout=20_000)  # the board reads the fleet again by itself
    assert "battery 64%" in board.inner_text()
    _shot(page, "admin-equipment")

    page.get_by_role("button", name="Reports").click()
    summary = page.get_by_test_id("report-summary")
    summary.wait_for()
    today = datetime.now(UTC).date()
    since = today - timedelta(weeks=8)
    figures = api.get(f"/admin/reports/summary?from={since}&to={today}", token=admin).body
    assert re.search(rf"\b{figures['active_members']}\s+active members", summary.inner_text())
    page.get_by_role("img", name=re.compile("^Net revenue per week")).wait_for()
    page.get_by_role("img", name=re.compile("^Attendance per week")).wait_for()
    _shot(page, "admin-reports")
    with page.expect_download() as saving:
        page.get_by_role("button", name="Revenue by day (CSV)").click()
    saved = Path(saving.value.path()).read_text()
    assert saved.splitlines()[0].split(",")[:2] == ["day", "revenue_cents"]
    assert saving.value.suggested_filename.startswith("fitconnect-revenue-")

    page.get_by_role("button", name="Users").click()
    page.get_by_label("Show users with the role").select_option("member")
    account = page.get_by_test_id("account").filter(has_text=member["email"])
    account.wait_for()  # newest first: on the first page
    account.get_by_role("button", name="Disable").click()
    account.get_by_role("status").wait_for()
    assert account.get_by_role("status").inner_text() == "Saved."
    assert api.login(member["email"], member["password"]).status in (401, 403)


def test_a_member_uploads_a_picture_sets_quiet_hours_and_leads_adds_a_phone_and_turns_on_two_step(
    page, platform, api, clock
):
    import pyotp  # the identity tests' TOTP, as an authenticator app computes it

    member = api.member()
    _sign_in(page, platform, member, path="/app/profile")
    chooser = page.get_by_label("Choose a picture (JPEG, PNG or WebP, up to 5 MB)")
    chooser.set_input_files(files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}])
    assert page.get_by_text("Choose a JPEG, PNG or WebP picture.").is_visible()
    chooser.set_input_files(files=[{"name": "me.png", "mimeType": "image/png", "buffer": _png(8, 8)}])
    page.get_by_text("Picture saved.").wait_for()
    picture = page.get_by_role("img", name="Your picture")
    picture.wait_for()
    page.wait_for_function("() => document.querySelector('img[alt=\"Your picture\"]')?.naturalWidth === 8")
    assert requests.get(
        api.get("/me", token=member["access_token"]).body["avatar_url"], timeout=10
    ).content == _png(8, 8)

    page.get_by_label("Mobile number for text reminders (+ and country code)").fill("0151 not a number")
    page.get_by_role("button", name="Save", exact=True).click()
    phone = page.get_by_label("Mobile number for text reminders (+ and country code)")
    phone.and_(page.locator("[aria-invalid=true]")).wait_for()  # the API's word, at the field
    phone.fill("+4915112345678")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved.").wait_for()

    page.get_by_label("Keep quiet hours").check()
    page.get_by_label("From").fill("21:30")
    page.get_by_label("Until").fill("06:45")
    page.get_by_label("15 minutes before").check()
    page.get_by_label("A day before").uncheck()
    page.get_by_role("button", name="Save reminders").click()
    page.get_by_text("Reminders saved.").wait_for()
    preferences = api.get("/me/notification-preferences", token=member["access_token"]).body
    assert preferences["quiet_hours"] == {"start": "21:30", "end": "06:45"}
    assert 15 in preferences["reminder_leads_min"]
    assert 1440 not in preferences["reminder_leads_min"]
    assert api.get("/me", token=member["access_token"]).body["phone"] == "+4915112345678"

    page.get_by_role("button", name="Set up two-step sign-in").click()
    page.get_by_role("img", name="QR code of your two-step sign-in key").wait_for()
    secret = page.get_by_test_id("totp-secret").inner_text()
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("alert").wait_for()  # a wrong code turns nothing on
    assert api.get("/me", token=member["access_token"]).body["mfa_enabled"] is False
    used = totp.now()
    page.get_by_label("Code from the app").fill(used)
    page.get_by_role("button", name="Turn on").click()
    page.get_by_text("On: signing in asks for a code").wait_for()
    _shot(page, "profile-two-step")

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, platform, member)
    page.get_by_label("Code from your authenticator app").fill(used)  # spent: refused
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("alert").wait_for()
    clock(60)  # the app's next code
    page.get_by_label("Code from your authenticator app").fill(totp.at(time.time() + 60))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="Classes").wait_for()


def test_a_person_signs_in_with_an_sso_provider_and_a_forged_return_signs_in_no_one(
    page, platform, oidc_issuer
):
    subject = f"web-sso-{uuid.uuid4().hex[:8]}"
    oidc_issuer.browser_person = (subject, f"{subject}@example.com")
    try:
        page.goto(f"{platform.api_url}/app/signin")
        page.get_by_role("button", name="Sign in with Test IdP").click()  # to the provider and back
        page.get_by_role("heading", name="Classes").wait_for()
        page.get_by_role("link", name="SSO Person").wait_for()  # the account made from the ID token
        assert "id_token" not in page.url  # the token left the address bar
        stored = page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}])")
        assert "eyJ" not in stored

        # A return nobody started here (a link sent to the victim with someone else's token).
        forged = oidc_issuer.id_token(f"{subject}-other", f"{subject}-other@example.com", nonce="x")
        page.get_by_role("button", name="Sign out").click()
        page.goto(f"{platform.api_url}/app/sso/testidp#id_token={forged}&state=guessed")
        assert "not started here" in page.get_by_role("alert").inner_text()
        page.get_by_role("link", name="Back to sign in").wait_for()
    finally:
        oidc_issuer.browser_person = None
