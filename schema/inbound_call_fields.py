"""Call-log root fields: `inboundCalls` and `simulateInboundCall`."""

from datetime import datetime

import strawberry
from switchboard.resolvers import inbound_calls

from .connection import Connection
from .inbound_call import InboundCall, InboundCallStatus, SimulateInboundCallInput, SimulateInboundCallPayload
from .info import Info


@strawberry.type
class InboundCallQueries:
    @strawberry.field(description="The organization's inbound calls, newest first.")
    async def inbound_calls(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        phone_number_id: strawberry.ID | None = None,
        workflow_id: strawberry.ID | None = None,
        status: InboundCallStatus | None = None,
        since: datetime | None = None,
    ) -> Connection[InboundCall]:
        page = await inbound_calls.list_calls(
            info.context,
            first,
            after,
            phone_number_id=phone_number_id,
            workflow_id=workflow_id,
            status=status.value if status is not None else None,
            since=since,
        )
        return Connection.of(page, InboundCall.of)


@strawberry.type
class InboundCallMutations:
    @strawberry.mutation(
        description="What the front door would answer to a call to the number now, without a signature and storing nothing."
    )
    async def simulate_inbound_call(self, info: Info, input: SimulateInboundCallInput) -> SimulateInboundCallPayload:
        return SimulateInboundCallPayload.of(await inbound_calls.simulate_inbound_call(info.context, input.phone_number_id, input.from_))
