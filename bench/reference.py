"""The reference: Switchboard's read scenarios on plain Starlette, hand-written SQL and orjson
(and the inbound scenario's Twilio webhook, in bench/reference_inbound.py).

It answers exactly the documents of `bench.scenarios` with the same JSON bytes as Switchboard
for the same database (checked before every measurement): one connection per request, a few
statements, dicts serialized by orjson. That is about as fast as a straightforward Python
server gets, so Switchboard's throughput divided by this one's is the price of GraphQL and the
ORM. Switchboard's pure functions (warning and readiness rules, ID encoding, provider
declarations) are reused; the data access is not.

Run: `python -m bench.reference --port 8001 [--workers N]` with SWITCHBOARD_DATABASE_URL (and
SWITCHBOARD_PUBLIC_BASE_URL and SWITCHBOARD_SECRET_KEY, for the inbound route) set as for
Switchboard.
"""

import argparse
import asyncio
import hashlib
import os
import re
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from switchboard.providers.registry import load_providers
from switchboard.resolvers.ids import from_cursor, page_size, to_cursor, to_global_id
from switchboard.resolvers.rules import readiness
from switchboard.resolvers.rules.warnings import (
    SEVERITY,
    AgentlessWorkflow,
    ConfigFacts,
    FailedSync,
    NumberRejections,
    config_warnings,
    most_severe_first,
    organization_warnings,
    public_base_url_usable,
)

from . import scenarios

SQLITE_CONNECTIONS = 5
POSTGRES_CONNECTIONS = 10
KEY_CACHE_SECONDS = 30.0


# --- data access: `?` placeholders, rows as tuples -------------------------------------------


class Database:
    """A small pool over asyncpg (PostgreSQL) or aiosqlite (SQLite); counts the statements it runs."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.statements = 0
        self._pool: Any = None
        self._lock = asyncio.Lock()
        self._numbered: dict[str, str] = {}
        # SQLite has one writer at a time: this process's writers take turns here rather than
        # polling in SQLite's busy handler (as Switchboard's do).
        self._turn_to_write = asyncio.Lock() if self.is_sqlite else nullcontext()

    def stored_time(self, moment: datetime) -> datetime | str:
        """A timestamp parameter as Switchboard stores timestamps: naive UTC text on SQLite."""
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.is_sqlite else moment

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    async def _open(self) -> None:
        if self.is_sqlite:
            import aiosqlite

            self._pool = asyncio.Queue()
            for _ in range(SQLITE_CONNECTIONS):
                connection = await aiosqlite.connect(self.url.database, isolation_level=None)
                # Switchboard's settings for its connections (db/engine.py).
                for pragma in ("busy_timeout=30000", "foreign_keys=ON", "synchronous=NORMAL"):
                    await connection.execute(f"PRAGMA {pragma}")
                self._pool.put_nowait(connection)
        else:
            import asyncpg

            dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._pool = await asyncpg.create_pool(dsn, min_size=2, max_size=POSTGRES_CONNECTIONS)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Callable[..., Awaitable[list]]]:
        """Yields `fetch(sql, *args) -> rows` bound to one connection."""
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    await self._open()
        if self.is_sqlite:
            connection = await self._pool.get()
            try:
                yield lambda sql, *args: self._count(connection.execute_fetchall(sql, args))
            finally:
                self._pool.put_nowait(connection)
        else:
            async with self._pool.acquire() as connection:
                yield lambda sql, *args: self._count(connection.fetch(self._dollars(sql), *args))

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Callable[..., Awaitable[list]]]:
        """`connection()` for statements that write (each one its own transaction)."""
        async with self._turn_to_write, self.connection() as fetch:
            yield fetch

    async def close(self) -> None:
        if self._pool is None:
            return
        if self.is_sqlite:
            while not self._pool.empty():
                await self._pool.get_nowait().close()
        else:
            await self._pool.close()
        self._pool = None

    def _count(self, rows: Awaitable[list]) -> Awaitable[list]:
        self.statements += 1
        return rows

    def _dollars(self, sql: str) -> str:
        """`?` -> `$1`, `$2`, ... for asyncpg (the SQL below has no `?` inside literals)."""
        if sql not in self._numbered:
            counter = iter(range(1, 1000))
            self._numbered[sql] = re.sub(r"\?", lambda _: f"${next(counter)}", sql)
        return self._numbered[sql]


API_KEY = "SELECT organization_id FROM api_keys WHERE key_hash = ?"

ORGANIZATION = """
SELECT o.name, c.name FROM organizations o
LEFT JOIN telephony_configs c ON c.organization_id = o.id AND c.is_default_outbound
WHERE o.id = ?"""

CONFIGS = """
SELECT id, name, provider, is_default_outbound, max_concurrent_calls, verification_status,
       verification_message, masked_credentials
