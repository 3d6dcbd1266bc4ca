"""The Starlette application: /graphql, /graphiql/assets/..., /healthz, /readyz, the front
door /telephony/{provider}/inbound and /status, and /metrics when enabled."""

import contextlib
import logging
from pathlib import Path

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from switchboard.providers.http import ProviderHttp
from switchboard.providers.registry import load_providers
from switchboard.providers.url_guard import Resolver, UrlGuard, resolve_with_getaddrinfo
from switchboard.resolvers.change_hub import ChangeHub
from switchboard.resolvers.context import AppServices
from switchboard.resolvers.front_door import FrontDoor
from switchboard.schema import build_schema

from .audit_pruning import pruning
from .auth import ApiKeyAuthenticator, Authenticator
from .body_guard import RequestBodyGuard
from .front_door import FrontDoorEndpoint
from .graphiql import GraphiQLPage
from .graphql_view import SwitchboardGraphQL, json_response
from .jwt_auth import JwtAuthenticator
from .live import LiveGraphQL, LiveLimits
from .logs import AccessLog
from .metrics import Metrics, MetricsEndpoint
from .pg_listener import listening
from .rate_limit import RateLimiter
from .secret_key import load_secret_box
from .settings import Settings, create_database_for, get_settings

log = logging.getLogger("switchboard")


def create_app(
    settings: Settings | None = None,
    *,
    graphiql_node_modules: Path | None = None,
    resolver: Resolver = resolve_with_getaddrinfo,
) -> Starlette:
    """`graphiql_node_modules`: where GraphiQL's npm packages are (default web/node_modules).
    `resolver`: how tenant-supplied host names are resolved before they are vetted."""
    settings = settings or get_settings()
    db = create_database_for(settings)
    metrics = Metrics() if settings.metrics_enabled else None
    provider_http = ProviderHttp(
        settings.provider_api_bases(load_providers()),
        total_timeout=settings.provider_timeout,
        url_guard=UrlGuard(tuple(settings.allowed_private_networks), resolver),
        observer=metrics.provider_call if metrics else None,
    )
    services = AppServices(
        db=db,
        secrets=load_secret_box(settings),
        provider_http=provider_http,
        public_base_url=settings.public_base_url,
        call_max_seconds=settings.call_max_seconds,
        changes=ChangeHub(settings.subscriber_queue),
    )
    if metrics:
        services.observe_webhook = metrics.webhook
        db.listen_statements(metrics.count_statement)
    if db.is_sqlite:
        db.committed_changes = services.changes.dispatch
    front_door = FrontDoorEndpoint(FrontDoor(services), load_providers(), settings.public_base_url)
    graphiql_page = GraphiQLPage.load(graphiql_node_modules)
    api_keys = ApiKeyAuthenticator(db)
    services.forget_key = api_keys.forget
    authenticator = Authenticator(api_keys, JwtAuthenticator(db, settings) if settings.jwt_jwks_url else None)
    schema = build_schema(
        introspection=settings.introspection,
        query_slots=settings.max_concurrent_queries,
        admission_observer=metrics.admission if metrics else None,
    )
    rate_limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    graphql = SwitchboardGraphQL(
        schema,
        services=services,
        authenticator=authenticator,
        graphiql_page=graphiql_page,
        rate_limiter=rate_limiter,
        metrics=metrics,
    )
    live = LiveGraphQL(
        schema,
        services=services,
        authenticator=authenticator,
        rate_limiter=rate_limiter,
        limits=LiveLimits(settings.max_subscriptions_per_connection, settings.ws_connections_per_key, settings.ws_init_timeout),
        allowed_origins=settings.cors_origins,
        metrics=metrics,
    )

    async def healthz(_: Request) -> Response:
        return json_response({"status": "ok"})

    async def readyz(_: Request) -> Response:
        try:
            async with db.read() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            log.exception("readiness check failed")
            return json_response({"status": "unavailable", "database": "unreachable"}, 503)
        return json_response({"status": "ok", "database": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette):
        async with contextlib.AsyncExitStack() as running:
            await running.enter_async_context(pruning(db, settings.audit_retention_days))
            if not db.is_sqlite:
                await running.enter_async_context(listening(settings.database_url, services.changes.dispatch))
            yield
        await provider_http.aclose()
        await db.dispose()

    middleware = [Middleware(AccessLog), Middleware(RequestBodyGuard, timeout=settings.request_body_timeout)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["content-type", "authorization", "x-api-key", "apollographql-client-name"],
                max_age=600,
            )
        )
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", live),
            graphiql_page.asset_route(),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *front_door.routes(),
            *([MetricsEndpoint(metrics, settings.metrics_token).route()] if metrics else []),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.front_door = front_door.front_door
    app.state.graphql = graphql
    app.state.live = live
    return app
