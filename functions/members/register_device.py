"""POST /me/devices — register a push token (iOS, Android, web)."""

from fitconnect.members import profiles
from fitconnect.members.profiles import DeviceRegistration
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


@app.post("/me/devices", responses=answers(201))
@app.idempotent
def register_device(body: DeviceRegistration):
    device, _created = profiles.register_device(app.caller().user_id, body)
    return json_response(201, profiles.device_view(device))


handler = http_handler(app)