FROM telephony_configs WHERE organization_id = ? ORDER BY id"""

NUMBER_STATS = """
SELECT telephony_config_id, count(*),
       sum(CASE WHEN is_active THEN 1 ELSE 0 END),
       max(CASE WHEN is_default_caller_id THEN address_normalized END),
       sum(CASE WHEN is_default_caller_id AND is_active THEN 1 ELSE 0 END),
       sum(CASE WHEN inbound_workflow_id IS NOT NULL THEN 1 ELSE 0 END)
FROM phone_numbers WHERE organization_id = ? GROUP BY telephony_config_id"""

FAILED_SYNCS = """
SELECT id, telephony_config_id, address_normalized, sync_message
FROM phone_numbers WHERE organization_id = ? AND sync_ok = false ORDER BY id"""

# What the inbound warnings read: rejected calls and signature-failure counters of the last day
# per number and reason, and the active numbers bound to workflows without an agent URL.
INBOUND_FACTS = """
SELECT 'rejected', c.telephony_config_id, n.id, n.address_normalized, c.reject_reason, count(*)
FROM inbound_calls c JOIN phone_numbers n ON n.id = c.phone_number_id
WHERE c.organization_id = ? AND c.status = 'REJECTED' AND c.started_at >= ?
GROUP BY c.telephony_config_id, n.id, n.address_normalized, c.reject_reason
UNION ALL
SELECT 'rejected', n.telephony_config_id, n.id, n.address_normalized, r.reason, sum(r.count)
FROM inbound_rejection_counts r JOIN phone_numbers n ON n.id = r.phone_number_id
WHERE r.organization_id = ? AND r.hour >= ?
GROUP BY n.telephony_config_id, n.id, n.address_normalized, r.reason
UNION ALL
SELECT 'agentless', n.telephony_config_id, w.id, w.name, NULL, count(*)
FROM workflows w JOIN phone_numbers n ON n.inbound_workflow_id = w.id
WHERE w.organization_id = ? AND w.agent_stream_url IS NULL AND n.is_active
GROUP BY n.telephony_config_id, w.id, w.name"""

# The first numbers of each configuration up to the last one on the page, through the
# (telephony_config_id, id) index: a LATERAL join on PostgreSQL, a correlated IN on SQLite
# (which has no LATERAL; PostgreSQL re-runs such an IN subquery for every row).
_FIRST_NUMBER_COLUMNS = "n.telephony_config_id, n.address_normalized, n.label, n.is_active, w.name"
FIRST_NUMBERS_SQLITE = f"""
SELECT {_FIRST_NUMBER_COLUMNS}
FROM telephony_configs c
JOIN phone_numbers n ON n.id IN (SELECT id FROM phone_numbers WHERE telephony_config_id = c.id ORDER BY id LIMIT ?)
LEFT JOIN workflows w ON w.id = n.inbound_workflow_id AND w.organization_id = c.organization_id
WHERE c.organization_id = ? AND c.id <= ? ORDER BY n.id"""
FIRST_NUMBERS_POSTGRES = f"""
SELECT {_FIRST_NUMBER_COLUMNS}
FROM telephony_configs c
CROSS JOIN LATERAL (SELECT * FROM phone_numbers WHERE telephony_config_id = c.id ORDER BY id LIMIT ?) AS n
LEFT JOIN workflows w ON w.id = n.inbound_workflow_id AND w.organization_id = c.organization_id
WHERE c.organization_id = ? AND c.id <= ? ORDER BY n.id"""

_NUMBER_ROW = """
SELECT n.id, n.address, n.address_normalized, n.label, n.is_active, n.is_default_caller_id, c.name, w.name
FROM phone_numbers n
JOIN telephony_configs c ON c.id = n.telephony_config_id
LEFT JOIN workflows w ON w.id = n.inbound_workflow_id AND w.organization_id = n.organization_id
WHERE n.organization_id = ?"""
NUMBER_PAGE = _NUMBER_ROW + " AND n.id > ? ORDER BY n.id LIMIT ?"
NUMBER_COUNT = "SELECT count(*) FROM phone_numbers WHERE organization_id = ?"



def _matches(alias: str) -> str:
    """`search` as Switchboard applies it: a substring, any case, of the address, its normalized
    form or the label, with `%`, `_` and `/` escaped by `/`."""
    return " OR ".join(
        f"lower({alias}{column}) LIKE '%' || lower(?) || '%' ESCAPE '/'" for column in ("address", "address_normalized", "label")
    )


SEARCH_PAGE = _NUMBER_ROW + f" AND ({_matches('n.')}) ORDER BY n.id LIMIT ?"
SEARCH_COUNT = NUMBER_COUNT + f" AND ({_matches('')})"


# --- the operations ------------------------------------------------------------------------


class Reference:
    def __init__(self, database_url: str, public_base_url: str | None) -> None:
        self.db = Database(database_url)
        self.public_base_url_ok = public_base_url_usable(public_base_url)
        self.providers = load_providers()
        self._keys: dict[str, tuple[int, float]] = {}
        self.operations = {
            scenarios.DASHBOARD: self.dashboard,
            scenarios.NUMBER_PAGE: self.number_page,
            scenarios.SEARCH: self.search,
        }

    async def organization_for(self, key: str | None) -> int | None:
        if not key:
            return None
        digest, now = hashlib.sha256(key.strip().encode()).hexdigest(), time.monotonic()
        cached = self._keys.get(digest)
        if cached and cached[1] > now:
            return cached[0]
        async with self.db.connection() as fetch:
            rows = await fetch(API_KEY, digest)
        if not rows:
            return None
        self._keys[digest] = (rows[0][0], now + KEY_CACHE_SECONDS)
        return rows[0][0]

    async def dashboard(self, org: int, variables: dict) -> dict:
        size, numbers_size = page_size(variables.get("configs")), page_size(variables.get("numbers"))
        async with self.db.connection() as fetch:
            ((org_name, default_name),) = await fetch(ORGANIZATION, org)
            configs = await fetch(CONFIGS, org)
            stats = {row[0]: row[1:] for row in await fetch(NUMBER_STATS, org)}
            failed: dict[int, list[FailedSync]] = defaultdict(list)
            addresses = {}
            for number_id, config_id, address, message in await fetch(FAILED_SYNCS, org):
                failed[config_id].append(FailedSync(number_id, address, message))
                addresses[number_id] = address
            day_ago = datetime.now(UTC) - timedelta(days=1)
            since = self.db.stored_time(day_ago)
            since_hour = self.db.stored_time(day_ago.replace(minute=0, second=0, microsecond=0))
            rejected: dict[int, dict[int, tuple[str, dict[str, int]]]] = defaultdict(dict)
            agentless: dict[int, list[AgentlessWorkflow]] = defaultdict(list)
            for kind, config_id, row_id, label, reason, count in await fetch(INBOUND_FACTS, org, since, org, since_hour, org):
                if kind == "agentless":
                    agentless[config_id].append(AgentlessWorkflow(row_id, label, int(count)))
                else:
                    reasons = rejected[config_id].setdefault(row_id, (label, {}))[1]
                    reasons[reason] = reasons.get(reason, 0) + int(count)
            page = configs[:size]
            first_numbers: dict[int, list[dict]] = defaultdict(list)
            if page:
                first = FIRST_NUMBERS_SQLITE if self.db.is_sqlite else FIRST_NUMBERS_POSTGRES
                for config_id, address, label, active, workflow in await fetch(first, numbers_size, org, page[-1][0]):
                    first_numbers[config_id].append(
                        {"addressNormalized": address, "label": label, "isActive": bool(active), "inboundWorkflowName": workflow}
                    )
        every_warning = organization_warnings(config_count=len(configs), has_default_outbound=default_name is not None)
        nodes, names = [], {}
        for config_id, name, provider, is_default, max_calls, status, message, masked in configs:
            names[config_id] = name
            total, active, default_address, default_active, bound = stats.get(config_id, (0, 0, None, 0, 0))
            plugin = self.providers[provider]
            secret = plugin.webhook_secret_field
            missing_secret = secret is not None and not _json(masked).get(secret)
            facts = ConfigFacts(
                config_id=config_id,
                name=name,
                provider_name=plugin.display_name,
                needs_caller_ids=plugin.needs_caller_ids,
                webhook_secret_label=plugin.field(secret).label if missing_secret else None,
                active_numbers=active,
                has_default_caller_id=default_address is not None,
                default_caller_id_active=bool(default_active),
                bound_numbers=bound,
                max_concurrent_calls=max_calls,
                verification_status=status,
                verification_message=message,
                failed_syncs=tuple(failed.get(config_id, ())),
                rejections=tuple(
                    NumberRejections(number_id, address, tuple(sorted(reasons.items())))
                    for number_id, (address, reasons) in sorted(rejected[config_id].items())
                ),
                agentless_workflows=tuple(agentless[config_id]),
            )
            warnings = most_severe_first(config_warnings(facts, public_base_url_ok=self.public_base_url_ok))
            every_warning.extend(warnings)
            if len(nodes) == size:
                continue
            blocked = readiness.outbound_blocked_reason(
                provider_name=plugin.display_name,
                needs_caller_ids=plugin.needs_caller_ids,
                active_numbers=active,
                verification_status=status,
            )
            nodes.append(
                {
                    "id": to_global_id("TelephonyConfig", config_id),
                    "name": name,
                    "provider": provider.upper(),
                    "isDefaultOutbound": bool(is_default),
                    "phoneNumberCount": total,
                    "activePhoneNumberCount": active,
                    "concurrencyCapacity": readiness.concurrency_capacity(
                        needs_caller_ids=plugin.needs_caller_ids, active_numbers=active, max_concurrent_calls=max_calls
                    ),
                    "readyForOutbound": blocked is None,
                    "outboundBlockedReason": blocked,
                    "defaultCallerId": {"addressNormalized": default_address} if default_address is not None else None,
                    "warnings": [_warning(w) for w in warnings],
                    "phoneNumbers": {"totalCount": total, "nodes": first_numbers.get(config_id, [])},
                }
            )
        every_warning = most_severe_first(every_warning)
        counts: dict[Any, int] = {}
        for warning in every_warning:
            counts[warning.code] = counts.get(warning.code, 0) + 1
        return {
            "organization": {"name": org_name, "defaultOutboundConfig": {"name": default_name} if default_name else None},
            "telephonyConfigs": {"totalCount": len(configs), "nodes": nodes},
            "telephonyConfigWarnings": {
                "totalCount": len(every_warning),
                "affectedConfigCount": len({w.config_id for w in every_warning if w.config_id is not None}),
                "counts": [{"code": code.value, "severity": SEVERITY[code].name, "count": n} for code, n in counts.items()],
                "items": [
                    {
                        **_warning(w),
                        "telephonyConfig": {"name": names[w.config_id]} if w.config_id is not None else None,
                        "phoneNumber": {"addressNormalized": addresses[w.number_id]} if w.number_id is not None else None,
                    }
                    for w in every_warning[:20]
                ],
            },
        }

    async def number_page(self, org: int, variables: dict) -> dict:
        size, after = page_size(variables.get("first")), from_cursor(variables.get("after"))
        async with self.db.connection() as fetch:
            rows = await fetch(NUMBER_PAGE, org, after or 0, size + 1)
            ((total,),) = await fetch(NUMBER_COUNT, org)
        shown = rows[:size]
        return {
            "phoneNumbers": {
                "totalCount": total,
                "pageInfo": {"hasNextPage": len(rows) > size, "endCursor": to_cursor(shown[-1][0]) if shown else None},
                "nodes": [
                    {
                        "id": to_global_id("PhoneNumber", number_id),
                        "address": address,
                        "addressNormalized": normalized,
                        "label": label,
                        "isActive": bool(active),
                        "isDefaultCallerId": bool(default),
                        "telephonyConfig": {"name": config},
                        "inboundWorkflowName": workflow,
                    }
                    for number_id, address, normalized, label, active, default, config, workflow in shown
                ],
            }
        }

    async def search(self, org: int, variables: dict) -> dict:
        size = page_size(variables.get("first"))
        term = (variables.get("search") or "").strip()[:255]
        async with self.db.connection() as fetch:
            if term:
                escaped = term.replace("/", "//").replace("%", "/%").replace("_", "/_")
                rows = await fetch(SEARCH_PAGE, org, escaped, escaped, escaped, size + 1)
                ((total,),) = await fetch(SEARCH_COUNT, org, escaped, escaped, escaped)
            else:
                rows = await fetch(NUMBER_PAGE, org, 0, size + 1)
                ((total,),) = await fetch(NUMBER_COUNT, org)
        return {
            "phoneNumbers": {
                "totalCount": total,
                "nodes": [
                    {
                        "id": to_global_id("PhoneNumber", number_id),
                        "addressNormalized": normalized,
                        "label": label,
                        "isActive": bool(active),
                        "telephonyConfig": {"name": config},
                        "inboundWorkflowName": workflow,
                    }
                    for number_id, _address, normalized, label, active, _default, config, workflow in rows[:size]
                ],
            }
        }


def _json(value: Any) -> dict:
    """JSON columns: text on SQLite and (by default) from asyncpg."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _warning(warning) -> dict:
    return {"code": warning.code.value, "severity": warning.severity.name, "message": warning.message}


