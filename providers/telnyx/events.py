"""Telnyx call events, as the Call Control application posts them (telnyx-python's CallInitiated,
CallHangup): ``{"data": {"event_type", "payload": {...}}, "meta": {...}}`` in a JSON POST.

Every event of the application goes to its one webhook URL, so the front door's inbound URL gets
them all: a new incoming call, a hang-up (the end of a call), and many it ignores.
"""

from __future__ import annotations

import json
from typing import Any

from ..inbound import CallEndedWebhook, InboundCallWebhook, MalformedWebhook, WebhookRequest


def _event(request: WebhookRequest) -> tuple[str, dict[str, Any]]:
    """The event type and payload of a Telnyx webhook; MalformedWebhook when it is not one."""
    if request.method != "POST" or request.media_type != "application/json":
        raise MalformedWebhook(f"expected a JSON POST, got {request.method} {request.media_type or 'without a body type'}")
    try:
        body = json.loads(request.body)
    except ValueError:
        raise MalformedWebhook("the body is not JSON") from None
    data = body.get("data") if isinstance(body, dict) else None
    event_type = data.get("event_type") if isinstance(data, dict) else None
    payload = data.get("payload") if isinstance(data, dict) else None
    if not isinstance(event_type, str) or not isinstance(payload, dict):
        raise MalformedWebhook("the body has no data.event_type and data.payload")
    return event_type, payload


def _text(payload: dict[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise MalformedWebhook(f"the event has no payload.{name}")
    return value.strip()


def _ended(payload: dict[str, Any]) -> CallEndedWebhook:
    connection_id = payload.get("connection_id")
    return CallEndedWebhook(
        call_id=_text(payload, "call_control_id"),
        account_id=connection_id.strip() if isinstance(connection_id, str) and connection_id.strip() else None,
    )


def parse_event(request: WebhookRequest) -> InboundCallWebhook | CallEndedWebhook | None:
    """An incoming call (``call.initiated``, direction ``incoming``), a call's end (``call.hangup``),
    or None for every other event, outgoing calls included."""
    event_type, payload = _event(request)
    if event_type == "call.hangup":
        return _ended(payload)
    if event_type != "call.initiated" or payload.get("direction") != "incoming":
        return None
    calling = payload.get("from")
    return InboundCallWebhook(
        call_id=_text(payload, "call_control_id"),
        account_id=_text(payload, "connection_id"),
        called=_text(payload, "to"),
        calling=calling.strip() if isinstance(calling, str) else "",
    )


def parse_ended(request: WebhookRequest) -> CallEndedWebhook | None:
    """A call's end among the application's events (the status URL accepts the same shapes)."""
    event = parse_event(request)
    return event if isinstance(event, CallEndedWebhook) else None
