"""NCCO answers (Vonage Call Control Objects): a JSON array of actions, run in order; the call
ends when they run out. Shapes as vonage-voice's Connect, WebsocketEndpoint and Talk serialize."""

from __future__ import annotations

import json

from ..inbound import REJECTION_MESSAGE, StreamTarget, WebhookAnswer

#: Raw 16-bit PCM at 16 kHz, both ways: the rate agents' speech models take.
WEBSOCKET_CONTENT_TYPE = "audio/l16;rate=16000"


def ncco_answer(actions: list[dict]) -> WebhookAnswer:
    return WebhookAnswer(json.dumps(actions, separators=(",", ":")).encode(), "application/json")


def connect_websocket(target: StreamTarget) -> WebhookAnswer:
    """Connect the call to the agent's WebSocket. The names go as the endpoint's headers, which
    Vonage sends in the socket's first text message. ``from`` (required by Connect) is the number
    that was called, in Vonage's digits."""
    endpoint = {"type": "websocket", "uri": target.url, "content-type": WEBSOCKET_CONTENT_TYPE, "headers": target.parameters()}
    return ncco_answer([{"action": "connect", "from": target.called.lstrip("+"), "endpoint": [endpoint]}])


def talk_and_end() -> WebhookAnswer:
    return ncco_answer([{"action": "talk", "text": REJECTION_MESSAGE}])
