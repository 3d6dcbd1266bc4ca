"""The telephony provider plugin interface.

A provider plugin is a class that declares, at class level, everything the rest of
Switchboard needs to know about a provider's credentials: the form fields (one source of
truth for the GraphQL input types, validation, masking and `telephonyProviders`), whether
it places calls from owned numbers, whether it can push inbound webhooks per number, and
which field verifies its webhooks. Plugins know nothing of GraphQL or of the database.

Plugins are found through the ``switchboard.providers`` entry-point group (see
``registry``), so a third-party package can add one without touching core.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from .errors import FailureKind, ProviderError
from .http import ProviderHttp
from .inbound import CallEndedWebhook, InboundCallWebhook, StreamTarget, WebhookAnswer, WebhookRequest


class FieldType(StrEnum):
    """How a dashboard renders a credential field (mirrors the GraphQL ProviderFieldType)."""

    TEXT = "TEXT"
    SECRET = "SECRET"
    URL = "URL"
    NUMBER = "NUMBER"
    BOOLEAN = "BOOLEAN"
    SELECT = "SELECT"
    TEXTAREA = "TEXTAREA"


class Connectivity(StrEnum):
    """API: calls and numbers go through the provider's REST API. SIP: a SIP/PBX interface."""

    API = "API"
    SIP = "SIP"


@dataclass(frozen=True, slots=True)
class CredentialField:
    """One field of a provider's credentials.

    ``name`` is the camelCase key used in the GraphQL input, in stored credentials and in the
    API's ``credentials`` JSON. ``pattern`` must match the whole (stripped) value; it is written
    to be valid both for Python ``re`` and for JavaScript (including the ``v`` flag that HTML
    ``pattern`` attributes use), and is anchored with ``^...$``. ``pattern_hint`` completes the
    sentence "<label> ..." in the error shown when the pattern does not match; it must never
    depend on the value. ``options`` are (value, label) pairs; when present the value must be
    one of them.
    """

    name: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = True
    secret: bool = False
    pattern: str | None = None
    pattern_hint: str | None = None
    description: str | None = None
    placeholder: str | None = None
    default: str | None = None
    options: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][A-Za-z0-9]*", self.name):
            raise ValueError(f"credential field name {self.name!r} must be camelCase")
        if self.pattern is not None:
            if not (self.pattern.startswith("^") and self.pattern.endswith("$")):
                raise ValueError(f"pattern of {self.name!r} must be anchored with ^...$")
            re.compile(self.pattern)
        if self.type is FieldType.SELECT and not self.options:
            raise ValueError(f"SELECT field {self.name!r} needs options")
        if self.options and self.default is not None and self.default not in self.option_values:
            raise ValueError(f"default of {self.name!r} is not one of its options")

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.options)


# Patterns shared by several providers. Each pattern is valid in Python ``re`` and in JavaScript
# with the ``u`` and ``v`` flags (literal ``-`` and ``/`` inside classes are escaped).
UUID_PATTERN = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
UUID_HINT = "must be a UUID such as 123e4567-e89b-12d3-a456-426614174000"
#: For tokens whose exact format providers do not document: only catches paste accidents.
OPAQUE_TOKEN_PATTERN = r"^\S+$"
OPAQUE_TOKEN_HINT = "must not contain spaces"
DIGITS_PATTERN = r"^[0-9]+$"
DIGITS_HINT = "must contain digits only"


def opaque_secret(
    name: str, label: str, description: str, *, required: bool = True
) -> CredentialField:
    """A secret token whose format the provider does not document: only whitespace is refused."""
    return CredentialField(
        name=name,
        label=label,
        type=FieldType.SECRET,
        required=required,
        secret=True,
        pattern=OPAQUE_TOKEN_PATTERN,
        pattern_hint=OPAQUE_TOKEN_HINT,
        description=description,
    )


