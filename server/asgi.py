"""ASGI entry point for uvicorn workers: `switchboard.server.asgi:app`."""

from .app import create_app
from .garbage import prepare_for_serving
from .logs import configure_logging
from .settings import get_settings

configure_logging(get_settings().log_level, get_settings().log_format)
app = prepare_for_serving(create_app())
