"""What a provider plugin sees of the front door (SPEC §11), and what it gives back.

The server turns an HTTP request into a `WebhookRequest`; the plugin parses it into an
`InboundCallWebhook` or a `CallEndedWebhook`, checks its signature against the matched
configuration's credentials, and renders the answer (`WebhookAnswer`) in its own markup. Routing,
the decision and the call log are the resolvers' (resolvers/front_door.py); plugins know nothing of
the database or of GraphQL.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

# What a rejected caller hears, whatever the reason: the reason is recorded, never told.
REJECTION_MESSAGE = "Sorry, this number cannot take your call. Goodbye."


class MalformedWebhook(ValueError):
    """The request is not a webhook of this provider (HTTP 400). The message is for the log."""


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """One request to the front door, as the provider sent and signed it.

    ``url`` is the URL the provider requested, rebuilt from SWITCHBOARD_PUBLIC_BASE_URL (never from
    the client's Host header) plus the path and the raw query. ``headers`` have lower-case names.
    ``form`` holds the parameters of a form-encoded body, in order (empty for other bodies).
    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    form: tuple[tuple[str, str], ...] = ()
    received_at: float = 0.0
    query: tuple[tuple[str, str], ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "query", tuple(parse_qsl(urlsplit(self.url).query, keep_blank_values=True)))

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def param(self, name: str) -> str | None:
        """The first value of `name` in the form body, else in the query."""
        for key, value in self.form:
            if key == name:
                return value
        return self.query_param(name)

    def query_param(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None

    def required(self, *names: str) -> str:
        """The first of `names` that the request carries, non-blank; MalformedWebhook otherwise."""
        for name in names:
            value = self.param(name)
            if value is not None and value.strip():
                return value.strip()
        raise MalformedWebhook(f"the webhook has no {' or '.join(names)}")

    def parameters(self) -> dict[str, list[str]]:
        """Every form (or, for GET, query) parameter with all its values, by name."""
        found: dict[str, list[str]] = {}
        for key, value in self.form if self.form else (self.query if self.method == "GET" else ()):
            found.setdefault(key, []).append(value)
        return found


@dataclass(frozen=True, slots=True)
class InboundCallWebhook:
    """A new inbound call: who called which number, under which provider account."""

    call_id: str
    account_id: str
    called: str
    calling: str
    #: ISO 3166-1 alpha-2 region the provider gives for the called number, if any.
    called_country: str | None = None


@dataclass(frozen=True, slots=True)
class CallEndedWebhook:
    """A call-status callback saying that a call is over."""

    call_id: str
    account_id: str | None = None


@dataclass(frozen=True, slots=True)
class StreamTarget:
    """Where an accepted call's media goes, and the names the agent gets with it."""

    url: str
    call_id: str
    workflow_id: str
    calling: str
    called: str

    def parameters(self) -> dict[str, str]:
        return {"callId": self.call_id, "workflowId": self.workflow_id, "from": self.calling, "to": self.called}

    def url_with_parameters(self, *names: str) -> str:
        """The agent URL with the parameters (only `names`, when given) added to its query, for
        answers that carry no parameters of their own."""
        parameters = {k: v for k, v in self.parameters().items() if not names or k in names}
        separator = "&" if urlsplit(self.url).query else ("" if self.url.endswith("?") else "?")
        return self.url + separator + urlencode(parameters)


@dataclass(frozen=True, slots=True)
class WebhookAnswer:
    """The HTTP answer to a webhook: status, media type and body."""

    body: bytes
    media_type: str
    status_code: int = 200


EMPTY_ANSWER = WebhookAnswer(b"", "text/plain", 204)


def status_url(inbound_url: str) -> str:
    """The front door's call-status URL that goes with an inbound URL: the same query (account,
    token), at ``/status``."""
    parts = urlsplit(inbound_url)
    return parts._replace(path=parts.path.removesuffix("/inbound") + "/status").geturl()


def same_secret(expected: str | bytes, given: str | bytes) -> bool:
    """Constant-time comparison of two secrets or signatures."""
    if isinstance(expected, str):
        expected = expected.encode()
    if isinstance(given, str):
        given = given.encode()
    return hmac.compare_digest(expected, given)