@dataclass(frozen=True, slots=True)
class Attached:
    """What an attach did: its one-line summary, and the routing it replaced (provider-specific
    fields: another voice URL, application, trunk, forwarding), which the detach puts back
    (SPEC §4). `replaced` is None when the number pointed nowhere else (or at Switchboard)."""

    message: str
    replaced: Mapping[str, Any] | None = None


#: A provider account's listing stops after this many numbers (`AccountNumbers.complete` False).
MAX_ACCOUNT_NUMBERS = 10_000


@dataclass(frozen=True, slots=True)
class AccountNumbers:
    """The numbers a provider account holds, as the provider lists them (SPEC §14)."""

    addresses: tuple[str, ...]
    #: False when the listing stopped early: MAX_ACCOUNT_NUMBERS, or the time budget.
    complete: bool = True
    #: Why the listing stopped early, in a sentence; None when it is complete.
    note: str | None = None


@dataclass(frozen=True, slots=True)
class InboundNumber:
    """The number a sync is about, as Switchboard stores it."""

    address: str  # the normalized address: E.164 for PSTN, a sip: URI, or an extension
    address_type: str  # PSTN, SIP_URI or SIP_EXTENSION

    @property
    def is_pstn(self) -> bool:
        return self.address_type == "PSTN"

    @property
    def digits(self) -> str:
        """E.164 without the plus, as Vonage and Plivo write numbers."""
        return self.address.lstrip("+")


