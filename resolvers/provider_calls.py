"""Calls to providers on behalf of mutations: credential checks and inbound-webhook syncs.

They run after the database write has committed, are never rolled back by a provider failure,
and their outcome is stored on the row (lastVerification, lastProviderSync) and reported.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from switchboard.db.changes import Change, ChangeKind, collect
from switchboard.db.models import PhoneNumber, TelephonyConfig
from switchboard.db.replaced_routings import forget_replaced_routing, keep_replaced_routing, replaced_routing
from switchboard.db.telephony import hold_verified_keys
from switchboard.db.types import utcnow
from switchboard.providers.base import InboundNumber, ProviderPlugin
from switchboard.providers.errors import FailureKind, ProviderError
from switchboard.providers.http import ProviderOperation
from switchboard.providers.registry import get_provider

from . import audit
from .context import RequestContext
from .rules.sync import SyncAction
from .rules.warnings import public_base_url_usable

VERIFIED, REJECTED, UNREACHABLE, UNSUPPORTED = "VERIFIED", "REJECTED", "UNREACHABLE", "UNSUPPORTED"


@dataclass(frozen=True, slots=True)
class VerificationReport:
    status: str
    message: str | None
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class SyncReport:
    ok: bool
    action: SyncAction
    message: str | None
    at: datetime
    # What a successful attach replaced at the provider, which the detach puts back.
    replaced: Mapping[str, Any] | None = None

    def as_event(self) -> dict:
        """The outcome as an audit event stores it."""
        return {"ok": self.ok, "action": self.action.value, "message": self.message}


def plain_credentials(ctx: RequestContext, config: TelephonyConfig, plugin: ProviderPlugin) -> dict[str, str]:
    """The configuration's credentials, decrypted."""
    return ctx.services.secrets.unseal(config.credentials, plugin.secret_field_names)


def _verification_status(error: ProviderError) -> str:
    if error.kind in (FailureKind.REJECTED, FailureKind.NOT_FOUND):
        return REJECTED
    if error.kind is FailureKind.UNSUPPORTED:
        return UNSUPPORTED
    return UNREACHABLE


async def verify_credentials(ctx: RequestContext, config: TelephonyConfig, *, audited: bool = False) -> VerificationReport:
    """Check the stored credentials with the provider and store the outcome on the configuration;
    `audited`: the check is the mutation itself (verifyTelephonyConfig), which gets an event."""
    plugin = get_provider(config.provider)
    http = ctx.services.provider_http
    try:
        with http.budget(plugin.key, ProviderOperation.VERIFY):
            message = await plugin.verify_credentials(http, plain_credentials(ctx, config, plugin))
        status = VERIFIED
    except ProviderError as exc:
        status, message = _verification_status(exc), exc.message
    if status == VERIFIED and not config.account_verified:
        message = await _hold_verified_keys(ctx, config, message)
    report = VerificationReport(status=status, message=message, checked_at=utcnow())
    async with ctx.db.write() as session:
        await session.execute(
            update(TelephonyConfig)
            .where(TelephonyConfig.id == config.id)
            .values(verification_status=status, verification_message=message, verification_checked_at=report.checked_at)
        )
        collect(session, Change("TelephonyConfig", config.organization_id, config.id, ChangeKind.UPDATED))
        if audited:
            await audit.record(
                session,
                ctx,
                "verifyTelephonyConfig",
                "TelephonyConfig",
                config.id,
                before={"verificationStatus": config.verification_status, "verificationMessage": config.verification_message},
                after={"verificationStatus": status, "verificationMessage": message},
            )
    config.verification_status, config.verification_message = status, message
    config.verification_checked_at = report.checked_at
    return report


async def _hold_verified_keys(ctx: RequestContext, config: TelephonyConfig, message: str) -> str:
    """The credentials proved the account: the configuration's numbers hold their routing keys
    against unverified holders (SPEC §14). Two configurations of one account verifying at once
    may meet at the unique index: the second try sees the other's numbers."""
    for attempt in (1, 2):
        try:
            async with ctx.db.write() as session:
                shadowed = await hold_verified_keys(session, config.id)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    config.account_verified = True
    if shadowed:
        message += (
            f" {shadowed} of its numbers {'is' if shadowed == 1 else 'are'} registered for this account by another "
            "verified configuration, which keeps receiving their calls."
        )
    return message


