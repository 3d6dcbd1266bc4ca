"""ASGI entry point for uvicorn workers: `switchboard.server.asgi:app`."""

import logging

from .app import create_app
from .garbage import prepare_for_serving
from .settings import get_settings

logging.basicConfig(level=get_settings().log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
app = prepare_for_serving(create_app())
