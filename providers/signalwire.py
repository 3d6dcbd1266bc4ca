"""SignalWire: the Twilio-compatible (LaML/cXML) REST API of a SignalWire space."""

from __future__ import annotations

from collections.abc import Mapping

from .base import UUID_HINT, UUID_PATTERN, CredentialField, FieldType, ProviderPlugin, opaque_secret


class SignalwireProvider(ProviderPlugin):
    key = "signalwire"
    display_name = "SignalWire"
    notes = "Twilio-compatible API."
    docs_url = "https://developer.signalwire.com/compatibility-api/rest/"
    # Each number's VoiceUrl is set with POST .../IncomingPhoneNumbers/{Sid}.json, as on Twilio.
    supports_inbound_sync = True
    needs_caller_ids = True
    webhook_secret_field = "signingKey"
    fields = (
        CredentialField(
            name="spaceUrl",
            label="Space URL",
            # The host of the space; a pasted https:// prefix or trailing slash is tolerated
            # (see space_host).
            pattern=r"^(?:https?:\/\/)?[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.signalwire\.com\/?$",
            pattern_hint="must look like example.signalwire.com",
            description="The host name of your SignalWire space.",
            placeholder="example.signalwire.com",
        ),
        CredentialField(
            name="projectId",
            label="Project ID",
            pattern=UUID_PATTERN,
            pattern_hint=UUID_HINT,
            description="SignalWire Dashboard > API > Project ID.",
        ),
        # Newer tokens start with PT, older ones are ~50 letters and digits ("(?)").
        opaque_secret(
            "apiToken",
            "API Token",
            "SignalWire Dashboard > API > API Tokens (needs the Voice and Numbers scopes).",
        ),
        CredentialField(
            name="signingKey",
            label="Signing Key",
            type=FieldType.SECRET,
            required=False,
            secret=True,
            pattern=r"^PSK_[A-Za-z0-9]+$",
            pattern_hint="must look like PSK_ followed by letters and digits",
            description="SignalWire Dashboard > API > Signing Key. Verifies SignalWire webhooks.",
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        # Project ids are UUIDs: case-insensitive, carried lower case as AccountSid.
        return credentials["projectId"].strip().lower()

    @staticmethod
    def space_host(credentials: Mapping[str, str]) -> str:
        """The space's host name, lower case, without the scheme or a trailing slash."""
        host = credentials["spaceUrl"].strip().lower()
        host = host.removeprefix("https://").removeprefix("http://")
        return host.rstrip("/")
