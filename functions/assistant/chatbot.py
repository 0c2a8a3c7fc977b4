"""POST /chatbot/messages — `{text}` → `{reply, actions[]}` from the member's own data."""

from typing import Annotated

from pydantic import StringConstraints

from fitconnect.assistant import chatbot
from fitconnect.platform.contract import RequestBody
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


class ChatMessage(RequestBody):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


@app.post("/chatbot/messages", responses=answers(200))
def chatbot_message(body: ChatMessage):
    return json_response(200, chatbot.answer(app.caller().user_id, body.text))


handler = http_handler(app)
