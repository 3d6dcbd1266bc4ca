"""Warning rules (SPEC §6): plain functions from facts about a configuration to warnings."""

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Severity(IntEnum):
    """Ordered so that sorting by descending value puts the most severe first."""

    INFO = 1
    WARNING = 2
    ERROR = 3


class WarningCode(StrEnum):
    NO_DEFAULT_OUTBOUND_CONFIG = "NO_DEFAULT_OUTBOUND_CONFIG"
    NO_ACTIVE_PHONE_NUMBERS = "NO_ACTIVE_PHONE_NUMBERS"
    NO_DEFAULT_CALLER_ID = "NO_DEFAULT_CALLER_ID"
    DEFAULT_CALLER_ID_INACTIVE = "DEFAULT_CALLER_ID_INACTIVE"
    MISSING_WEBHOOK_VERIFICATION_SECRET = "MISSING_WEBHOOK_VERIFICATION_SECRET"
    PROVIDER_SYNC_FAILED = "PROVIDER_SYNC_FAILED"
    CREDENTIALS_NOT_VERIFIED = "CREDENTIALS_NOT_VERIFIED"
    PUBLIC_BASE_URL_MISSING = "PUBLIC_BASE_URL_MISSING"
    CONCURRENCY_ABOVE_CALLER_IDS = "CONCURRENCY_ABOVE_CALLER_IDS"
    INBOUND_CALLS_REJECTED = "INBOUND_CALLS_REJECTED"
    WORKFLOW_WITHOUT_AGENT_URL = "WORKFLOW_WITHOUT_AGENT_URL"
    NUMBER_NOT_IN_ACCOUNT = "NUMBER_NOT_IN_ACCOUNT"


SEVERITY = {
    WarningCode.NO_DEFAULT_OUTBOUND_CONFIG: Severity.WARNING,
    WarningCode.NO_ACTIVE_PHONE_NUMBERS: Severity.WARNING,
    WarningCode.NO_DEFAULT_CALLER_ID: Severity.INFO,
    WarningCode.DEFAULT_CALLER_ID_INACTIVE: Severity.WARNING,
    WarningCode.MISSING_WEBHOOK_VERIFICATION_SECRET: Severity.WARNING,
    WarningCode.PROVIDER_SYNC_FAILED: Severity.ERROR,
    WarningCode.CREDENTIALS_NOT_VERIFIED: Severity.ERROR,
    WarningCode.PUBLIC_BASE_URL_MISSING: Severity.WARNING,
    WarningCode.CONCURRENCY_ABOVE_CALLER_IDS: Severity.INFO,
    WarningCode.INBOUND_CALLS_REJECTED: Severity.WARNING,
    WarningCode.WORKFLOW_WITHOUT_AGENT_URL: Severity.WARNING,
    WarningCode.NUMBER_NOT_IN_ACCOUNT: Severity.WARNING,
}

# Why a number's calls were rejected, completing "most often ...", and what to do about it.
REJECTION_ADVICE = {
    "NUMBER_INACTIVE": ("because the number is inactive", "Activate it or remove it at the provider."),
    "NO_WORKFLOW": ("because no workflow is bound to it", "Bind a workflow."),
    "NO_AGENT_URL": ("because its workflow has no agent stream URL", "Set the workflow's agentStreamUrl."),
    "CONCURRENCY_LIMIT": ("because maxConcurrentCalls was reached", "Raise maxConcurrentCalls."),
    "SIGNATURE_INVALID": (
        "because the webhook signature did not verify",
        "Check that the configuration's credentials are the account's current ones.",
    ),
    "SIGNATURE_SECRET_MISSING": (
        "because no webhook-verification secret is set",
        "Add the configuration's webhook-verification secret.",
    ),
}
_CODE_ORDER = {code: position for position, code in enumerate(WarningCode)}


@dataclass(frozen=True, slots=True)
class FailedSync:
    number_id: int
    address: str
    message: str | None


@dataclass(frozen=True, slots=True)
class FlaggedNumber:
    number_id: int
    address: str


@dataclass(frozen=True, slots=True)
class NumberRejections:
    """A number's rejected inbound calls of the last 24 hours, by reason."""

    number_id: int
    address: str
    counts: tuple[tuple[str, int], ...]  # (reason, count)

    @property
    def total(self) -> int:
        return sum(count for _reason, count in self.counts)

    @property
    def most_frequent(self) -> tuple[str, int]:
        """The most frequent reason (ties: the first reason in REJECTION_ADVICE's order)."""
        order = list(REJECTION_ADVICE)
        return max(self.counts, key=lambda item: (item[1], -order.index(item[0]) if item[0] in order else -len(order)))


@dataclass(frozen=True, slots=True)
class AgentlessWorkflow:
    """A workflow without an agent stream URL that active numbers of a configuration are bound to."""

    workflow_id: int
    name: str
    active_numbers: int


@dataclass(frozen=True, slots=True)
class ConfigFacts:
    """Everything the rules need to know about one configuration."""

    config_id: int
    name: str
    provider_name: str
    needs_caller_ids: bool
    webhook_secret_label: str | None  # label of the declared secret field when it is not set
    active_numbers: int
    has_default_caller_id: bool
    default_caller_id_active: bool
    bound_numbers: int
    max_concurrent_calls: int | None
    verification_status: str | None
    verification_message: str | None
    failed_syncs: tuple[FailedSync, ...] = ()
    rejections: tuple[NumberRejections, ...] = ()
    agentless_workflows: tuple[AgentlessWorkflow, ...] = ()
    not_in_account: tuple[FlaggedNumber, ...] = ()


