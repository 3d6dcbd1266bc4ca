"""API keys and the caller's role: `apiKeys`, `caller`, `createApiKey`, `revokeApiKey` (SPEC §13).

Keys are not Nodes: `node` would let a key without the ADMIN role probe for them."""

from datetime import datetime

import strawberry
from switchboard.db import models
from switchboard.db.api_keys import key_usable
from switchboard.db.types import utcnow
from switchboard.resolvers import api_keys
from switchboard.resolvers.ids import to_global_id
from switchboard.resolvers.rules.roles import Role as RoleValue

from .connection import Connection
from .errors import UserError, user_errors
from .info import Info

Role = strawberry.enum(
    RoleValue,
    name="Role",
    description="ADMIN: everything, including API keys and the audit log; EDITOR: configurations, "
    "numbers and workflows; VIEWER: read only.",
)


@strawberry.type(description="An API key of the organization; its secret was shown once, when it was created.")
class ApiKey:
    database_id: int
    name: str
    prefix: str = strawberry.field(description="The key's first characters, to recognize it.")
    role: Role
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = strawberry.field(description="Updated at most once a minute.")
    revoked_at: datetime | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("ApiKey", self.database_id))

    @strawberry.field(description="Not revoked and not expired: requests with it are accepted.")
    def usable(self) -> bool:
        return key_usable(self.revoked_at is not None, self.expires_at, utcnow())

    @classmethod
    def of(cls, row: models.ApiKey) -> "ApiKey":
        return cls(
            database_id=row.id,
            name=row.name,
            prefix=row.prefix,
            role=RoleValue(row.role),
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


@strawberry.type(description="Who is asking: the role of the request's key or token.")
class Caller:
    role: Role
    actor: str = strawberry.field(description="How the audit log names the caller: a key's prefix or a token's subject.")


@strawberry.input
class CreateApiKeyInput:
    name: str
    role: Role
    expires_at: datetime | None = strawberry.field(default=None, description="Refused from then on; never when null.")


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey | None
    secret: str | None = strawberry.field(description="The key itself, shown this once: Switchboard stores only its hash.")
    errors: list[UserError]


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKey | None
    errors: list[UserError]


@strawberry.type
class ApiKeyQueries:
    @strawberry.field(description="The organization's API keys, revoked ones included (ADMIN only).")
    async def api_keys(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[ApiKey] | None:
        return Connection.of(await api_keys.list_keys(info.context, first, after), ApiKey.of)

    @strawberry.field(description="The role of this request's key or token.")
    def caller(self, info: Info) -> Caller:
        principal = info.context.principal
        return Caller(role=principal.role, actor=principal.actor)


@strawberry.type
class ApiKeyMutations:
    @strawberry.mutation(description="A new API key (ADMIN only); its secret is in the payload, this once.")
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        result = await api_keys.create_key(info.context, input.name, input.role, input.expires_at)
        return CreateApiKeyPayload(
            api_key=ApiKey.of(result.key) if result.key else None, secret=result.secret, errors=user_errors(result.errors)
        )

    @strawberry.mutation(
        description="Refuse the key from now on, on every worker within a second (ADMIN only). "
        "The organization's last usable ADMIN key cannot be revoked."
    )
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> ApiKeyPayload:
        result = await api_keys.revoke_key(info.context, input.id)
        return ApiKeyPayload(api_key=ApiKey.of(result.key) if result.key else None, errors=user_errors(result.errors))
