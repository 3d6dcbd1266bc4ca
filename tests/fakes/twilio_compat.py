"""The Twilio 2010-04-01 wire format, shared by the Twilio fake and SignalWire's LaML fake.

Stricter than the real API in one respect, on purpose: Twilio ignores a parameter it does not
know (warning 20001, "no harm done") and answers 200, so a misspelt or wrongly cased name
(`VoiceURL`) would change nothing while the call reports success. The fake refuses it with a 400
in Twilio's error shape, code 20001, so that the tests see it. The parameters it knows are the
ones the twilio SDK sends (9.13, `rest/api/v2010/account/incoming_phone_number/__init__.py`).

Routing follows the SDK's documentation of the resource: a number on a SIP trunk (`trunk_sid`)
ignores its voice URL and application; a number with a `voice_application_sid` uses the
application's voice URL (applications are shared by several numbers); setting one of the two
removes the other. `destination()` says where a call to a number goes.
"""

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .base import FakeProvider, basic_auth, read_form

#: The form parameters of an IncomingPhoneNumber update (IncomingPhoneNumberContext.update).
UPDATE_PARAMETERS = frozenset(
    {
        "AccountSid",
        "ApiVersion",
        "FriendlyName",
        "SmsApplicationSid",
        "SmsFallbackMethod",
        "SmsFallbackUrl",
        "SmsMethod",
        "SmsUrl",
        "StatusCallback",
        "StatusCallbackMethod",
        "VoiceApplicationSid",
        "VoiceCallerIdLookup",
        "VoiceFallbackMethod",
        "VoiceFallbackUrl",
        "VoiceMethod",
        "VoiceUrl",
        "EmergencyStatus",
        "EmergencyAddressSid",
        "TrunkSid",
        "VoiceReceiveMode",
        "IdentitySid",
        "AddressSid",
        "BundleSid",
    }
)
#: The query parameters of the IncomingPhoneNumbers list (IncomingPhoneNumberList.page).
LIST_PARAMETERS = frozenset({"Beta", "FriendlyName", "PhoneNumber", "Origin", "PageToken", "Page", "PageSize"})
MAX_PAGE_SIZE = 1000
#: The number parameters the fake keeps, with the attribute each one sets.
UPDATABLE = {
    "VoiceUrl": "voice_url",
    "VoiceMethod": "voice_method",
    "VoiceFallbackUrl": "voice_fallback_url",
    "StatusCallback": "status_callback",
    "StatusCallbackMethod": "status_callback_method",
}
#: The largest PageSize of a list (Twilio's documented maximum).
MAX_PAGE_SIZE = 1000
METHOD_PARAMETERS = ("VoiceMethod", "StatusCallbackMethod", "VoiceFallbackMethod", "SmsMethod", "SmsFallbackMethod")
DATE = "Mon, 01 Jan 2024 00:00:00 +0000"


@dataclass
class IncomingNumber:
    sid: str
    phone_number: str
    voice_url: str = ""
    voice_method: str = "POST"
    voice_fallback_url: str = ""
    voice_application_sid: str | None = None
    trunk_sid: str | None = None
    status_callback: str = ""
    status_callback_method: str = "POST"

    def resource(self, account_sid: str, prefix: str) -> dict:
        """The resource with every field the SDK reads (blank SIDs are null, blank URLs "")."""
        return {
            "sid": self.sid,
            "account_sid": account_sid,
            "phone_number": self.phone_number,
            "friendly_name": self.phone_number,
            "api_version": "2010-04-01",
            "beta": False,
            "capabilities": {"voice": True, "sms": True, "mms": False, "fax": False},
            "date_created": DATE,
            "date_updated": DATE,
            "origin": "twilio",
            "voice_url": self.voice_url,
            "voice_method": self.voice_method,
            "voice_fallback_url": self.voice_fallback_url,
            "voice_fallback_method": "POST",
            "voice_caller_id_lookup": False,
            "voice_application_sid": self.voice_application_sid,
            "voice_receive_mode": "voice",
            "trunk_sid": self.trunk_sid,
            "status_callback": self.status_callback,
            "status_callback_method": self.status_callback_method,
            "sms_application_sid": None,
            "sms_url": "",
            "sms_method": "POST",
            "sms_fallback_url": "",
            "sms_fallback_method": "POST",
            "address_sid": None,
            "address_requirements": "none",
            "identity_sid": None,
            "bundle_sid": None,
            "emergency_status": "Inactive",
            "emergency_address_sid": None,
            "status": "in-use",
            "uri": f"{prefix}/IncomingPhoneNumbers/{self.sid}.json",
        }


