"""After the class, over HTTP: check-in, no-shows closed by the schedule, feedback and reviews."""

from datetime import timedelta

import pytest

from tests.support.local import eventually


@pytest.fixture(scope="module")
def trainer(api, admin):
    return api.approved_trainer(admin)


def soon_session(api, trainer, minutes_from_now=10):
    return api.new_session(
        trainer,
        starts_in=timedelta(minutes=minutes_from_now),
        title="Lunch HIIT",
        duration_min=30,
        capacity=5,
        location="Studio 3",
    )


def test_check_in_feedback_and_a_review_that_moves_the_rating(api, trainer):
    session_id = soon_session(api, trainer)
    member, absent = api.member(), api.member()
    booking = api.post(f"/sessions/{session_id}/bookings", token=member["access_token"]).body
    assert api.post(f"/bookings/{booking['booking_id']}/check-in", token=member["access_token"]).status == 403
    checked = api.post(f"/bookings/{booking['booking_id']}/check-in", token=trainer["access_token"])
    assert (checked.status, checked.body["status"]) == (200, "attended")

    feedback = {"rating": 4, "comment": "Good pace"}
    path = f"/bookings/{booking['booking_id']}/feedback"
    assert api.post(path, feedback, token=member["access_token"]).status == 201
    assert api.post(path, feedback, token=member["access_token"]).error_code == "feedback_exists"

    reviews = f"/trainers/{trainer['user_id']}/reviews"
    refused = api.post(reviews, {"rating": 1}, token=absent["access_token"])
    assert (refused.status, refused.error_code) == (403, "not_attended")
    assert (
        api.post(reviews, {"rating": 5, "comment": "Precise cues"}, token=member["access_token"]).status
        == 201
    )
    again = api.post(
        reviews, {"rating": 5, "booking_id": booking["booking_id"]}, token=member["access_token"]
    )
    assert (again.status, again.error_code) == (409, "already_reviewed")
    assert api.get(f"/trainers/{trainer['user_id']}").body["rating"] == {"average": 5.0, "count": 1}
    listed = api.get(reviews).body["items"]
    assert [(item["rating"], item["comment"]) for item in listed] == [(5, "Precise cues")]
    assert api.post(reviews, {"rating": 9}, token=member["access_token"]).status == 400


def test_check_in_opens_an_hour_before(api, trainer):
    session_id = soon_session(api, trainer, minutes_from_now=180)
    member = api.member()
    booking = api.post(f"/sessions/{session_id}/bookings", token=member["access_token"]).body
    early = api.post(f"/bookings/{booking['booking_id']}/check-in", token=trainer["access_token"])
    assert (early.status, early.error_code) == (409, "check_in_not_open")


def test_the_schedule_closes_ended_sessions_and_marks_no_shows(api, trainer, clock):
    session_id = soon_session(api, trainer)
    came, skipped = api.member(), api.member()
    attended = api.post(f"/sessions/{session_id}/bookings", token=came["access_token"]).body
    missed = api.post(f"/sessions/{session_id}/bookings", token=skipped["access_token"]).body
    api.post(f"/bookings/{attended['booking_id']}/check-in", token=trainer["access_token"])
    clock(3600)  # the 30-minute session is over
    assert api.post("/_local/schedules/CloseSessionsFunction").status in (200, 202)

    def closed():
        return api.get(f"/sessions/{session_id}").body["status"] == "ended"

    assert eventually(closed, timeout_s=20)
    # An hour on, the access tokens have expired: sign in again.
    skipped_token = api.login(skipped["email"], skipped["password"]).body["access_token"]
    came_token = api.login(came["email"], came["password"]).body["access_token"]
    assert api.get(f"/bookings/{missed['booking_id']}", token=skipped_token).body["status"] == "no_show"
    assert api.get(f"/bookings/{attended['booking_id']}", token=came_token).body["status"] == "attended"
