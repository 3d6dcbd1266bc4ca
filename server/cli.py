"""The `switchboard` command line: serve, migrate, org/apikey create, export-schema."""

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from switchboard.db.api_keys import create_api_key
from switchboard.db.engine import Database
from switchboard.db.migrate import migrate
from switchboard.db.organizations import any_organization, create_organization, get_organization

from .settings import create_database_for, get_settings


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


async def _create_org(name: str) -> tuple[int, str]:
    async with _database() as db:
        await migrate(db)
        async with db.write() as session:
            organization = await create_organization(session, name)
            return organization.id, await create_api_key(session, organization.id)


async def _create_key(organization_id: int) -> str | None:
    async with _database() as db, db.write() as session:
        if await get_organization(session, organization_id) is None:
            return None
        return await create_api_key(session, organization_id)


async def _bootstrap() -> tuple[int, str] | None:
    """Migrate; on first start with no organization, create one and return its new key."""
    async with _database() as db:
        await migrate(db)
        async with db.write() as session:
            if await any_organization(session):
                return None
            organization = await create_organization(session, "Default organization")
            return organization.id, await create_api_key(session, organization.id)


def _print_credentials(organization_id: int, key: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"organization_id": organization_id, "api_key": key}))
    else:
        print(f"organization id: {organization_id}")
        print(f"API key (shown once, store it now): {key}")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .http_protocol import with_header_timeout
    from .secret_key import load_secret_box

    settings = get_settings()
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
    uvicorn.run(
        "switchboard.server.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level,
        proxy_headers=False,
        http=with_header_timeout(settings.request_header_timeout),
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


def cmd_apikey_create(args: argparse.Namespace) -> int:
    key = asyncio.run(_create_key(args.org))
    if key is None:
        print(f"organization {args.org} does not exist", file=sys.stderr)
        return 1
    _print_credentials(args.org, key, args.json)
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
    apikey_create.add_argument("--json", action="store_true")
    apikey_create.set_defaults(handler=cmd_apikey_create)

    commands.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(handler=cmd_export_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
