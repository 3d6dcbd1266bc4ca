"""Prometheus metrics: what they count, the bound on their labels, and /metrics.

Collected only when /metrics is enabled (a token, or declared public): nobody could read them
otherwise. Under `switchboard serve` every worker writes its values to files in one directory
(prometheus_client's multiprocess mode, see metrics_files.py) and a scrape, answered by any
worker, adds up all of them; a server built without that directory counts in memory, for itself.

Operation names come from clients, so they are labels only within a bound (`OperationLabels`);
query text and variables never are. Only authenticated requests get as far as naming one.
"""

import enum
import hmac
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from switchboard.resolvers.live import FORBIDDEN_CLOSE, SLOW_CONSUMER_CLOSE

from .metrics_files import MULTIPROCESS_DIRECTORY

# Operation labels that no GraphQL name can be, so that no client's name is mistaken for them.
ANONYMOUS = "(anonymous)"  # an operation without a name
OTHER = "(other)"  # a name past the bound, or not a well-formed GraphQL name
NO_OPERATION = "(none)"  # the request was answered before it named an operation (401, 429, 400)
MAX_OPERATION_LABELS = 200
MAX_OPERATION_NAME_LENGTH = 64
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


class OperationLabels:
    """The `operation` label of a name: the name itself while it is well formed and among the
    first `limit` distinct names this process has labelled, else OTHER; ANONYMOUS for None."""

    def __init__(self, limit: int = MAX_OPERATION_LABELS) -> None:
        self.limit = limit
        self._labelled: set[str] = set()

    def __call__(self, name: str | None) -> str:
        if name is None:
            return ANONYMOUS
        if name in self._labelled:
            return name
        if len(name) > MAX_OPERATION_NAME_LENGTH or not _GRAPHQL_NAME.fullmatch(name) or len(self._labelled) >= self.limit:
            return OTHER
        self._labelled.add(name)
        return name


class Outcome(enum.StrEnum):
    """How a GraphQL request ended."""

    OK = "ok"
    ERROR = "error"  # executed, with errors in the result (FORBIDDEN fields, a resolver's failure)
    INVALID = "invalid"  # refused before execution: parse, validation or variables
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate_limited"
    PERSISTED_QUERY_NOT_FOUND = "persisted_query_not_found"
    BAD_REQUEST = "bad_request"  # an HTTP-level refusal: malformed body, wrong method or media type
    INTERNAL = "internal"


# The close codes of live updates (resolvers/live.py) as `reason` labels.
LIVE_CLOSE_REASONS = {FORBIDDEN_CLOSE: "forbidden", SLOW_CONSUMER_CLOSE: "slow_consumer"}


class PersistedQuery(enum.StrEnum):
    HIT = "hit"
    MISS = "miss"
    REGISTERED = "registered"


@dataclass(slots=True)
class RequestRecord:
    """What one GraphQL request reports, filled in as it goes."""

    operation: str = NO_OPERATION
    outcome: Outcome | None = None  # set once a result is built
    executed: bool = False
    statements: int = 0


_executing: ContextVar[RequestRecord | None] = ContextVar("metrics_request", default=None)

SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PROVIDER_SECONDS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0)
STATEMENT_BUCKETS = (0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 100)


