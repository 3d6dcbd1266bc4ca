"""Official SDKs built on `requests` (plivo, vobiz-python), driven against a fake provider server.

The SDK builds every request exactly as it would for the provider's host; `to_fake` mounts a
transport adapter on its session that sends it to the fake instead, with the same method, path
(still encoded as the SDK encoded it), query, headers and body. What the fake records can then be
compared with what Switchboard sent it (`wire`).
"""

from typing import Any
from urllib.parse import urlsplit

import requests
from fakes.base import Recorded
from requests.adapters import HTTPAdapter


class _ToFake(HTTPAdapter):
    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url)
        request.url = self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, **kwargs)


def to_fake(session: requests.Session, base: str) -> None:
    """Send every https request of `session` to the fake at `base` (and ignore proxy settings)."""
    session.trust_env = False
    session.mount("https://", _ToFake(base))


def wire(request: Recorded, headers: tuple[str, ...]) -> tuple:
    """What a provider sees of a request: method, path, query, JSON body, and the named headers
    (plus the content type when there is a body)."""
    named = {name: request.headers.get(name) for name in headers}
    if request.body:
        named["content-type"] = request.headers.get("content-type", "").split(";")[0]
    return request.method, request.path, request.query, request.json, named
