"""The front door (SPEC §11): route a provider's call webhook, verify it, decide, record, answer.

No GraphQL and no HTTP here: the server turns the request into a `WebhookRequest`, and each
provider's plugin parses, verifies and renders. What happens before a number is matched (an
unparseable request, an unknown number or account) is logged and counted, never stored; a failed
signature on a matched number only increments that number's counter for the hour.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from switchboard.db.errors import is_foreign_key_violation
from switchboard.db.inbound_calls import (
    calls_by_provider_id,
    count_rejection,
    end_call,
    record_call,
    recorded_call,
    route,
)
from switchboard.db.types import utcnow
from switchboard.providers.base import ProviderPlugin
from switchboard.providers.inbound import (
    EMPTY_ANSWER,
    CallEndedWebhook,
    InboundCallWebhook,
    MalformedWebhook,
    StreamTarget,
    WebhookAnswer,
    WebhookRequest,
)

from .context import AppServices
from .ids import to_global_id
from .rules.addresses import InvalidAddress, InvalidCountryCode, normalize_address
from .rules.inbound import (
    REJECTION_COUNTER_RETENTION,
    CallStatus,
    RejectReason,
    decide,
    hour_of,
    in_progress_since,
    webhook_field_problem,
)
from .rules.sync import inbound_token_purpose

log = logging.getLogger("switchboard.front_door")


def bad_request(message: str) -> WebhookAnswer:
    return WebhookAnswer(message.encode(), "text/plain", 400)


@dataclass(frozen=True, slots=True)
class Route:
    """The matched number of a call, as `db.inbound_calls.route` reads it."""

    number_id: int
    organization_id: int
    config_id: int
    is_active: bool
    workflow_id: int | None
    stored_credentials: Mapping[str, str]
    max_concurrent_calls: int | None
    agent_stream_url: str | None
    calls_in_progress: int


class FrontDoor:
    """One per process, over the process's services."""

    def __init__(self, services: AppServices) -> None:
        self.services = services

    def _unmatched(self, plugin: ProviderPlugin, outcome: str, detail: str) -> None:
        log.info("front door: %s webhook not routed (%s): %s", plugin.key, outcome, detail)

    def credentials(self, plugin: ProviderPlugin, stored: Mapping[str, str]) -> dict[str, str]:
        return self.services.secrets.unseal(stored, plugin.secret_field_names)

    def signature_failure(
        self, plugin: ProviderPlugin, request: WebhookRequest, config_id: int, credentials: Mapping[str, str]
    ) -> RejectReason | None:
        """Why the request is not authentic for this configuration, or None when it is."""
        if plugin.token_in_inbound_url:
            token = request.query_param("token")
            valid = self.services.secrets.derived_matches(inbound_token_purpose(config_id), token)
            return None if valid else RejectReason.SIGNATURE_INVALID
        secret_field = plugin.webhook_secret_field
        if secret_field is not None and not credentials.get(secret_field):
            return RejectReason.SIGNATURE_SECRET_MISSING
        return None if plugin.signature_valid(request, credentials) else RejectReason.SIGNATURE_INVALID

    # --- the call webhook

    async def inbound(self, plugin: ProviderPlugin, request: WebhookRequest) -> WebhookAnswer:
        return await self._dispatch(plugin, request, plugin.parse_inbound, "call webhook")

    async def status(self, plugin: ProviderPlugin, request: WebhookRequest) -> WebhookAnswer:
        """A call-status callback (some providers also send these to the inbound URL)."""
        return await self._dispatch(plugin, request, plugin.parse_status, "status callback")

    async def _dispatch(
        self,
        plugin: ProviderPlugin,
        request: WebhookRequest,
        parse: Callable[[WebhookRequest], InboundCallWebhook | CallEndedWebhook | None],
        what: str,
    ) -> WebhookAnswer:
        try:
            webhook = parse(request)
            problem = webhook and webhook_field_problem(_fields_of(webhook))
            if problem:
                raise MalformedWebhook(problem)
        except MalformedWebhook as exc:
            self._unmatched(plugin, "malformed", str(exc))
            return bad_request(f"Not a {plugin.display_name} {what}: {exc}.")
        if webhook is None:
            return EMPTY_ANSWER
        if isinstance(webhook, CallEndedWebhook):
            return await self.ended(plugin, request, webhook)
        return await self.call(plugin, request, webhook)

    async def call(self, plugin: ProviderPlugin, request: WebhookRequest, webhook: InboundCallWebhook) -> WebhookAnswer:
        now = utcnow()
        address = _routing_address(webhook)
        row = None
        if address is not None:
            row = await route(
                self.services.db, plugin.key, webhook.account_id, address, in_progress_since(now, self.services.call_max_seconds)
            )
        if row is None:
            self._unmatched(plugin, "unknown number", f"{webhook.called!r} of account {webhook.account_id!r}")
            return plugin.reject_answer()
        matched = Route(*row)
        credentials = self.credentials(plugin, matched.stored_credentials)
        failure = self.signature_failure(plugin, request, matched.config_id, credentials)
        if failure is not None:
            log.warning("front door: %s webhook for number %s refused: %s", plugin.key, matched.number_id, failure)
            async with self.services.db.write() as session:
                hour = hour_of(now)
                await count_rejection(
                    session, matched.organization_id, matched.number_id, hour, failure.value, hour - REJECTION_COUNTER_RETENTION
                )
            return plugin.reject_answer()

        reason = decide(
            is_active=matched.is_active,
            workflow_id=matched.workflow_id,
            agent_stream_url=matched.agent_stream_url,
            max_concurrent_calls=matched.max_concurrent_calls,
            calls_in_progress=matched.calls_in_progress,
        )
        call_id, status = await self._record(plugin, webhook, matched, reason, now)
        target = None
        if status != CallStatus.REJECTED and matched.agent_stream_url and matched.workflow_id is not None:
            target = StreamTarget(
                url=matched.agent_stream_url,
                call_id=to_global_id("InboundCall", call_id),
                workflow_id=to_global_id("Workflow", matched.workflow_id),
                calling=webhook.calling,
                called=webhook.called,
            )
        await plugin.complete_answer(self.services.provider_http, credentials, webhook, target)
        return plugin.stream_answer(target) if target is not None else plugin.reject_answer()

    async def _record(
        self, plugin: ProviderPlugin, webhook: InboundCallWebhook, matched: Route, reason: RejectReason | None, now: datetime
    ) -> tuple[int, str]:
        """The call's id and status: recorded now, or as first recorded when the provider
        delivers the same call again (it gets the same answer)."""
        status = CallStatus.REJECTED if reason is not None else CallStatus.CONNECTED
        values = {
            "organization_id": matched.organization_id,
            "telephony_config_id": matched.config_id,
            "phone_number_id": matched.number_id,
            "workflow_id": matched.workflow_id,
            "provider": plugin.key,
            "provider_call_id": webhook.call_id,
            "from_address": webhook.calling,
            "to_address": webhook.called,
            "status": status.value,
            "reject_reason": reason.value if reason is not None else None,
            "started_at": now,
        }
        db = self.services.db
        gone = 0, CallStatus.REJECTED.value  # the number was deleted since the route: nothing to connect to
        try:
            call_id = await record_call(db, values)
        except IntegrityError as exc:
            if not is_foreign_key_violation(exc):
                raise
            return gone
        if call_id is not None:
            return call_id, status.value
        return await recorded_call(db, matched.number_id, webhook.call_id) or gone

    # --- the end of a call

    async def ended(self, plugin: ProviderPlugin, request: WebhookRequest, webhook: CallEndedWebhook) -> WebhookAnswer:
        """End the recorded call the callback is about, when its signature holds. The answer is
        the same whatever happened, so it tells nothing about other tenants' calls."""
        for call_id, status, account_id, config_id, stored in await calls_by_provider_id(
            self.services.db, plugin.key, webhook.call_id
        ):
            if webhook.account_id is not None and webhook.account_id != account_id:
                continue
            if self.signature_failure(plugin, request, config_id, self.credentials(plugin, stored)) is not None:
                continue
            if status == CallStatus.CONNECTED:
                async with self.services.db.write() as session:
                    await end_call(session, call_id, utcnow())
            return EMPTY_ANSWER
        self._unmatched(plugin, "unknown call", f"status callback for {webhook.call_id!r}")
        return EMPTY_ANSWER


def _fields_of(webhook: InboundCallWebhook | CallEndedWebhook) -> dict[str, str | None]:
    fields = {"call id": webhook.call_id, "account id": webhook.account_id}
    if isinstance(webhook, InboundCallWebhook):
        fields |= {"called number": webhook.called, "calling number": webhook.calling}
    return fields


def _routing_address(webhook: InboundCallWebhook) -> str | None:
    """The called number as the routing key stores it, or None when it cannot be a number of ours."""
    try:
        return normalize_address(webhook.called, webhook.called_country).normalized
    except (InvalidAddress, InvalidCountryCode):
        return None