class Metrics:
    """The metric objects of the process, and the observers the layers below are given."""

    def __init__(self) -> None:
        self.directory = os.environ.get(MULTIPROCESS_DIRECTORY)
        if self.directory and values.ValueClass is values.MutexValue:
            raise RuntimeError(
                f"prometheus_client was imported before {MULTIPROCESS_DIRECTORY} was set: metrics would not add up"
            )
        self.operation_label = OperationLabels()
        # In multiprocess mode the objects write to files, and scrapes read every worker's files.
        own = None if self.directory else CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "switchboard_graphql_requests",
            "GraphQL requests by operation name and outcome.",
            ["operation", "outcome"],
            registry=own,
        )
        self.request_seconds = Histogram(
            "switchboard_graphql_request_duration_seconds",
            "Time to answer a GraphQL request, by operation name.",
            ["operation"],
            buckets=SECONDS_BUCKETS,
            registry=own,
        )
        self.statements = Histogram(
            "switchboard_graphql_sql_statements",
            "SQL statements an executed GraphQL operation ran (authentication's own not included).",
            ["operation"],
            buckets=STATEMENT_BUCKETS,
            registry=own,
        )
        self.persisted_queries = Counter(
            "switchboard_persisted_queries", "Automatic persisted query lookups and registrations.", ["result"], registry=own
        )
        self.provider_seconds = Histogram(
            "switchboard_provider_call_duration_seconds",
            "Calls to providers' APIs (retries included) by provider, operation and outcome; _count counts them.",
            ["provider", "operation", "outcome"],
            buckets=PROVIDER_SECONDS_BUCKETS,
            registry=own,
        )
        self.webhooks = Counter(
            "switchboard_front_door_webhooks",
            "Provider webhooks at the front door by provider and outcome.",
            ["provider", "outcome"],
            registry=own,
        )
        self.queries_waiting = Gauge(
            "switchboard_query_admission_waiting", "Queries waiting for a turn to run.", registry=own, multiprocess_mode="livesum"
        )
        self.queries_running = Gauge(
            "switchboard_query_admission_running",
            "Queries running (at most SWITCHBOARD_MAX_CONCURRENT_QUERIES a worker).",
            registry=own,
            multiprocess_mode="livesum",
        )
        self.live_connections = Gauge(
            "switchboard_live_connections",
            "WebSocket connections of live updates past connection_init.",
            registry=own,
            multiprocess_mode="livesum",
        )
        self.live_subscriptions = Gauge(
            "switchboard_live_subscriptions", "Subscriptions running.", registry=own, multiprocess_mode="livesum"
        )
        self.live_closes = Counter(
            "switchboard_live_closes",
            "Live-update connections the server closed: forbidden (a revoked or expired credential), slow_consumer.",
            ["reason"],
            registry=own,
        )
        if own is None:
            own = CollectorRegistry()
            multiprocess.MultiProcessCollector(own, self.directory)
        self._scraped = own

    # --- GraphQL requests (server/graphql_view.py)

    @contextmanager
    def executing(self, record: RequestRecord) -> Iterator[None]:
        """Count the SQL statements run inside as the request's (see `count_statement`)."""
        token = _executing.set(record)
        try:
            yield
        finally:
            _executing.reset(token)
            record.executed = True

    def count_statement(self, _sql: str) -> None:
        """A Database statement listener: the statement belongs to the request executing in
        this context, if any (tasks started by the request inherit it)."""
        record = _executing.get()
        if record is not None:
            record.statements += 1

    def request_finished(self, record: RequestRecord, outcome: Outcome, seconds: float) -> None:
        self.requests.labels(record.operation, outcome.value).inc()
        self.request_seconds.labels(record.operation).observe(seconds)
        if record.executed:
            self.statements.labels(record.operation).observe(record.statements)

    def persisted_query(self, result: PersistedQuery) -> None:
        self.persisted_queries.labels(result.value).inc()

    # --- live updates (server/live.py)

    def live_closed(self, code: int) -> None:
        self.live_closes.labels(LIVE_CLOSE_REASONS.get(code, "other")).inc()

    # --- observers given to the layers below

    def provider_call(self, provider: str, operation: str, outcome: str, seconds: float) -> None:
        self.provider_seconds.labels(provider, operation, outcome).observe(seconds)

    def webhook(self, provider: str, outcome: str) -> None:
        self.webhooks.labels(provider, outcome).inc()

    def admission(self, waiting: int, running: int) -> None:
        self.queries_waiting.set(waiting)
        self.queries_running.set(running)

    # --- the scrape

    def exposition(self) -> bytes:
        """The text format of every worker's metrics (blocking: reads the workers' files)."""
        if self.directory:
            _forget_dead_workers(self.directory)
        return generate_latest(self._scraped)


def _forget_dead_workers(directory: str) -> None:
    """Drop the gauges of workers that are gone (uvicorn replaces a worker that dies): their
    last values would otherwise stay in the sums. Their counters and histograms stay, so that
    totals never go down."""
    for path in Path(directory).glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, directory)
        except PermissionError:
            pass  # alive, as another user


class MetricsEndpoint:
    """GET /metrics: the exposition, to `Authorization: Bearer <token>` when a token is set
    (compared in constant time), else to anyone (SWITCHBOARD_METRICS_PUBLIC). Outside the API's
    authentication and rate limit."""

    def __init__(self, metrics: Metrics, token: SecretStr | None) -> None:
        self.metrics = metrics
        self._token = token.get_secret_value().encode() if token is not None else None

    def _authorized(self, request: Request) -> bool:
        if self._token is None:
            return True
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode("latin-1"), self._token)

    def route(self) -> Route:
        return Route("/metrics", self.scrape, methods=["GET"])

    async def scrape(self, request: Request) -> Response:
        if not self._authorized(request):
            return PlainTextResponse(
                "Metrics need `Authorization: Bearer <SWITCHBOARD_METRICS_TOKEN>`.", 401, headers={"WWW-Authenticate": "Bearer"}
            )
        return Response(await run_in_threadpool(self.metrics.exposition), media_type=CONTENT_TYPE_LATEST)
