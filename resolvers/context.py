"""What every resolver gets: the caller (organization and role), the database and per-request loaders."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from switchboard.db.engine import Database
from switchboard.db.loaders import Loaders
from switchboard.db.secrets import SecretBox
from switchboard.db.types import utcnow
from switchboard.providers.base import ProviderPlugin
from switchboard.providers.http import ProviderHttp

from .change_hub import DEFAULT_SUBSCRIBER_QUEUE, ChangeHub
from .principal import Principal
from .rules.inbound import REJECTION_WARNING_WINDOW, in_progress_since
from .rules.sync import inbound_token_purpose, inbound_url


@dataclass
class AppServices:
    """Process-wide services, built once at start-up."""

    db: Database
    secrets: SecretBox
    provider_http: ProviderHttp
    public_base_url: str | None = None
    # A connected call whose end was never reported stops counting toward the limit after this.
    call_max_seconds: int = 4 * 3600
    # Called with a revoked key's hash, so that this worker refuses it at once (server/auth.py).
    forget_key: Callable[[str], None] = lambda key_hash: None
    # Called with a provider's key and a front-door webhook's outcome (front_door.WebhookOutcome).
    observe_webhook: Callable[[str, str], None] = lambda provider_key, outcome: None
    # This worker's subscribers to changes (live updates, SPEC §15).
    changes: ChangeHub = field(default_factory=lambda: ChangeHub(queue_size=DEFAULT_SUBSCRIBER_QUEUE))

    def inbound_url(self, plugin: ProviderPlugin, config_id: int, account_id: str) -> str | None:
        """Where the provider sends a configuration's inbound calls; None without a public URL."""
        if self.public_base_url is None:
            return None
        token = self.secrets.derive(inbound_token_purpose(config_id)) if plugin.token_in_inbound_url else None
        return inbound_url(
            self.public_base_url,
            plugin.key,
            account_id=account_id if plugin.account_in_inbound_url else None,
            token=token,
        )


@dataclass
class RequestContext:
    services: AppServices
    principal: Principal
    request_id: str = ""
    # The audit event this request wrote for each target, by (type name, database id), so that
    # a provider-sync outcome recorded later joins it.
    audit_events: dict[tuple[str, int], int] = field(default_factory=dict)
    # The tokens of the request's document when this worker had not parsed it before: parsing
    # and validating it is charged to the caller's rate limit (server/graphql_view.py).
    unseen_document_tokens: int = 0
    # The operation's name, as the request or its parsed document gives it (None: anonymous, or
    # not parsed): the server's metrics count requests by it.
    operation_name: str | None = None
    # GraphQL objects the schema built from rows during this request, by (type, database id).
    built: dict = field(default_factory=dict)
    # Each configuration's warnings, once computed: a dashboard lists them per configuration
    # and again in the organization's aggregate.
    config_warnings: dict = field(default_factory=dict)
    # Each configuration's provider account listing, once read: a request lists an account at most once.
    account_listings: dict = field(default_factory=dict)
    # A subscription's WebSocket connection (resolvers/live.py LiveConnection); None over HTTP.
    live: Any = None

    @property
    def organization_id(self) -> int:
        return self.principal.organization_id

    @property
    def db(self) -> Database:
        return self.services.db

    @cached_property
    def loaders(self) -> Loaders:
        now = utcnow()
        return Loaders(
            self.services.db,
            self.organization_id,
            calls_in_progress_since=in_progress_since(now, self.services.call_max_seconds),
            rejections_since=now - REJECTION_WARNING_WINDOW,
        )

    def release(self) -> None:
        """Let go of everything the request loaded, once its answer is built.

        The loaders and their batch functions refer to each other, so without this their caches
        (every row, object and future of the request) stay alive until the cyclic garbage
        collector finds them, and under load its full collections become the main cost: 64
        concurrent dashboards on one worker served 7.7 req/s, 18.9 with the collector off.
        """
        loaders = self.__dict__.pop("loaders", None)
        if loaders is not None:
            loaders.release()
        self.built.clear()
        self.config_warnings.clear()
        self.account_listings.clear()