@dataclass
class Account:
    sid: str
    token: str
    friendly_name: str = "Test account"
    numbers: dict[str, IncomingNumber] = field(default_factory=dict)
    #: TwiML (LaML) applications by SID, with the voice URL of each.
    applications: dict[str, str] = field(default_factory=dict)


class TwilioCompatibleFake(FakeProvider):
    """Subclasses set `prefix` (the path before /Accounts), `more_info` and `new_sid()`."""

    prefix = "/2010-04-01"
    #: Other paths before /Accounts that serve the same API; responses name `prefix`.
    prefix_aliases: tuple[str, ...] = ()
    page_size = 50
    #: The error documentation link of the `more_info` field, formatted with the error code.
    more_info = "https://www.twilio.com/docs/errors/{code}"

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, Account] = {}
        #: Faults of the list: "same" (next_page_uri points at the page itself) or "growing" (pages
        #: of new numbers for ever); `served_page_size` answers pages of that size whatever PageSize says.
        self.endless: str | None = None
        self.served_page_size: int | None = None

    def reset(self) -> None:
        super().reset()
        self.endless = self.served_page_size = None

    # --- state for tests
    def add_account(self, sid: str, token: str) -> Account:
        self.accounts[sid] = account = Account(sid, token)
        return account

    def add_number(
        self,
        account_sid: str,
        phone_number: str,
        voice_url: str = "",
        *,
        voice_method: str = "POST",
        application: str | None = None,
        trunk: str | None = None,
    ) -> IncomingNumber:
        number = IncomingNumber(
            self.new_sid("PN"), phone_number, voice_url, voice_method, voice_application_sid=application, trunk_sid=trunk
        )
        self.accounts[account_sid].numbers[number.sid] = number
        return number

    def add_application(self, account_sid: str, voice_url: str) -> str:
        sid = self.new_sid("AP")
        self.accounts[account_sid].applications[sid] = voice_url
        return sid

    def number(self, account_sid: str, phone_number: str) -> IncomingNumber:
        return next(n for n in self.accounts[account_sid].numbers.values() if n.phone_number == phone_number)

    def destination(self, account_sid: str, phone_number: str) -> str:
        """Where a call to the number goes: "trunk <sid>", else the voice URL of its application,
        else its own voice URL ("" when none)."""
        number = self.number(account_sid, phone_number)
        if number.trunk_sid:
            return f"trunk {number.trunk_sid}"
        if number.voice_application_sid:
            application = number.voice_application_sid
            return self.accounts[account_sid].applications.get(application, f"application {application}")
        return number.voice_url

    def new_sid(self, prefix: str) -> str:
        """A new SID of the kind `prefix` names (PN number, AP application, TK trunk)."""
        return prefix + secrets.token_hex(16)

    # --- wire format
    def error(self, status: int, message: str = "", code: int | None = None) -> Response:
        # 21403: "Invalid Method" when updating a phone number's methods.
        codes = {400: 21403, 401: 20003, 404: 20404, 429: 20429}
        code = code or codes.get(status, 20500)
        body = {
            "code": code,
            "message": message or {401: "Authenticate", 429: "Too Many Requests"}.get(status, "Error"),
            "more_info": self.more_info.format(code=code),
            "status": status,
        }
        return JSONResponse(body, status_code=status)

    def _unknown(self, names: object, known: frozenset[str]) -> Response | None:
        unknown = sorted(set(names) - known)  # type: ignore[call-overload]
        return self.error(400, f"Unknown parameters: {', '.join(unknown)}", code=20001) if unknown else None

    def _account(self, request: Request) -> Account | Response:
        sid = request.path_params["sid"]
        account = self.accounts.get(sid)
        if account is None or basic_auth(request.headers.get("authorization")) != (sid, account.token):
            return self.error(401)
        return account

    @staticmethod
    def _route_to(number: IncomingNumber, form: dict[str, str]) -> None:
        """Apply VoiceApplicationSid and TrunkSid: blank removes; setting one removes the other."""
        application, trunk = form.get("VoiceApplicationSid"), form.get("TrunkSid")
        if application is not None:
            number.voice_application_sid = application or None
            if application:
                number.trunk_sid = None
        if trunk is not None:
            number.trunk_sid = trunk or None
            if trunk:
                number.voice_application_sid = None

    def routes(self) -> list[Route]:
        async def fetch_account(request: Request) -> Response:
            account = self._account(request)
            if isinstance(account, Response):
                return account
            uri = f"{self.prefix}/Accounts/{account.sid}"
            return JSONResponse(
                {
                    "sid": account.sid,
                    "friendly_name": account.friendly_name,
                    "status": "active",
                    "type": "Full",
                    "owner_account_sid": account.sid,
                    "date_created": DATE,
                    "date_updated": DATE,
                    "uri": f"{uri}.json",
                    "subresource_uris": {"incoming_phone_numbers": f"{uri}/IncomingPhoneNumbers.json"},
                }
            )

        async def list_numbers(request: Request) -> Response:
            account = self._account(request)
            if isinstance(account, Response):
                return account
            query = request.query_params
            if refused := self._unknown(query.keys(), LIST_PARAMETERS):
                return refused
            try:
                page, size = int(query.get("Page", "0")), int(query.get("PageSize", str(self.page_size)))
            except ValueError:
                return self.error(400, "Page and PageSize must be integers", code=20001)
            if page < 0 or not 1 <= size <= MAX_PAGE_SIZE:
                return self.error(400, f"PageSize must be between 1 and {MAX_PAGE_SIZE}", code=20001)
            size = self.served_page_size or size
            wanted = query.get("PhoneNumber", "")
            # Like the real API, the filter matches partially.
            matching = [n for n in account.numbers.values() if wanted.lstrip("+") in n.phone_number]
            chunk = matching[page * size : (page + 1) * size]
            if not chunk and self.endless == "growing":
                chunk = [IncomingNumber(self.new_sid("PN"), f"+1202{page:03d}{i:04d}") for i in range(size)]
            uri = f"{self.prefix}/Accounts/{account.sid}/IncomingPhoneNumbers.json"
            filters = {k: v for k, v in query.items() if k in ("PhoneNumber", "FriendlyName", "Beta", "Origin")}

            def page_uri(number: int, **extra: str) -> str:
                return f"{uri}?{urlencode({**filters, 'PageSize': size, 'Page': number, **extra})}"

            more = (page + 1) * size < len(matching) or self.endless is not None
            next_page = page if self.endless == "same" else page + 1
            return JSONResponse(
                {
                    "incoming_phone_numbers": [n.resource(account.sid, uri.rsplit("/", 1)[0]) for n in chunk],
                    "page": page,
                    "page_size": size,
                    "start": page * size,
                    "end": page * size + max(len(chunk) - 1, 0),
                    "first_page_uri": page_uri(0),
                    # Twilio's next page carries a PageToken: the SID of the page's last record.
                    "next_page_uri": page_uri(next_page, PageToken=f"PA{chunk[-1].sid}") if more and chunk else None,
                    "previous_page_uri": page_uri(page - 1) if page else None,
                    "uri": page_uri(page),
                }
            )

        async def update_number(request: Request) -> Response:
            account = self._account(request)
            if isinstance(account, Response):
                return account
            number = account.numbers.get(request.path_params["number_sid"])
            if number is None:
                return self.error(404, "The requested resource was not found")
            if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
                return self.error(400, "the body must be form-encoded", code=20001)
            form = await read_form(request)
            if refused := self._unknown(form.keys(), UPDATE_PARAMETERS):
                return refused
            bad_methods = [name for name in METHOD_PARAMETERS if name in form and form[name] not in ("GET", "POST")]
            if bad_methods:
                return self.error(400, f"{bad_methods[0]} must be GET or POST")
            self._route_to(number, form)
            for parameter, attribute in UPDATABLE.items():
                if parameter in form:
                    setattr(number, attribute, form[parameter])
            return JSONResponse(number.resource(account.sid, f"{self.prefix}/Accounts/{account.sid}"))

        return [
            route
            for prefix in (self.prefix, *self.prefix_aliases)
            for route in (
                Route(f"{prefix}/Accounts/{{sid}}.json", fetch_account, methods=["GET"]),
                Route(f"{prefix}/Accounts/{{sid}}/IncomingPhoneNumbers.json", list_numbers, methods=["GET"]),
                Route(f"{prefix}/Accounts/{{sid}}/IncomingPhoneNumbers/{{number_sid}}.json", update_number, methods=["POST"]),
            )
        ]
