"""HTTP routes of the front door: ``/telephony/{provider}/inbound`` and ``/telephony/{provider}/status``.

No API key: each request is authenticated by its provider's signature (resolvers/front_door.py).
This module only turns HTTP into a `WebhookRequest` and the answer back into HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from switchboard.providers.base import ProviderPlugin
from switchboard.providers.inbound import WebhookRequest
from switchboard.resolvers.front_door import FrontDoor, WebhookOutcome

# Call webhooks are a few kilobytes; anything much larger is not one.
MAX_WEBHOOK_BYTES = 64 * 1024
# A form body with more fields than this is not a call webhook (Twilio sends about 20).
MAX_FORM_FIELDS = 200
FORM = "application/x-www-form-urlencoded"


class FrontDoorEndpoint:
    def __init__(self, front_door: FrontDoor, providers: Mapping[str, ProviderPlugin], public_base_url: str | None) -> None:
        self.front_door = front_door
        self.providers = {key: plugin for key, plugin in providers.items() if plugin.supports_inbound_dispatch}
        self.public_base_url = public_base_url

    def routes(self) -> list[Route]:
        return [
            Route("/telephony/{provider}/inbound", self.inbound, methods=["GET", "POST"]),
            Route("/telephony/{provider}/status", self.status, methods=["GET", "POST"]),
        ]

    async def inbound(self, request: Request) -> Response:
        return await self._handle(request, "inbound")

    async def status(self, request: Request) -> Response:
        return await self._handle(request, "status")

    async def _handle(self, request: Request, kind: str) -> Response:
        plugin = self.providers.get(request.path_params["provider"])
        if plugin is None:
            return PlainTextResponse("No inbound front door for this provider.", 404)
        observe = self.front_door.services.observe_webhook
        if self.public_base_url is None:
            # The signed URL is rebuilt from the public base URL, never from the client's Host.
            observe(plugin.key, WebhookOutcome.NOT_CONFIGURED)
            return PlainTextResponse("Inbound calls need SWITCHBOARD_PUBLIC_BASE_URL to be set.", 503)
        body = await request.body()
        if len(body) > MAX_WEBHOOK_BYTES:
            observe(plugin.key, WebhookOutcome.TOO_LARGE)
            return PlainTextResponse(f"A webhook body is at most {MAX_WEBHOOK_BYTES} bytes.", 413)
        webhook = _webhook_request(request, body, f"{self.public_base_url}/telephony/{plugin.key}/{kind}")
        if webhook is None:
            observe(plugin.key, WebhookOutcome.BAD_FORM)
            return PlainTextResponse("The form body is not valid form-encoded UTF-8.", 400)
        handle = self.front_door.inbound if kind == "inbound" else self.front_door.status
        answer = await handle(plugin, webhook)
        return Response(answer.body, status_code=answer.status_code, media_type=answer.media_type)


def _webhook_request(request: Request, body: bytes, signed_path: str) -> WebhookRequest | None:
    """The request as the provider signed it, or None when its form body does not parse."""
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in request.scope["headers"]}
    query = request.scope["query_string"].decode("latin-1")
    form: tuple[tuple[str, str], ...] = ()
    if headers.get("content-type", "").split(";", 1)[0].strip().lower() == FORM:
        try:
            form = tuple(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict"))
        except (UnicodeDecodeError, ValueError):
            return None
    return WebhookRequest(
        method=request.method,
        url=f"{signed_path}?{query}" if query else signed_path,
        headers=headers,
        body=body,
        form=form,
        received_at=time.time(),
    )
