"""Asterisk ARI: your own Asterisk PBX, reached over its REST Interface and WebSocket."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from .base import (
    OPAQUE_TOKEN_HINT,
    OPAQUE_TOKEN_PATTERN,
    Connectivity,
    CredentialField,
    FieldType,
    ProviderPlugin,
)

_DEFAULT_PORTS = {"http": "80", "https": "443"}


class AriProvider(ProviderPlugin):
    key = "ari"
    display_name = "Asterisk ARI"
    notes = (
        "Your own Asterisk PBX. Route inbound calls to Switchboard from the dialplan with "
        "Stasis(<ARI app name>)."
    )
    docs_url = "https://docs.asterisk.org/Configuration/Interfaces/Asterisk-REST-Interface-ARI/"
    connectivity = Connectivity.SIP
    # Calls reach the app only through the PBX dialplan, which ARI cannot edit.
    supports_inbound_sync = False
    # The PBX originates calls itself; a caller ID is optional (extensions need none).
    needs_caller_ids = False
    fields = (
        CredentialField(
            name="ariEndpoint",
            label="ARI Endpoint",
            type=FieldType.URL,
            pattern=(
                r"^https?:\/\/(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._\-]+)(?::[0-9]{1,5})?"
                r"(?:\/[^\s?#]*)?$"
            ),
            pattern_hint=(
                "must be an http:// or https:// URL such as http://pbx.example.com:8088, "
                "without credentials, query or fragment"
            ),
            description="Base URL of the Asterisk HTTP server, without /ari.",
            placeholder="http://pbx.example.com:8088",
        ),
        CredentialField(
            name="appName",
            label="ARI User / App Name",
            # The ari.conf user is also the HTTP Basic user name, so no colon.
            pattern=r"^[^\s:]+$",
            pattern_hint="must not contain spaces or colons",
            description="The user section name in ari.conf; also the Stasis application name.",
        ),
        CredentialField(
            name="appPassword",
            label="ARI Password",
            type=FieldType.SECRET,
            secret=True,
            description="The password of that ari.conf user.",
        ),
        CredentialField(
            name="wsClientName",
            label="WebSocket Client Name",
            required=False,
            pattern=OPAQUE_TOKEN_PATTERN,
            pattern_hint=OPAQUE_TOKEN_HINT,
            description="Connection name in websocket_client.conf, used for externalMedia.",
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        """``host[:port]/appName``: host lower case, the scheme's default port left out."""
        url = urlsplit(credentials["ariEndpoint"].strip())
        host = url.netloc.lower()  # the pattern admits no user info
        default_port = _DEFAULT_PORTS.get(url.scheme.lower())
        host = host.removesuffix(f":{default_port}")
        return f"{host}/{credentials['appName'].strip()}"