# --- HTTP ------------------------------------------------------------------------------------


def _error(message: str, code: str, status: int) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def create_app(database_url: str, public_base_url: str | None, secret_key: str | None = None) -> Starlette:
    from .reference_inbound import PATH, InboundReference  # it imports this module

    reference = Reference(database_url, public_base_url)

    async def graphql(request: Request) -> Response:
        key = request.headers.get("x-api-key")
        org = await reference.organization_for(key)
        if org is None:
            return _error("Missing or invalid API key.", "UNAUTHENTICATED", 401)
        payload = orjson.loads(await request.body())
        operation = reference.operations.get(payload.get("query"))
        if operation is None:
            return _error("The reference serves only the benchmark's operations.", "BAD_USER_INPUT", 400)
        data = await operation(org, payload.get("variables") or {})
        return Response(orjson.dumps({"data": data}), media_type="application/json")

    async def healthz(_: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await reference.db.close()

    routes = [Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)]
    if public_base_url and secret_key:
        routes.append(Route(PATH, InboundReference(reference.db, public_base_url, secret_key).call, methods=["POST"]))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.reference = reference
    return app


def app_from_env() -> Starlette:
    return create_app(
        os.environ["SWITCHBOARD_DATABASE_URL"], os.environ.get("SWITCHBOARD_PUBLIC_BASE_URL"), os.environ.get("SWITCHBOARD_SECRET_KEY")
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.reference")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    # The same uvicorn settings as `switchboard serve`.
    uvicorn.run(
        "bench.reference:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers,
        log_level="warning", proxy_headers=False,
    )


if __name__ == "__main__":
    main()
