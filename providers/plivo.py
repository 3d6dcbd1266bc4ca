"""Plivo: REST API with an application; numbers link to the application.

Also home of ``AuthIdProvider``, the base shared with Vobiz (a Plivo-like API).
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import DIGITS_HINT, DIGITS_PATTERN, CredentialField, ProviderPlugin, opaque_secret


class AuthIdProvider(ProviderPlugin):
    """Providers whose credentials are an auth id, an auth token and an application id.

    Subclasses declare ``fields = auth_id_fields(...)``. The account id is the auth id, which
    webhooks carry and which is part of every API path.
    """

    # The number is linked to the application whose answer_url is the inbound webhook.
    supports_inbound_sync = True
    needs_caller_ids = True

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return credentials["authId"].strip()


def auth_id_fields(
    provider: str, *, auth_id_pattern: str, auth_id_hint: str, auth_id_placeholder: str
) -> tuple[CredentialField, ...]:
    """The authId / authToken / applicationId fields of an ``AuthIdProvider``."""
    return (
        CredentialField(
            name="authId",
            label="Auth ID",
            pattern=auth_id_pattern,
            pattern_hint=auth_id_hint,
            description=f"{provider} console > Overview.",
            placeholder=auth_id_placeholder,
        ),
        # Neither provider documents the token format ("(?)").
        opaque_secret(
            "authToken",
            "Auth Token",
            f"{provider} console > Overview. Also signs {provider}'s webhooks.",
        ),
        CredentialField(
            name="applicationId",
            label="Application ID",
            pattern=DIGITS_PATTERN,
            pattern_hint=DIGITS_HINT,
            description=f"The {provider} application whose answer URL receives inbound calls.",
            placeholder="29986316244302815",
        ),
    )


class PlivoProvider(AuthIdProvider):
    key = "plivo"
    display_name = "Plivo"
    notes = "Cost-effective option."
    docs_url = "https://www.plivo.com/docs/voice/api/overview"
    fields = auth_id_fields(
        "Plivo",
        # The Plivo SDK's own validator: MA (main account) or SA (subaccount) + 18 characters.
        auth_id_pattern=r"^(?:MA|SA)[A-Z0-9]{18}$",
        auth_id_hint="must look like MA or SA followed by 18 upper-case letters or digits",
        auth_id_placeholder="MAXXXXXXXXXXXXXXXXXX",
    )
