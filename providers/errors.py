"""How a provider call failed, classified by HTTP status rather than by body text."""

from enum import StrEnum


class FailureKind(StrEnum):
    REJECTED = "REJECTED"  # 401/403: the credentials (or their permissions) were refused
    NOT_FOUND = "NOT_FOUND"  # 404, or an exact match missing from a filtered list
    RATE_LIMITED = "RATE_LIMITED"  # 429 after the bounded retries
    UNREACHABLE = "UNREACHABLE"  # 5xx, timeouts, refused connections
    BAD_RESPONSE = "BAD_RESPONSE"  # an answer we cannot read (malformed JSON, missing fields)
    REFUSED = "REFUSED"  # any other 4xx: the provider understood and said no
    UNSUPPORTED = "UNSUPPORTED"  # the provider has no API for this
    BLOCKED = "BLOCKED"  # a tenant-supplied host at an address Switchboard does not call (url_guard)


class ProviderError(Exception):
    """A provider call that did not succeed. The message is shown to users: it never holds a secret."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
