"""The `switchboard` command line: serve, migrate, org create, apikey create|list|revoke,
export-schema."""

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from switchboard.db.api_keys import create_api_key, keys_of
from switchboard.db.engine import Database
from switchboard.db.migrate import migrate
from switchboard.db.organizations import any_organization, create_organization, get_organization
from switchboard.db.types import utcnow
from switchboard.providers.http import ProviderHttp
from switchboard.resolvers import api_keys
from switchboard.resolvers.context import AppServices, RequestContext
from switchboard.resolvers.ids import to_global_id
from switchboard.resolvers.principal import Principal
from switchboard.resolvers.rules.roles import Role

from .metrics_files import metrics_directory
from .secret_key import load_secret_box
from .settings import create_database_for, get_settings

FIRST_KEY_NAME = "First admin key"
# How the audit log names changes made with this command.
CLI_ACTOR = "cli"


@asynccontextmanager
async def _database() -> AsyncIterator[Database]:
    db = create_database_for(get_settings())
    try:
        yield db
    finally:
        await db.dispose()


async def _migrate() -> None:
    async with _database() as db:
        await migrate(db)


async def _create_first(db: Database, name: str) -> tuple[int, str]:
    """An organization and its first key, an ADMIN key (SPEC §13)."""
    async with db.write() as session:
        organization = await create_organization(session, name)
        _, key = await create_api_key(session, organization.id, name=FIRST_KEY_NAME, role=Role.ADMIN.value)
        return organization.id, key


async def _create_org(name: str) -> tuple[int, str]:
    async with _database() as db:
        await migrate(db)
        return await _create_first(db, name)


@asynccontextmanager
async def _as_operator(organization_id: int) -> AsyncIterator[RequestContext | None]:
    """What the API's resolvers need, acting as an ADMIN of the organization that the audit log
    names `cli`; None when the organization does not exist."""
    settings = get_settings()
    async with _database() as db:
        async with db.read() as session:
            if await get_organization(session, organization_id) is None:
                yield None
                return
        provider_http = ProviderHttp()
        try:
            services = AppServices(db=db, secrets=load_secret_box(settings), provider_http=provider_http)
            principal = Principal(organization_id=organization_id, role=Role.ADMIN, actor=CLI_ACTOR)
            yield RequestContext(services=services, principal=principal)
        finally:
            await provider_http.aclose()


async def _create_key(organization_id: int, name: str, role: Role, expires_at: datetime | None) -> api_keys.KeyResult | None:
    async with _as_operator(organization_id) as ctx:
        return None if ctx is None else await api_keys.create_key(ctx, name, role, expires_at)


async def _revoke_key(organization_id: int, key_id: int) -> api_keys.KeyResult | None:
    async with _as_operator(organization_id) as ctx:
        return None if ctx is None else await api_keys.revoke_key(ctx, to_global_id(api_keys.TYPE_NAME, key_id))


async def _list_keys(organization_id: int) -> list | None:
    async with _database() as db, db.read() as session:
        if await get_organization(session, organization_id) is None:
            return None
        return list(await keys_of(session, organization_id))


async def _bootstrap() -> tuple[int, str] | None:
    """Migrate; on first start with no organization, create one and return its new key."""
    async with _database() as db:
        await migrate(db)
        async with db.write() as session:
            if await any_organization(session):
                return None
        return await _create_first(db, "Default organization")


def _print_credentials(organization_id: int, key: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"organization_id": organization_id, "api_key": key}))
    else:
        print(f"organization id: {organization_id}")
        print(f"API key (shown once, store it now): {key}")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .http_protocol import with_header_timeout
    from .logs import configure_logging, logging_config
    from .ws_protocol import GoingAwayWebSocketProtocol

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    load_secret_box(settings)  # fail fast on a missing or malformed key, before any worker starts
    created = asyncio.run(_bootstrap())
    if created:
        organization_id, key = created
        print("Created the first organization.", flush=True)
        _print_credentials(organization_id, key, as_json=False)
        print(
            f"Open http://{args.host}:{args.port}/graphql and add the header "
            f'{{"X-API-Key": "{key}"}} in GraphiQL\'s Headers tab.',
            flush=True,
        )
    # Before any worker imports prometheus_client (see metrics_files.py).
    with metrics_directory(settings):
        uvicorn.run(
            "switchboard.server.asgi:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=logging_config(settings.log_level, settings.log_format),
            access_log=False,
            proxy_headers=False,
            http=with_header_timeout(settings.request_header_timeout),
            ws=GoingAwayWebSocketProtocol,
        )
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    asyncio.run(_migrate())
    print("database is at the latest migration")
    return 0


