"""What attach takes, and detach gives back, in a Voice application's capabilities.voice.webhooks.

``answer_url`` becomes the inbound URL, and ``event_url`` the status URL: Vonage reports a call's
end only to the application's event URL. That URL may have been the user's own (a call logger, a
CRM), and an attach must not destroy it silently (SPEC §4); attach keeps no state of its own, so
the application keeps it: Switchboard's event URL carries the replaced ``event_url`` object, as
JSON, in its ``previous`` query parameter, which the front door ignores. Detach puts it back once
no number is linked to the application any more (while one is, its calls still need their ends).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

PREVIOUS_PARAMETER = "previous"
WEBHOOK_METHOD = "POST"


def status_url(inbound_url: str) -> str:
    """The status URL of an inbound URL: the same with /status instead of /inbound."""
    parts = urlsplit(inbound_url)
    return parts._replace(path=parts.path.removesuffix("/inbound") + "/status").geturl()


def _split_previous(address: str) -> tuple[str, str | None]:
    """An event URL without its ``previous`` parameter, and that parameter's value."""
    parts = urlsplit(address)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if name != PREVIOUS_PARAMETER]
    previous = next((value for name, value in pairs if name == PREVIOUS_PARAMETER), None)
    return parts._replace(query=urlencode(kept)).geturl(), previous


def _entry(webhooks: dict[str, Any], name: str) -> dict[str, Any]:
    entry = webhooks.get(name)
    return entry if isinstance(entry, dict) else {}


def point_webhooks(webhooks: dict[str, Any], inbound_url: str) -> dict[str, Any] | None:
    """Point the answer and event URLs at Switchboard with method POST, in place; what needed
    changing, by name (the entry it replaced; ``event_url`` only when its address was replaced,
    ``event_method`` when only its method was), or None when both already pointed there.

    POST because the front door takes Vonage's webhooks as JSON: the signed JWT's payload_hash
    covers the body exactly, while for a GET what is hashed is not documented (see signature)."""
    changed: dict[str, Any] = {}
    answer = _entry(webhooks, "answer_url")
    if answer.get("address") != inbound_url or answer.get("http_method") != WEBHOOK_METHOD:
        webhooks["answer_url"] = {**answer, "address": inbound_url, "http_method": WEBHOOK_METHOD}
        changed["answer_url"] = answer
    event = _entry(webhooks, "event_url")
    ours = status_url(inbound_url)
    if _split_previous(str(event.get("address") or ""))[0] != ours:
        address = ours
        if event.get("address"):
            separator = "&" if urlsplit(ours).query else "?"
            address += separator + urlencode({PREVIOUS_PARAMETER: json.dumps(event, separators=(",", ":"))})
        webhooks["event_url"] = {**event, "address": address, "http_method": WEBHOOK_METHOD}
        changed["event_url"] = event
    elif event.get("http_method") != WEBHOOK_METHOD:
        webhooks["event_url"] = {**event, "http_method": WEBHOOK_METHOD}
        changed["event_method"] = event
    return changed or None


def previous_event_url(webhooks: dict[str, Any], inbound_url: str) -> dict[str, Any] | None:
    """The event URL entry that attach replaced, when the application's is still Switchboard's."""
    address, previous = _split_previous(str(_entry(webhooks, "event_url").get("address") or ""))
    if address != status_url(inbound_url) or not previous:
        return None
    try:
        entry = json.loads(previous)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) and isinstance(entry.get("address"), str) and entry["address"] else None
