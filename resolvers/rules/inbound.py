"""The front door's decisions (SPEC §5, §11 step 4, §12): pure rules, no I/O."""

from __future__ import annotations

import enum
import ipaddress
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import urlsplit

AGENT_URL_MAX_LENGTH = 2048
#: How far back INBOUND_CALLS_REJECTED looks (SPEC §6).
REJECTION_WARNING_WINDOW = timedelta(hours=24)
#: How long a number's per-hour signature-failure counters are kept.
REJECTION_COUNTER_RETENTION = timedelta(days=7)


class CallStatus(enum.StrEnum):
    CONNECTED = "CONNECTED"
    REJECTED = "REJECTED"
    ENDED = "ENDED"


class RejectReason(enum.StrEnum):
    NUMBER_INACTIVE = "NUMBER_INACTIVE"
    NO_WORKFLOW = "NO_WORKFLOW"
    NO_AGENT_URL = "NO_AGENT_URL"
    CONCURRENCY_LIMIT = "CONCURRENCY_LIMIT"
    SIGNATURE_INVALID = "SIGNATURE_INVALID"
    SIGNATURE_SECRET_MISSING = "SIGNATURE_SECRET_MISSING"


def decide(
    *,
    is_active: bool,
    workflow_id: int | None,
    agent_stream_url: str | None,
    max_concurrent_calls: int | None,
    calls_in_progress: int,
) -> RejectReason | None:
    """Why a correctly signed call to a matched number is rejected, or None to accept it. The
    checks go from the number outwards, so the reason names the first thing to fix."""
    if not is_active:
        return RejectReason.NUMBER_INACTIVE
    if workflow_id is None:
        return RejectReason.NO_WORKFLOW
    if not agent_stream_url:
        return RejectReason.NO_AGENT_URL
    if max_concurrent_calls is not None and calls_in_progress >= max_concurrent_calls:
        return RejectReason.CONCURRENCY_LIMIT
    return None


def in_progress_since(now: datetime, call_max_seconds: int) -> datetime:
    """Connected calls that started before this instant no longer count as in progress: their
    end was never reported (a lost status callback), and a call lasts at most this long."""
    return now - timedelta(seconds=call_max_seconds)


def hour_of(moment: datetime) -> datetime:
    """The start of the hour `moment` is in: the bucket of the signature-failure counters."""
    return moment.replace(minute=0, second=0, microsecond=0)


#: The longest call id, account id or number the call log stores.
WEBHOOK_FIELD_MAX_LENGTH = 255


def webhook_field_problem(fields: dict[str, str | None]) -> str | None:
    """What makes a parsed webhook's values unstorable (a NUL, which PostgreSQL's text refuses;
    more than the columns hold), or None: such a webhook is malformed, not a server error."""
    for name, value in fields.items():
        if value is None:
            continue
        if "\x00" in value:
            return f"its {name} contains a NUL character"
        if len(value) > WEBHOOK_FIELD_MAX_LENGTH:
            return f"its {name} is longer than {WEBHOOK_FIELD_MAX_LENGTH} characters"
    return None


class InvalidAgentUrl(ValueError):
    pass


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def clean_agent_stream_url(value: str) -> str:
    """A workflow's agent URL: ``wss://`` with a host, or ``ws://`` to a loopback host (local
    development). Trimmed; InvalidAgentUrl with a sentence saying what is wrong otherwise."""
    url = value.strip()
    if not url:
        raise InvalidAgentUrl("The agent stream URL must not be empty; use clearAgentStreamUrl to remove it.")
    if len(url) > AGENT_URL_MAX_LENGTH:
        raise InvalidAgentUrl(f"The agent stream URL must be at most {AGENT_URL_MAX_LENGTH} characters.")
    # Cc: the C0 controls, DEL and the C1 controls (U+0080..U+009F), which no URL carries.
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        raise InvalidAgentUrl("The agent stream URL must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise InvalidAgentUrl("The agent stream URL is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("wss", "ws") or not host:
        raise InvalidAgentUrl("The agent stream URL must be a wss:// URL with a host, such as wss://agent.example.com/stream.")
    if parts.username is not None or parts.password is not None:
        raise InvalidAgentUrl("The agent stream URL must not carry a user name or password.")
    if parts.fragment:
        raise InvalidAgentUrl("The agent stream URL must not have a #fragment.")
    if scheme == "ws" and not _is_loopback(host):
        raise InvalidAgentUrl("The agent stream URL must use wss://; ws:// is allowed only for loopback hosts in development.")
    return url
