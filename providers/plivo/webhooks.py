"""The call webhooks of Plivo and Vobiz: the application's answer_url (a new call) and hangup_url.

Both are form POSTs (or GETs with the fields in the query) with ``CallUUID``, ``From``, ``To``
(E.164 without ``+``; Vobiz may send national ``0XXXXXXXXXX`` numbers), ``CallStatus`` and, on
some requests, ``Event``. Neither carries the account's auth id on the answer request, so
Switchboard's URLs carry it in their query (``?account=``), where the V3 signature covers it.

What reaches the answer URL besides a new call: Vobiz sends its call events ``Ring``, ``StartApp``
and ``Hangup`` to the answer flow, and Plivo sends the hangup there when an application has no
hangup URL of its own. A hangup (``Event=Hangup`` or a final ``CallStatus``) ends the call; ``Ring``
and ``StartApp`` are answered as the call they name (a repeated ``CallUUID`` gets the same answer
and no second record); any other event is acknowledged and ignored.
"""

from __future__ import annotations

from ..inbound import CallEndedWebhook, InboundCallWebhook, MalformedWebhook, WebhookRequest

FORM = "application/x-www-form-urlencoded"
# CallStatus values of a call that is over (Plivo: completed for inbound calls; the rest for outbound).
ENDED_STATUSES = frozenset({"completed", "busy", "failed", "timeout", "no-answer", "cancel"})
HANGUP_EVENT = "Hangup"
# Events that are (or may be) the answer request of a call.
CALL_EVENTS = frozenset({"", "Ring", "StartApp"})


def _fields(request: WebhookRequest) -> dict[str, str]:
    """The webhook's fields, first value of each: the form of a POST, the query of a GET."""
    if request.method == "POST":
        if request.media_type != FORM:
            raise MalformedWebhook(f"expected a form-encoded body, got {request.media_type or 'none'}")
        pairs = request.form
    else:
        pairs = request.query
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value.strip())
    return fields


def _required(fields: dict[str, str], name: str) -> str:
    if not fields.get(name):
        raise MalformedWebhook(f"the webhook has no {name}")
    return fields[name]


def _account(request: WebhookRequest) -> str:
    account = (request.query_param("account") or "").strip()
    if not account:
        raise MalformedWebhook("the URL has no account (Switchboard's URLs end with ?account=<auth id>)")
    return account


def number(value: str, national_country: str | None) -> tuple[str, str | None]:
    """A number as written in a webhook, and the country to read it in: digits are E.164 without
    ``+``, except that a leading 0 marks a national number of `national_country` when the
    provider sends those. Anything else (a ``+`` number, a SIP URI) is kept as it is."""
    if value.isascii() and value.isdigit():
        if national_country is not None and value.startswith("0"):
            return value, national_country
        return "+" + value, None
    return value, None


def _ended(fields: dict[str, str]) -> bool:
    return fields.get("Event") == HANGUP_EVENT or fields.get("CallStatus") in ENDED_STATUSES


def parse_call(request: WebhookRequest, national_country: str | None) -> InboundCallWebhook | CallEndedWebhook | None:
    """A request to the answer URL: a new call, a call that ended, or None for another event."""
    fields = _fields(request)
    account = _account(request)
    if _ended(fields):
        return CallEndedWebhook(call_id=_required(fields, "CallUUID"), account_id=account)
    if fields.get("Event", "") not in CALL_EVENTS:
        return None
    called, called_country = number(_required(fields, "To"), national_country)
    return InboundCallWebhook(
        call_id=_required(fields, "CallUUID"),
        account_id=account,
        called=called,
        calling=number(fields.get("From", ""), national_country)[0],
        called_country=called_country,
    )


def parse_hangup(request: WebhookRequest) -> CallEndedWebhook | None:
    """A request to the hangup URL: the call that ended, or None when it is not an end."""
    fields = _fields(request)
    account = _account(request)
    call_id = _required(fields, "CallUUID")
    return CallEndedWebhook(call_id=call_id, account_id=account) if _ended(fields) else None
