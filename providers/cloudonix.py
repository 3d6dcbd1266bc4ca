"""Cloudonix: a SIP platform (bring your own carrier) with a REST API for DNIDs and apps."""

from __future__ import annotations

from collections.abc import Mapping

from .base import CredentialField, FieldType, ProviderPlugin

_DEFAULT_DOMAIN_SUFFIX = ".cloudonix.net"


class CloudonixProvider(ProviderPlugin):
    key = "cloudonix"
    display_name = "Cloudonix"
    notes = "Enterprise SIP, bring your own carrier."
    docs_url = "https://docs.cloudonix.io/"
    # A DNID is bound to the voice application with POST .../applications/{uuid}/dnids.
    supports_inbound_sync = True
    # Outbound calls are placed through the REST API from the domain's DNIDs, whose numbers
    # are presented as the caller ID, and the domain has a DNID inventory to sync.
    needs_caller_ids = True
    fields = (
        CredentialField(
            name="bearerToken",
            label="API Key",
            type=FieldType.SECRET,
            secret=True,
            # Keys are "XI" + 32 characters; the charset and length are not confirmed ("(?)"),
            # so only the prefix is checked.
            pattern=r"^XI\S+$",
            pattern_hint="must be a Cloudonix API key starting with XI",
            description="Cloudonix Cockpit > API keys. Sent as a Bearer token.",
        ),
        CredentialField(
            name="domainId",
            label="Domain",
            pattern=r"^[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*\.?$",
            pattern_hint="must be a domain name such as acme.cloudonix.net",
            description="Your Cloudonix domain; a bare name means <name>.cloudonix.net.",
            placeholder="acme.cloudonix.net",
        ),
        CredentialField(
            name="applicationName",
            label="Voice Application",
            pattern=r"^[A-Za-z0-9._\-]+$",
            pattern_hint="must contain only letters, digits, '.', '_' and '-'",
            description="Name of the voice application whose URL receives inbound calls.",
        ),
    )

    def account_id(self, credentials: Mapping[str, str]) -> str:
        return self.domain(credentials)

    @staticmethod
    def domain(credentials: Mapping[str, str]) -> str:
        """The full domain name, lower case: a bare name gets ``.cloudonix.net``."""
        domain = credentials["domainId"].strip().rstrip(".").lower()
        return domain if "." in domain else domain + _DEFAULT_DOMAIN_SUFFIX
