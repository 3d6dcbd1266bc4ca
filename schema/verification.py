"""Results of talking to a provider: credential checks and inbound-webhook syncs."""

from datetime import datetime
from enum import Enum

import strawberry
from switchboard.db import models
from switchboard.resolvers.provider_calls import SyncReport, VerificationReport


@strawberry.enum
class CredentialVerificationStatus(Enum):
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"
    UNREACHABLE = "UNREACHABLE"
    UNSUPPORTED = "UNSUPPORTED"


@strawberry.type
class CredentialVerification:
    status: CredentialVerificationStatus
    message: str | None
    checked_at: datetime

    @classmethod
    def of_report(cls, report: VerificationReport | None) -> "CredentialVerification | None":
        if report is None:
            return None
        return cls(status=CredentialVerificationStatus(report.status), message=report.message, checked_at=report.checked_at)

    @classmethod
    def of(cls, row: models.TelephonyConfig) -> "CredentialVerification | None":
        if row.verification_status is None or row.verification_checked_at is None:
            return None
        return cls(
            status=CredentialVerificationStatus(row.verification_status),
            message=row.verification_message,
            checked_at=row.verification_checked_at,
        )


@strawberry.enum
class ProviderSyncAction(Enum):
    ATTACH = "ATTACH"
    DETACH = "DETACH"
    MANUAL_STEP = strawberry.enum_value(
        "MANUAL_STEP",
        description="The provider has no API to route a number's inbound calls (Exotel, ARI): "
        "the message is the console step to take, to route them or to undo that.",
    )


@strawberry.type(
    description="Result of pushing a phone number's inbound binding to the provider.\n"
    "ok = false is a warning: the database write still happened."
)
class ProviderSyncStatus:
    ok: bool
    action: ProviderSyncAction
    message: str | None
    at: datetime

    @classmethod
    def of_report(cls, report: SyncReport | None) -> "ProviderSyncStatus | None":
        if report is None:
            return None
        return cls(ok=report.ok, action=ProviderSyncAction(report.action.value), message=report.message, at=report.at)

    @classmethod
    def of(cls, row: models.PhoneNumber) -> "ProviderSyncStatus | None":
        if row.sync_ok is None or row.sync_action is None or row.sync_at is None:
            return None
        return cls(ok=row.sync_ok, action=ProviderSyncAction(row.sync_action), message=row.sync_message, at=row.sync_at)
