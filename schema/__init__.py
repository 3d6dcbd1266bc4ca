"""The Strawberry schema: root types assembled from per-domain field groups."""

import strawberry
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig

from . import limits
from .admission import AdmissionObserver, query_admission
from .api_keys import ApiKeyMutations, ApiKeyQueries
from .audit_event import AuditQueries
from .document_cache import DocumentCache, cached_documents
from .executor import SwitchboardExecutor, call_resolvers_directly
from .inbound_call_fields import InboundCallMutations, InboundCallQueries
from .node_fields import NodeQueries
from .provider_accounts import ProviderAccountMutations, ProviderAccountQueries
from .subscriptions import Subscription
from .telephony_fields import TelephonyMutations, TelephonyQueries
from .warnings import WarningQueries
from .workflow_fields import WorkflowMutations, WorkflowQueries


@strawberry.type
class Query(
    NodeQueries,
    TelephonyQueries,
    WarningQueries,
    WorkflowQueries,
    InboundCallQueries,
    ApiKeyQueries,
    AuditQueries,
    ProviderAccountQueries,
):
    pass


@strawberry.type
class Mutation(TelephonyMutations, WorkflowMutations, InboundCallMutations, ApiKeyMutations, ProviderAccountMutations):
    pass


class SwitchboardSchema(strawberry.Schema):
    # Parsed and validated documents of this schema, within a memory budget.
    documents: DocumentCache

    def process_errors(self, errors, execution_context=None) -> None:
        """Errors are classified and logged once, by the HTTP layer (server/errors.py)."""


def build_schema(
    *, introspection: bool = True, query_slots: int = 0, admission_observer: AdmissionObserver | None = None
) -> strawberry.Schema:
    """`query_slots`: how many queries run at once, the others waiting their turn (0: no limit;
    see schema/admission.py); `admission_observer` is told how many wait and run."""
    documents = DocumentCache()
    extensions = [*limits.extensions(), cached_documents(documents)]
    if not introspection:
        extensions.append(DisableIntrospection)
    if query_slots:
        extensions.append(query_admission(query_slots, admission_observer))
    schema = SwitchboardSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=SwitchboardExecutor,
    )
    schema.documents = documents
    call_resolvers_directly(schema._schema, schema.config)
    return schema


def export_sdl() -> str:
    return build_schema().as_str() + "\n"
