"""The Call Control commands that answer an incoming Telnyx call (telnyx-python's
ActionAnswerParams and ActionRejectParams).

Telnyx ignores the body of the webhook's response: a call is answered by POSTing a command to
``/v2/calls/{call_control_id}/actions/{answer|reject}``. The webhook is still answered with the
same command as JSON, so what the dashboard's simulateInboundCall shows is what Telnyx receives.
Each command carries a ``command_id`` that is the same for every delivery of a call, so Telnyx
ignores the command when a retried webhook makes Switchboard send it again.
"""

from __future__ import annotations

import base64
import json

from ..inbound import StreamTarget, WebhookAnswer

ANSWER = "answer"
REJECT = "reject"

#: 603 Decline, with no audio. Telnyx can only speak to an answered call, and hanging up after the
#: message would need the call.speak.ended event first: see TelnyxProvider.complete_answer.
#: The command_id is per call_control_id at Telnyx, so one constant id is stable per call.
REJECT_COMMAND = {"cause": "CALL_REJECTED", "command_id": "switchboard-reject"}


def _compact(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def client_state(target: StreamTarget) -> str:
    """Base64 JSON naming the call; Telnyx echoes it in the call's later webhooks."""
    return base64.b64encode(_compact({"callId": target.call_id})).decode()


def answer_command(target: StreamTarget) -> dict[str, str]:
    """Answer with a bidirectional media stream to the agent: the caller's audio in PCMU, and
    the agent's audio back as RTP in PCMU. The answer command has no custom stream parameters,
    so the names travel in the stream URL's query."""
    return {
        "stream_url": target.url_with_parameters(),
        "stream_track": "inbound_track",
        "stream_codec": "PCMU",
        "stream_bidirectional_mode": "rtp",
        "stream_bidirectional_codec": "PCMU",
        "command_id": target.call_id,
        "client_state": client_state(target),
    }


def command_answer(command: dict[str, str]) -> WebhookAnswer:
    """The webhook's HTTP answer: the command itself (Telnyx reads only the status)."""
    return WebhookAnswer(_compact(command), "application/json")