class ProviderPlugin(abc.ABC):
    """Base class of every telephony provider plugin.

    Subclasses declare the class variables below and implement the network operations through
    the shared `ProviderHttp` client. Operations raise `ProviderError` when they do not succeed;
    its message is shown to users as is. Credentials passed in are decrypted, validated values.
    """

    #: Lower-case identifier: the oneOf input key and, upper-cased, the GraphQL enum value.
    key: ClassVar[str]
    display_name: ClassVar[str]
    notes: ClassVar[str | None] = None
    docs_url: ClassVar[str | None] = None
    connectivity: ClassVar[Connectivity] = Connectivity.API
    #: True when binding an inbound workflow can push the webhook to the provider per number.
    supports_inbound_sync: ClassVar[bool]
    #: True when outbound calls are placed from numbers the account owns (caller IDs).
    needs_caller_ids: ClassVar[bool]
    #: Name of the field holding the secret that verifies the provider's webhooks, if any.
    webhook_secret_field: ClassVar[str | None] = None
    fields: ClassVar[tuple[CredentialField, ...]]
    #: True when the front door answers this provider's inbound calls (SPEC §11); the methods
    #: of the "front door" section below must then be implemented.
    supports_inbound_dispatch: ClassVar[bool] = False
    #: True when the provider's call webhook does not carry the account id, so the inbound URL
    #: carries it in its query (``account``), where the signature covers it.
    account_in_inbound_url: ClassVar[bool] = False
    #: True when the provider does not sign its webhooks, so the inbound URL carries an
    #: unguessable per-configuration token (``token``), compared in constant time.
    token_in_inbound_url: ClassVar[bool] = False

    def __init__(self) -> None:
        cls = type(self)
        for attr in ("key", "display_name", "supports_inbound_sync", "needs_caller_ids", "fields"):
            if not hasattr(cls, attr):
                raise TypeError(f"provider plugin {cls.__qualname__} does not declare {attr!r}")
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise TypeError(f"provider plugin {cls.__qualname__} declares a field twice")
        if self.webhook_secret_field is not None and self.webhook_secret_field not in names:
            raise TypeError(
                f"provider plugin {cls.__qualname__}: webhook_secret_field "
                f"{self.webhook_secret_field!r} is not a declared field"
            )

    @abc.abstractmethod
    def account_id(self, credentials: Mapping[str, str]) -> str:
        """The provider account identifier that the provider's webhooks carry.

        Part of the routing key (provider, account id, normalized address); normalized so that
        equivalent credentials give the same id. ``credentials`` are validated plaintext values.
        """

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        """Check the credentials with the provider's cheapest authenticated call; return what it said."""
        raise ProviderError(FailureKind.UNSUPPORTED, f"{self.display_name} offers no way to check credentials.")

    async def attach_inbound(
        self, http: ProviderHttp, credentials: Mapping[str, str], number: InboundNumber, url: str
    ) -> Attached:
        """Make the provider send the number's inbound calls to `url`; say what was done and what
        routing it replaced (named in the message too)."""
        raise ProviderError(FailureKind.UNSUPPORTED, self.no_inbound_sync_message)

    async def detach_inbound(
        self,
        http: ProviderHttp,
        credentials: Mapping[str, str],
        number: InboundNumber,
        url: str,
        replaced: Mapping[str, Any] | None = None,
    ) -> str:
        """Stop the provider sending the number's inbound calls to `url` (Switchboard's), without
        touching settings that other numbers share or that point elsewhere, and put back what the
        attach `replaced`; return a one-line summary."""
        raise ProviderError(FailureKind.UNSUPPORTED, self.no_inbound_sync_message)

    async def account_numbers(self, http: ProviderHttp, credentials: Mapping[str, str]) -> AccountNumbers:
        """Every number the provider account holds, page after page within the time budget, up to
        MAX_ACCOUNT_NUMBERS."""
        raise ProviderError(FailureKind.UNSUPPORTED, f"{self.display_name} offers no list of an account's numbers.")

    # --- the front door (SPEC §11), for providers that declare supports_inbound_dispatch

    def parse_inbound(self, request: WebhookRequest) -> InboundCallWebhook | CallEndedWebhook | None:
        """The call webhook as a new call (or, for providers that send every event to one URL, an
        ended call; None for events the front door ignores). MalformedWebhook when unparseable."""
        raise NotImplementedError

    def parse_status(self, request: WebhookRequest) -> CallEndedWebhook | None:
        """A call-status callback: the call that ended, or None when the status is not an end."""
        raise NotImplementedError

    def signature_valid(self, request: WebhookRequest, credentials: Mapping[str, str]) -> bool:
        """Whether the request carries a valid signature made with these credentials, checked
        exactly as the provider's official SDK validator checks it."""
        raise NotImplementedError

    def stream_answer(self, target: StreamTarget) -> WebhookAnswer:
        """The answer that connects the call's media, both ways, to the agent at ``target``."""
        raise NotImplementedError

    def reject_answer(self) -> WebhookAnswer:
        """The answer that speaks REJECTION_MESSAGE and hangs up."""
        raise NotImplementedError

    async def complete_answer(
        self,
        http: ProviderHttp,
        credentials: Mapping[str, str],
        call: InboundCallWebhook,
        target: StreamTarget | None,
    ) -> None:
        """Providers that answer calls through their REST API (not in the webhook's response) do
        it here, before the webhook is acknowledged: stream to ``target``, or reject when None.
        The others answer in the webhook's response: nothing to do."""
        return None

    def require_pstn(self, number: InboundNumber) -> None:
        if not number.is_pstn:
            raise ProviderError(
                FailureKind.UNSUPPORTED,
                f"{self.display_name} routes inbound calls for phone numbers only; {number.address} is not one.",
            )

    @property
    def no_inbound_sync_message(self) -> str:
        return f"{self.display_name} has no API to route a number's inbound calls; configure it in the {self.display_name} console."

    def manual_inbound_step(self, number: InboundNumber, url: str, *, attach: bool) -> str:
        """For providers without inbound sync: the console step that sends the number's inbound
        calls to `url` (attach), or that stops it (detach), reported as the sync's MANUAL_STEP."""
        if attach:
            return self.no_inbound_sync_message
        return (
            f"{self.display_name} has no API to route a number's inbound calls; stop routing {number.address} "
            f"to Switchboard in the {self.display_name} console."
        )

    def field(self, name: str) -> CredentialField:
        """The declared field called ``name``; KeyError when there is none."""
        for declared in self.fields:
            if declared.name == name:
                return declared
        raise KeyError(f"{self.key} has no credential field {name!r}")

    @property
    def secret_field_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.secret)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} key={self.key!r}>"
