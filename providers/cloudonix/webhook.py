"""Cloudonix's voice application request, as the front door reads it."""

from __future__ import annotations

import json
from collections.abc import Mapping

from ..inbound import MalformedWebhook, WebhookRequest


def request_fields(request: WebhookRequest) -> dict[str, str]:
    """The voice application request's parameters: the query of a GET, the JSON body of a POST."""
    if request.method == "GET":
        return {name: value for name, value in reversed(request.query)}
    if request.media_type != "application/json":
        raise MalformedWebhook(f"expected a JSON body, got {request.media_type or 'none'}")
    try:
        body = json.loads(request.body)
    except ValueError as exc:
        raise MalformedWebhook("the body is not JSON") from exc
    if not isinstance(body, dict):
        raise MalformedWebhook("the body is not a JSON object")
    return {name: value for name, value in body.items() if isinstance(value, str)}


def required(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name, "").strip()
    if not value:
        raise MalformedWebhook(f"the webhook has no {name}")
    return value


def international(dialled: str) -> str:
    """``To`` is the DNID as dialled, and Cloudonix numbers are international: 8 or more digits
    without '+' (and not a national 0... or international 00... number) are E.164 without it."""
    if dialled.isdigit() and len(dialled) >= 8 and not dialled.startswith("0"):
        return "+" + dialled
    return dialled
