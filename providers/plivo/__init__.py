"""Plivo: REST API with an application; numbers link to the application.

``auth_id`` holds ``AuthIdProvider``, the base Plivo shares with Vobiz (providers/vobiz.py);
``provider`` is Plivo's own wire.
"""

from .auth_id import AuthIdApi, AuthIdProvider, auth_id_fields, unless_missing
from .provider import PLIVO_API_BASE, PlivoApi, PlivoProvider

__all__ = [
    "PLIVO_API_BASE",
    "AuthIdApi",
    "AuthIdProvider",
    "PlivoApi",
    "PlivoProvider",
    "auth_id_fields",
    "unless_missing",
]
