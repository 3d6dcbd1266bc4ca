"""Warning types and the aggregated `telephonyConfigWarnings`."""

from collections import Counter

import strawberry
from switchboard.resolvers import warnings
from switchboard.resolvers.ids import page_size
from switchboard.resolvers.rules import warnings as rules

from .built import related_once
from .info import Info
from .phone_number import PhoneNumber
from .telephony_config import TelephonyConfig

WarningSeverity = strawberry.enum(rules.Severity, name="WarningSeverity")
TelephonyWarningCode = strawberry.enum(rules.WarningCode, name="TelephonyWarningCode")


@strawberry.type
class TelephonyWarning:
    code: TelephonyWarningCode
    severity: WarningSeverity
    message: str
    warning: strawberry.Private[rules.Warning]

    @classmethod
    def of(cls, warning: rules.Warning) -> "TelephonyWarning":
        return cls(code=warning.code, severity=warning.severity, message=warning.message, warning=warning)

    # Plain functions: the rows are usually in the loaders' cache already (the warnings were
    # computed from them), and then these answer without an await.
    @strawberry.field
    def telephony_config(self, info: Info) -> TelephonyConfig | None:
        if self.warning.config_id is None:
            return None
        return related_once(info, TelephonyConfig, info.context.loaders.telephony_config_by_id, self.warning.config_id)

    @strawberry.field
    def phone_number(self, info: Info) -> PhoneNumber | None:
        if self.warning.number_id is None:
            return None
        return related_once(info, PhoneNumber, info.context.loaders.phone_number_by_id, self.warning.number_id)


@strawberry.type
class TelephonyWarningCount:
    code: TelephonyWarningCode
    severity: WarningSeverity
    count: int


@strawberry.type
class TelephonyConfigWarnings:
    all: strawberry.Private[list[rules.Warning]]

    @strawberry.field
    def total_count(self) -> int:
        return len(self.all)

    @strawberry.field(description="One entry per code that occurs, most severe first.")
    def counts(self) -> list[TelephonyWarningCount]:
        tally = Counter(w.code for w in self.all)
        ordered = dict.fromkeys(w.code for w in self.all)  # already most severe first
        return [TelephonyWarningCount(code=c, severity=rules.SEVERITY[c], count=tally[c]) for c in ordered]

    @strawberry.field(description="Number of configurations with at least one warning.")
    def affected_config_count(self) -> int:
        return len({w.config_id for w in self.all if w.config_id is not None})

    @strawberry.field
    def items(self, first: int | None = None, code: TelephonyWarningCode | None = None) -> list[TelephonyWarning]:
        chosen = [w for w in self.all if code is None or w.code == code]
        return [TelephonyWarning.of(w) for w in chosen[: page_size(first)]]


@strawberry.type
class WarningQueries:
    @strawberry.field(description="Aggregated warnings over all telephony configurations of the organization.")
    async def telephony_config_warnings(self, info: Info) -> TelephonyConfigWarnings:
        return TelephonyConfigWarnings(all=await warnings.warnings_of_organization(info.context))
