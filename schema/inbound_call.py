"""The call log's types (SPEC §12): InboundCall and the simulation of a call."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from switchboard.db import models
from switchboard.resolvers import inbound_calls
from switchboard.resolvers.rules import inbound

from .built import related_once
from .errors import UserError, user_errors
from .info import Info
from .node import Node
from .providers import TelephonyProvider
from .telephony_config import TelephonyConfig
from .workflow import Workflow

if TYPE_CHECKING:
    from .phone_number import PhoneNumber

PhoneNumberType = Annotated["PhoneNumber", strawberry.lazy("switchboard.schema.phone_number")]

InboundCallStatus = strawberry.enum(inbound.CallStatus, name="InboundCallStatus")
InboundCallRejectReason = strawberry.enum(inbound.RejectReason, name="InboundCallRejectReason")


@strawberry.type(description="A call the front door answered for one of the organization's numbers.")
class InboundCall(Node):
    database_id: int
    provider: TelephonyProvider
    provider_call_id: str = strawberry.field(description="The provider's id of the call (CallSid, CallUUID, ...).")
    from_: str = strawberry.field(name="from", description="The calling number, as the provider sent it.")
    to: str = strawberry.field(description="The called number, as the provider sent it.")
    status: InboundCallStatus
    reject_reason: InboundCallRejectReason | None = strawberry.field(description="Why the call was rejected.")
    started_at: datetime
    ended_at: datetime | None
    row: strawberry.Private[models.InboundCall]

    @classmethod
    def of(cls, row: models.InboundCall) -> InboundCall:
        return cls(
            database_id=row.id,
            provider=TelephonyProvider(row.provider),
            provider_call_id=row.provider_call_id,
            from_=row.from_address,
            to=row.to_address,
            status=inbound.CallStatus(row.status),
            reject_reason=inbound.RejectReason(row.reject_reason) if row.reject_reason else None,
            started_at=row.started_at,
            ended_at=row.ended_at,
            row=row,
        )

    @strawberry.field(description="Seconds from the start to the end of the call; null until it ends.")
    def duration_seconds(self) -> int | None:
        return inbound_calls.duration_seconds(self.started_at, self.ended_at)

    @strawberry.field(description="Null when the number has been deleted since.")
    def phone_number(self, info: Info) -> PhoneNumberType | None:
        from .phone_number import PhoneNumber

        number_id = self.row.phone_number_id
        return None if number_id is None else related_once(info, PhoneNumber, info.context.loaders.phone_number_by_id, number_id)

    @strawberry.field(description="Null when the configuration has been deleted since.")
    def telephony_config(self, info: Info) -> TelephonyConfig | None:
        config_id = self.row.telephony_config_id
        return None if config_id is None else related_once(info, TelephonyConfig, info.context.loaders.telephony_config_by_id, config_id)

    @strawberry.field(description="The workflow the number was bound to when the call came in.")
    def workflow(self, info: Info) -> Workflow | None:
        workflow_id = self.row.workflow_id
        return None if workflow_id is None else related_once(info, Workflow, info.context.loaders.workflow_by_id, workflow_id)


@strawberry.type(description="An HTTP answer to a provider's webhook.")
class ProviderAnswer:
    status_code: int
    content_type: str
    body: str


@strawberry.type(description="What the front door would do with a call to the number now.")
class InboundCallSimulation:
    accepted: bool
    reject_reason: InboundCallRejectReason | None
    agent_stream_url: str | None = strawberry.field(description="Where the call's media would stream.")
    provider_answer: ProviderAnswer = strawberry.field(
        description="Exactly what the provider would receive (the callId parameter of an accepted call is 'simulated')."
    )
    workflow_id: strawberry.Private[int | None]

    @strawberry.field
    def workflow(self, info: Info) -> Workflow | None:
        if self.workflow_id is None:
            return None
        return related_once(info, Workflow, info.context.loaders.workflow_by_id, self.workflow_id)


@strawberry.type
class SimulateInboundCallPayload:
    simulation: InboundCallSimulation | None
    errors: list[UserError]

    @classmethod
    def of(cls, result: inbound_calls.SimulationResult) -> SimulateInboundCallPayload:
        found = result.simulation
        simulation = None
        if found is not None:
            simulation = InboundCallSimulation(
                accepted=found.accepted,
                reject_reason=found.reject_reason,
                agent_stream_url=found.agent_stream_url,
                provider_answer=ProviderAnswer(
                    status_code=found.answer.status_code,
                    content_type=found.answer.media_type,
                    body=found.answer.body.decode(),
                ),
                workflow_id=found.workflow_id,
            )
        return cls(simulation=simulation, errors=user_errors(result.errors))


@strawberry.input
class SimulateInboundCallInput:
    phone_number_id: strawberry.ID
    from_: str = strawberry.field(name="from", description="The calling number to simulate, such as +14155550123.")