@dataclass(frozen=True, slots=True)
class Warning:
    code: WarningCode
    message: str
    config_id: int | None = None
    number_id: int | None = None

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.code]


def public_base_url_usable(url: str | None) -> bool:
    return bool(url) and url.lower().startswith("https://")


def config_warnings(facts: ConfigFacts, *, public_base_url_ok: bool) -> list[Warning]:
    name, provider = facts.name, facts.provider_name
    found: list[Warning] = []

    def add(code: WarningCode, message: str, number_id: int | None = None) -> None:
        found.append(Warning(code, message, facts.config_id, number_id))

    detail = f" ({facts.verification_message.rstrip('.')})" if facts.verification_message else ""
    if facts.verification_status == "REJECTED":
        add(
            WarningCode.CREDENTIALS_NOT_VERIFIED,
            f"{provider} rejected the credentials of {name}{detail}. Update them and verify again.",
        )
    elif facts.verification_status == "UNREACHABLE":
        add(
            WarningCode.CREDENTIALS_NOT_VERIFIED,
            f"{provider} could not be reached to check the credentials of {name}{detail}. Verify again.",
        )
    for failed in facts.failed_syncs:
        detail = f": {failed.message.rstrip('.')}" if failed.message else ""
        add(
            WarningCode.PROVIDER_SYNC_FAILED,
            f"The inbound webhook of {failed.address} in {name} could not be updated at {provider}{detail}. "
            "Resync the number.",
            failed.number_id,
        )
    if facts.needs_caller_ids and facts.active_numbers == 0:
        add(
            WarningCode.NO_ACTIVE_PHONE_NUMBERS,
            f"{name} has no active phone number, so it cannot place outbound calls. Add one.",
        )
    if facts.has_default_caller_id and not facts.default_caller_id_active:
        add(
            WarningCode.DEFAULT_CALLER_ID_INACTIVE,
            f"The default caller ID of {name} is inactive. Activate it or choose another default.",
        )
    elif not facts.has_default_caller_id and facts.active_numbers > 0:
        add(WarningCode.NO_DEFAULT_CALLER_ID, f"{name} has active numbers but no default caller ID. Choose one.")
    if facts.webhook_secret_label is not None:
        add(
            WarningCode.MISSING_WEBHOOK_VERIFICATION_SECRET,
            f"{name} has no {provider} {facts.webhook_secret_label}, so inbound webhooks cannot be verified. Add it.",
        )
    if facts.bound_numbers > 0 and not public_base_url_ok:
        add(
            WarningCode.PUBLIC_BASE_URL_MISSING,
            f"{name} has numbers bound to workflows but SWITCHBOARD_PUBLIC_BASE_URL is not set to an https URL, "
            "so inbound webhooks cannot be synced. Set it.",
        )
    if (
        facts.needs_caller_ids
        and facts.max_concurrent_calls is not None
        and facts.max_concurrent_calls > facts.active_numbers
    ):
        add(
            WarningCode.CONCURRENCY_ABOVE_CALLER_IDS,
            f"{name} allows {facts.max_concurrent_calls} concurrent calls but has only {facts.active_numbers} "
            f"active caller {'ID' if facts.active_numbers == 1 else 'IDs'}. Add numbers or lower maxConcurrentCalls.",
        )
    for workflow in facts.agentless_workflows:
        numbers = "1 active number" if workflow.active_numbers == 1 else f"{workflow.active_numbers} active numbers"
        add(
            WarningCode.WORKFLOW_WITHOUT_AGENT_URL,
            f"{numbers} of {name} {'is' if workflow.active_numbers == 1 else 'are'} bound to the workflow "
            f"'{workflow.name}', which has no agent stream URL, so their calls are rejected. Set its agentStreamUrl.",
        )
    for rejected in facts.rejections:
        reason, count = rejected.most_frequent
        why, advice = REJECTION_ADVICE.get(reason, (f"({reason})", ""))
        calls = "1 inbound call" if rejected.total == 1 else f"{rejected.total} inbound calls"
        add(
            WarningCode.INBOUND_CALLS_REJECTED,
            f"{rejected.address} in {name} rejected {calls} in the last 24 hours, most often {why} ({count}). {advice}".rstrip(),
            rejected.number_id,
        )
    for missing in facts.not_in_account:
        add(
            WarningCode.NUMBER_NOT_IN_ACCOUNT,
            f"{missing.address} in {name} was not in the {provider} account's number list at the last check, so "
            f"{provider} will not route its calls. Add it to the account, or check the configuration's credentials.",
            missing.number_id,
        )
    return found


def organization_warnings(*, config_count: int, has_default_outbound: bool) -> list[Warning]:
    if config_count and not has_default_outbound:
        return [
            Warning(
                WarningCode.NO_DEFAULT_OUTBOUND_CONFIG,
                "No telephony configuration is the default for outbound calls. Choose one.",
            )
        ]
    return []


def most_severe_first(warnings: list[Warning]) -> list[Warning]:
    return sorted(warnings, key=lambda w: (-w.severity, _CODE_ORDER[w.code]))
