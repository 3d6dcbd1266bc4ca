"""Per-request DataLoaders. Every batch is scoped to the requesting organization.

Each batch opens its own short session: graphql-core resolves sibling fields concurrently and
an AsyncSession must not be shared between tasks.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from .engine import Database
from .models import Organization, PhoneNumber, TelephonyConfig, Workflow


class Loaders:
    def __init__(self, db: Database, organization_id: int) -> None:
        self.db = db
        self.organization_id = organization_id
        self.organization_by_id = self._rows_by_id(Organization, Organization.id)
        self.workflow_by_id = self._rows_by_id(Workflow, Workflow.organization_id)
        self.telephony_config_by_id = self._rows_by_id(TelephonyConfig, TelephonyConfig.organization_id)
        self.phone_number_by_id = self._rows_by_id(PhoneNumber, PhoneNumber.organization_id)

    def _rows_by_id(self, model: Any, tenant_column: Any) -> DataLoader[int, Any]:
        async def load(ids: Sequence[int]) -> list[Any]:
            async with self.db.read() as session:
                rows = await session.scalars(
                    select(model).where(tenant_column == self.organization_id, model.id.in_(ids))
                )
                found = {row.id: row for row in rows}
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)