async def push_binding(ctx: RequestContext, config: TelephonyConfig, number: PhoneNumber, action: SyncAction) -> SyncReport:
    """Attach or detach the number at the provider; the outcome is returned, not stored."""
    plugin = get_provider(config.provider)
    base_url = ctx.services.public_base_url
    if not public_base_url_usable(base_url):
        if action is SyncAction.DETACH:
            # Without a public URL nothing of Switchboard's can have been attached.
            return SyncReport(
                ok=True,
                action=action,
                message=f"Nothing to detach: without SWITCHBOARD_PUBLIC_BASE_URL nothing was attached at {plugin.display_name}.",
                at=utcnow(),
            )
        return SyncReport(
            ok=False,
            action=action,
            message="SWITCHBOARD_PUBLIC_BASE_URL is not set to an https URL, so Switchboard cannot tell "
            f"{plugin.display_name} where to send inbound calls.",
            at=utcnow(),
        )
    target = InboundNumber(address=number.address_normalized, address_type=number.address_type)
    url = ctx.services.inbound_url(plugin, config.id, config.account_id)
    if not plugin.supports_inbound_sync:
        # The routing is a console step: nothing is called, so nothing failed. Detaching reports
        # MANUAL_STEP too (what to undo), never DETACH, since Switchboard detached nothing.
        message = plugin.manual_inbound_step(target, url, attach=action is SyncAction.ATTACH)
        return SyncReport(ok=True, action=SyncAction.MANUAL_STEP, message=message, at=utcnow())
    http = ctx.services.provider_http
    try:
        with http.budget(plugin.key, ProviderOperation.ATTACH if action is SyncAction.ATTACH else ProviderOperation.DETACH):
            credentials = plain_credentials(ctx, config, plugin)
            if action is SyncAction.ATTACH:
                attached = await plugin.attach_inbound(http, credentials, target, url)
                return SyncReport(ok=True, action=action, message=attached.message, at=utcnow(), replaced=attached.replaced)
            async with ctx.db.read() as session:
                replaced = await replaced_routing(session, number.id)
            message = await plugin.detach_inbound(http, credentials, target, url, replaced)
        return SyncReport(ok=True, action=action, message=message, at=utcnow())
    except ProviderError as exc:
        return SyncReport(ok=False, action=action, message=exc.message, at=utcnow())


async def record_sync(ctx: RequestContext, number: PhoneNumber, report: SyncReport) -> None:
    """Store the outcome on the number, and on the audit event of the change that caused it; keep
    what a successful attach replaced (a later attach that replaced nothing keeps the earlier
    one: it had found Switchboard there), and forget it once a detach has put it back."""
    values = {"sync_ok": report.ok, "sync_action": report.action.value, "sync_message": report.message, "sync_at": report.at}
    if report.ok and report.action is SyncAction.ATTACH:
        values["in_account"] = number.in_account = True  # the provider found the number in the account
    async with ctx.db.write() as session:
        await session.execute(update(PhoneNumber).where(PhoneNumber.id == number.id).values(values))
        if report.ok and report.replaced is not None:
            await keep_replaced_routing(session, number.id, dict(report.replaced))
        elif report.ok and report.action is SyncAction.DETACH:
            await forget_replaced_routing(session, number.id)
        await audit.join_provider_sync(session, ctx, "PhoneNumber", number.id, report.as_event())
        collect(session, Change("PhoneNumber", number.organization_id, number.id, ChangeKind.UPDATED))
    number.sync_ok, number.sync_action = report.ok, report.action.value
    number.sync_message, number.sync_at = report.message, report.at


async def sync_number(ctx: RequestContext, number: PhoneNumber, action: SyncAction | None) -> SyncReport | None:
    """Push the binding change of a committed write and remember the outcome on the number."""
    if action is None:
        return None
    config = await ctx.loaders.telephony_config_by_id.load(number.telephony_config_id)
    report = await push_binding(ctx, config, number, action)
    await record_sync(ctx, number, report)
    return report
