"""Vonage's voice webhooks (vonage-voice's AnswerWebhook; the event webhook's status values).

The answer webhook comes as a JSON POST (attach sets ``http_method: POST``) or, Vonage's
default, as a GET with query parameters. It names the call (``uuid``), the called number
(``to``) and the caller (``from``), numbers in E.164 without the "+", but not the account: that
is in the inbound URL's ``account`` parameter. Events (``status``) come to the event URL.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..inbound import CallEndedWebhook, InboundCallWebhook, MalformedWebhook, WebhookRequest
from .signature import ACCOUNT_PARAMETER

#: Call statuses after which the call is over.
ENDED_STATUSES = frozenset({"completed", "busy", "failed", "rejected", "timeout", "cancelled", "unanswered"})


def _fields(request: WebhookRequest) -> dict[str, Any]:
    if request.method == "GET":
        return dict(request.query)
    if request.media_type != "application/json":
        raise MalformedWebhook(f"expected a JSON body, got {request.media_type or 'none'}")
    try:
        fields = json.loads(request.body)
    except ValueError:
        raise MalformedWebhook("the body is not JSON") from None
    if not isinstance(fields, dict):
        raise MalformedWebhook("the body is not a JSON object")
    return fields


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not value.strip():
        raise MalformedWebhook(f"the webhook has no {name}")
    return value.strip()


def international(number: str) -> str:
    """A number as Vonage writes it (E.164 digits without "+") with its "+"; anything else as is."""
    return "+" + number if re.fullmatch(r"[0-9]+", number) else number


def parse_answer(request: WebhookRequest) -> InboundCallWebhook:
    fields = _fields(request)
    account = request.query_param(ACCOUNT_PARAMETER)
    if not account:
        raise MalformedWebhook(f"the inbound URL has no {ACCOUNT_PARAMETER} parameter")
    calling = fields.get("from") or fields.get("from_user")
    return InboundCallWebhook(
        call_id=_text(fields, "uuid"),
        account_id=account,
        called=international(_text(fields, "to")),
        calling=international(calling.strip()) if isinstance(calling, str) else "",
    )


def parse_event(request: WebhookRequest) -> CallEndedWebhook | None:
    """The call an event says is over; None for events that do not end a call (other statuses,
    and events without one, such as recordings and transfers)."""
    fields = _fields(request)
    status = fields.get("status")
    if not isinstance(status, str) or status not in ENDED_STATUSES:
        return None
    return CallEndedWebhook(call_id=_text(fields, "uuid"), account_id=request.query_param(ACCOUNT_PARAMETER) or None)
