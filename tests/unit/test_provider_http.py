"""The provider HTTP client's rules that need no server: waits and failure classification."""

import email.utils
import time

import httpx
import pytest
from switchboard.providers.errors import FailureKind
from switchboard.providers.http import _classify, _retry_after_seconds


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (429, {"Retry-After": "3"}, 3.0),
        (503, {"Retry-After": "0"}, 0.0),
        (429, {"x-ratelimit-reset": "7"}, 7.0),
        (503, {"x-ratelimit-reset": "7"}, None),
        (429, {}, None),
        (429, {"Retry-After": "soon"}, None),
    ],
)
def test_retry_after(status, headers, expected):
    assert _retry_after_seconds(response(status, **headers)) == expected


def test_retry_after_as_http_date():
    in_two_seconds = email.utils.formatdate(time.time() + 2, usegmt=True)
    assert 0.5 < _retry_after_seconds(response(429, **{"Retry-After": in_two_seconds})) <= 2.0


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [
        (401, FailureKind.REJECTED, "Twilio rejected the credentials (HTTP 401)."),
        (403, FailureKind.REJECTED, "Twilio rejected the credentials (HTTP 403)."),
        (404, FailureKind.NOT_FOUND, "Twilio does not know the requested resource (HTTP 404)."),
        (429, FailureKind.RATE_LIMITED, "Twilio is rate-limiting requests (HTTP 429); try again shortly."),
        (502, FailureKind.UNREACHABLE, "Twilio had an error of its own (HTTP 502); try again later."),
        (422, FailureKind.REFUSED, "Twilio refused the request (HTTP 422)."),
        (
            302,
            FailureKind.BAD_RESPONSE,
            "Twilio answered with a redirect (HTTP 302), which Switchboard does not follow; "
            "if the address has moved, enter the one it redirects to.",
        ),
    ],
)
def test_classification_by_status(status, kind, message):
    error = _classify("Twilio", status)
    assert (error.kind, error.message) == (kind, message)
