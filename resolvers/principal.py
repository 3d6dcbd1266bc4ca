"""Who makes a request: the organization, the role, and how the audit log names them."""

from dataclasses import dataclass

from .rules.roles import Role


@dataclass(frozen=True, slots=True)
class Principal:
    organization_id: int
    role: Role
    # Who the audit log names: an API key's visible prefix, or a JWT's subject.
    actor: str
    # The API key's name, or None for a token.
    actor_name: str | None = None
    api_key_id: int | None = None
