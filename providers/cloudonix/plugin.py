"""The Cloudonix plugin: credentials, inbound sync through the domain's voice application and the
number's DNID, and the front door's CXML."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..account_listing import collect
from ..base import AccountNumbers, Attached, CredentialField, FieldType, InboundNumber, ProviderPlugin
from ..errors import FailureKind, ProviderError
from ..http import ProviderHttp
from ..inbound import CallEndedWebhook, InboundCallWebhook, MalformedWebhook, StreamTarget, WebhookAnswer, WebhookRequest
from ..twiml import connect_stream, say_and_hang_up
from .domain import Domain, bound_to, reference, voice_application
from .webhook import international, request_fields, required

_DEFAULT_DOMAIN_SUFFIX = ".cloudonix.net"


class CloudonixProvider(ProviderPlugin):
    key = "cloudonix"
    display_name = "Cloudonix"
    notes = "Enterprise SIP, bring your own carrier."
    docs_url = "https://docs.cloudonix.io/"
    # A DNID is bound to the voice application with POST .../applications/{uuid}/dnids.
    supports_inbound_sync = True
    # The voice application's request is CXML's (CallSid, From, To), signed by nothing: its URL
    # names the domain and carries the configuration's token.
    supports_inbound_dispatch = True
    account_in_inbound_url = True
    token_in_inbound_url = True
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

    def parse_inbound(self, request: WebhookRequest) -> InboundCallWebhook:
        fields = request_fields(request)
        account = request.query_param("account")
        if not account:
            raise MalformedWebhook("the URL names no account")
        return InboundCallWebhook(
            call_id=required(fields, "CallSid"),
            account_id=account,
            called=international(required(fields, "To")),
            calling=fields.get("From", ""),
        )

    def parse_status(self, request: WebhookRequest) -> CallEndedWebhook | None:
        # No per-call status webhook is documented (the <Stream> statusCallback's request is not),
        # so none is configured: calls stop counting after SWITCHBOARD_CALL_MAX_SECONDS.
        raise MalformedWebhook("Cloudonix sends no call-status callbacks to Switchboard")

    def stream_answer(self, target: StreamTarget) -> WebhookAnswer:
        # <Stream> has no <Parameter> in CXML: the names go in the URL. The document goes on once
        # the stream ends, so it hangs up then, as Cloudonix's own <Connect><Stream> example does.
        return connect_stream(target, parameters=False, then_hang_up=True)

    def reject_answer(self) -> WebhookAnswer:
        return say_and_hang_up()

    @staticmethod
    def domain(credentials: Mapping[str, str]) -> str:
        """The full domain name, lower case: a bare name gets ``.cloudonix.net``."""
        domain = credentials["domainId"].strip().rstrip(".").lower()
        return domain if "." in domain else domain + _DEFAULT_DOMAIN_SUFFIX

    async def verify_credentials(self, http: ProviderHttp, credentials: Mapping[str, str]) -> str:
        # Domain-scope keys cannot read /customers/self, so ask for the domain itself.
        domain = Domain(self, http, credentials)
        try:
            info = await domain.call("GET")
        except ProviderError as exc:
            if exc.kind is FailureKind.NOT_FOUND:
                raise ProviderError(
                    exc.kind, f"Cloudonix has no domain {domain.name} for this API key; check the Domain field."
                ) from exc
            raise
        if not isinstance(info, dict):
            raise ProviderError(FailureKind.BAD_RESPONSE, "Cloudonix answered the domain lookup with an unexpected body.")
        state = "active" if info.get("active", True) else "inactive"
        return f"Cloudonix accepted the API key for domain {info.get('domain') or domain.name} ({state})."

    async def _number(
        self, http: ProviderHttp, credentials: Mapping[str, str], number: InboundNumber
    ) -> tuple[Domain, dict[str, Any] | None]:
        """The domain and the number's own DNID (None when it has none)."""
        self.require_pstn(number)
        domain = Domain(self, http, credentials)
        return domain, await domain.find_dnid(number.address)

    # A DNID binds a number (or a pattern) to one voice application. Attach: point the shared
    # application at `url` (PATCH only when it differs), then make sure the number has its own exact,
    # active DNID on that application: create it, or move it with a DNID update (PATCH
    # `voice-application`, `active`), keeping what it had. Detach: when the number's own DNID is on
    # our application and that application points at `url`, put back what the attach replaced, or
    # delete the DNID the attach created; the application itself is never changed. Hence not
    # `LinkedApplicationProvider`: a missing DNID is created rather than an error, and detach checks
    # the application's URL too.
    async def attach_inbound(
        self, http: ProviderHttp, credentials: Mapping[str, str], number: InboundNumber, url: str
    ) -> Attached:
        domain, dnid = await self._number(http, credentials, number)
        app = await domain.application()
        await domain.point_application(app, url)
        name = domain.application_name
        replaced: dict[str, Any] = {}
        if dnid is None:
            await domain.bind(number.address)
            how = f"DNID bound to '{name}'"
        else:
            changes: dict[str, Any] = {}
            if not bound_to(dnid, app):
                changes["voice-application"] = name
                previous = reference(voice_application(dnid))
                if previous is not None:
                    replaced["voice-application"] = previous
            if dnid.get("active", True) is False:
                changes["active"], replaced["active"] = True, False
            if changes:
                await domain.update_dnid(dnid, changes)
            how = f"DNID {'moved to' if changes else 'already on'} '{name}'"
        summary = f"Cloudonix now sends inbound calls to {number.address} to Switchboard ({how})."
        if replaced:
            summary += (
                f" Its DNID was {dnid_state(replaced)}; Switchboard keeps that and puts it back when the number is unbound."
            )
        return Attached(summary, replaced or None)

    async def detach_inbound(
        self,
        http: ProviderHttp,
        credentials: Mapping[str, str],
        number: InboundNumber,
        url: str,
        replaced: Mapping[str, Any] | None = None,
    ) -> str:
        domain, dnid = await self._number(http, credentials, number)
        if dnid is None:
            return f"{number.address} has no DNID in the Cloudonix domain {domain.name}; nothing to detach."
        try:
            app = await domain.application()
        except ProviderError as exc:
            if exc.kind is not FailureKind.NOT_FOUND:
                raise
            app = None
        if app is None or not bound_to(dnid, app) or app.get("url") != url:
            return (
                f"{number.address} is not bound to the Cloudonix application '{domain.application_name}' "
                "pointing at Switchboard; left as it is."
            )
        done = f"Cloudonix no longer sends inbound calls to {number.address} to Switchboard"
        if replaced:
            try:
                await domain.update_dnid(dnid, replaced)
            except ProviderError as exc:
                if exc.kind is not FailureKind.NOT_FOUND:
                    raise
                # The application it was on is gone: the DNID would route to nothing of the user's.
                await domain.delete_dnid(dnid)
                return f"{done} (DNID removed: it was {dnid_state(replaced)} before, and that application no longer exists)."
            return f"{done} (its DNID is {dnid_state(replaced)} again, as before Switchboard)."
        await domain.delete_dnid(dnid)
        return f"{done} (DNID removed)."

    async def account_numbers(self, http: ProviderHttp, credentials: Mapping[str, str]) -> AccountNumbers:
        return await collect(http, self.display_name, Domain(self, http, credentials).number_pages())


def dnid_state(routing: Mapping[str, Any]) -> str:
    """What a DNID's `voice-application` and `active` (from an attach's `replaced`) say, in a few words."""
    words = [f"on application '{routing['voice-application']}'"] if "voice-application" in routing else []
    if routing.get("active") is False:
        words.append("inactive")
    return " and ".join(words)
