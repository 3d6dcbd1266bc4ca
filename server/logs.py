"""What the server logs look like (SPEC §9 settings `log_level`, `log_format`): text for people,
or one JSON object per line for log pipelines. Every line written while a request is served
carries that request's id, the one its response names in `X-Request-ID` and the audit log
records, and each HTTP request gets one access line. The access line names the path without its
query string: a GET's query string holds GraphQL text and variables.

Nothing here formats SQL parameters (the engine hides them) or request bodies."""

import logging
import logging.config
import time
import uuid
from contextvars import ContextVar
from typing import Any, Literal

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LogFormat = Literal["text", "json"]

# The id of the request being served; "" outside requests (start-up, background pruning).
REQUEST_ID: ContextVar[str] = ContextVar("switchboard_request_id", default="")
REQUEST_ID_HEADER = "X-Request-ID"

access_log = logging.getLogger("switchboard.access")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record, as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


def logging_config(level: str, log_format: LogFormat) -> dict[str, Any]:
    """A `logging.config.dictConfig` for Switchboard's loggers and uvicorn's, which the workers of
    `switchboard serve` apply too. uvicorn's own access log is off: `AccessLog` writes one with
    the request id and without query strings."""
    formatters = {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{levelname}{name}{message}",
            "style": "{",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "loggers": {
            name: {"handlers": ["stderr"], "level": level.upper(), "propagate": False}
            for name in ("switchboard", "uvicorn", "uvicorn.error")
        }
        | {"uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False}},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


def configure_logging(level: str, log_format: LogFormat) -> None:
    logging.config.dictConfig(logging_config(level, log_format))


class AccessLog:
    """ASGI middleware: gives each HTTP request its id (in the context, so every log line and the
    audit log see it, and in the `X-Request-ID` response header) and logs one line when the
    response has started: method, path, status and milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                # Undecoded, so that a %0A in a path cannot start a line of its own.
                path = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
                milliseconds = round((time.perf_counter() - started) * 1000, 1)
                access_log.info(
                    "%s %s %d %.1f ms",
                    scope["method"],
                    path,
                    status,
                    milliseconds,
                    extra={"method": scope["method"], "path": path, "status": status, "duration_ms": milliseconds},
                )
            REQUEST_ID.reset(token)
