"""POST /me/avatar — a presigned S3 upload for the caller's avatar (type whitelisted, size capped)."""

from fitconnect.members import profiles
from fitconnect.members.profiles import AvatarRequest
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


@app.post("/me/avatar", responses=answers(200))
def avatar_upload(body: AvatarRequest):
    profile = profiles.profile_of(app.caller().user_id)
    return json_response(200, profiles.avatar_upload(profile, body))


handler = http_handler(app)