def cmd_org_create(args: argparse.Namespace) -> int:
    name = args.name.strip()
    if not name or len(name) > 128:
        print("organization name must be 1 to 128 characters", file=sys.stderr)
        return 2
    organization_id, key = asyncio.run(_create_org(name))
    _print_credentials(organization_id, key, args.json)
    return 0


def _no_organization(organization_id: int) -> int:
    print(f"organization {organization_id} does not exist", file=sys.stderr)
    return 1


def _refused(result: api_keys.KeyResult) -> int:
    for error in result.errors:
        print(error.message, file=sys.stderr)
    return 2


def cmd_apikey_create(args: argparse.Namespace) -> int:
    expires_at = utcnow() + timedelta(days=args.expires_in_days) if args.expires_in_days else None
    result = asyncio.run(_create_key(args.org, args.name, Role(args.role), expires_at))
    if result is None:
        return _no_organization(args.org)
    if result.errors:
        return _refused(result)
    _print_credentials(args.org, result.secret, args.json)
    return 0


def _key_summary(key) -> dict:
    def when(value: datetime | None) -> str | None:
        return value.isoformat(timespec="seconds") if value else None

    return {
        "id": key.id,
        "prefix": key.prefix,
        "name": key.name,
        "role": key.role,
        "created_at": when(key.created_at),
        "expires_at": when(key.expires_at),
        "last_used_at": when(key.last_used_at),
        "revoked_at": when(key.revoked_at),
    }


def cmd_apikey_list(args: argparse.Namespace) -> int:
    keys = asyncio.run(_list_keys(args.org))
    if keys is None:
        return _no_organization(args.org)
    summaries = [_key_summary(key) for key in keys]
    if args.json:
        print(json.dumps(summaries))
        return 0
    for key in summaries:
        state = f"revoked {key['revoked_at']}" if key["revoked_at"] else f"expires {key['expires_at'] or 'never'}"
        print(
            f"{key['id']:>6}  {key['prefix']}…  {key['role']:<6}  {key['name']}  ({state}; last used {key['last_used_at'] or 'never'})"
        )
    return 0


def cmd_apikey_revoke(args: argparse.Namespace) -> int:
    result = asyncio.run(_revoke_key(args.org, args.key_id))
    if result is None:
        return _no_organization(args.org)
    if result.errors:
        return _refused(result)
    print(f"API key {args.key_id} ({result.key.prefix}…) is revoked; every worker refuses it within a second.")
    return 0


def cmd_export_schema(_: argparse.Namespace) -> int:
    from switchboard.schema import export_sdl

    sys.stdout.write(export_sdl())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate the database, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(handler=cmd_migrate)

    org = commands.add_parser("org", help="organizations").add_subparsers(dest="org_command", required=True)
    org_create = org.add_parser("create", help="create an organization and its first API key")
    org_create.add_argument("name")
    org_create.add_argument("--json", action="store_true")
    org_create.set_defaults(handler=cmd_org_create)

    apikey = commands.add_parser("apikey", help="API keys").add_subparsers(dest="apikey_command", required=True)
    apikey_create = apikey.add_parser("create", help="create another API key for an organization")
    apikey_create.add_argument("--org", type=int, required=True)
    apikey_create.add_argument("--name", default="CLI key")
    apikey_create.add_argument("--role", choices=[role.value for role in Role], default=Role.ADMIN.value)
    apikey_create.add_argument("--expires-in-days", type=int, default=None)
    apikey_create.add_argument("--json", action="store_true")
    apikey_create.set_defaults(handler=cmd_apikey_create)
    apikey_list = apikey.add_parser("list", help="list an organization's API keys (never their secrets)")
    apikey_list.add_argument("--org", type=int, required=True)
    apikey_list.add_argument("--json", action="store_true")
    apikey_list.set_defaults(handler=cmd_apikey_list)
    apikey_revoke = apikey.add_parser("revoke", help="revoke an API key (its id from `apikey list`)")
    apikey_revoke.add_argument("--org", type=int, required=True)
    apikey_revoke.add_argument("key_id", type=int)
    apikey_revoke.set_defaults(handler=cmd_apikey_revoke)

    commands.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(handler=cmd_export_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
