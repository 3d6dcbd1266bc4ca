"""The Twilio 2010-04-01 wire format, shared by the Twilio fake and SignalWire's LaML fake."""

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .base import FakeProvider, basic_auth, read_form

#: The number parameters the fake keeps, with the attribute each one sets.
UPDATABLE = {
    "VoiceUrl": "voice_url",
    "VoiceMethod": "voice_method",
    "VoiceApplicationSid": "voice_application_sid",
    "StatusCallback": "status_callback",
    "StatusCallbackMethod": "status_callback_method",
}
#: The largest PageSize of a list (Twilio's documented maximum).
MAX_PAGE_SIZE = 1000
METHOD_PARAMETERS = ("VoiceMethod", "StatusCallbackMethod", "VoiceFallbackMethod", "SmsMethod", "SmsFallbackMethod")


@dataclass
class IncomingNumber:
    sid: str
    phone_number: str
    voice_url: str = ""
    voice_method: str = "POST"
    voice_application_sid: str | None = None
    status_callback: str = ""
    status_callback_method: str = "POST"

    def resource(self, account_sid: str, prefix: str) -> dict:
        return {
            "sid": self.sid,
            "account_sid": account_sid,
            "phone_number": self.phone_number,
            "friendly_name": self.phone_number,
            "voice_url": self.voice_url,
            "voice_method": self.voice_method,
            "voice_application_sid": self.voice_application_sid,
            "status_callback": self.status_callback,
            "status_callback_method": self.status_callback_method,
            "capabilities": {"voice": True, "sms": True, "mms": False, "fax": False},
            "uri": f"{prefix}/IncomingPhoneNumbers/{self.sid}.json",
        }


@dataclass
class Account:
    sid: str
    token: str
    friendly_name: str = "Test account"
    numbers: dict[str, IncomingNumber] = field(default_factory=dict)


class TwilioCompatibleFake(FakeProvider):
    """Subclasses set `prefix` (the path before /Accounts), `more_info` and `number_sid()`."""

    prefix = "/2010-04-01"
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

    def add_account(self, sid: str, token: str) -> Account:
        self.accounts[sid] = account = Account(sid, token)
        return account

    def add_number(self, account_sid: str, phone_number: str, voice_url: str = "") -> IncomingNumber:
        number = IncomingNumber(self.number_sid(), phone_number, voice_url)
        self.accounts[account_sid].numbers[number.sid] = number
        return number

    def number(self, account_sid: str, phone_number: str) -> IncomingNumber:
        return next(n for n in self.accounts[account_sid].numbers.values() if n.phone_number == phone_number)

    def number_sid(self) -> str:
        return "PN" + secrets.token_hex(16)

    def error(self, status: int, message: str = "") -> Response:
        # 21403: "Invalid Method" when updating a phone number's methods.
        codes = {400: 21403, 401: 20003, 404: 20404, 429: 20429}
        code = codes.get(status, 20500)
        body = {
            "code": code,
            "message": message or {401: "Authenticate", 429: "Too Many Requests"}.get(status, "Error"),
            "more_info": self.more_info.format(code=code),
            "status": status,
        }
        return JSONResponse(body, status_code=status)

    def _account(self, request: Request) -> Account | Response:
        sid = request.path_params["sid"]
        account = self.accounts.get(sid)
        if account is None or basic_auth(request.headers.get("authorization")) != (sid, account.token):
            return self.error(401)
        return account

    def routes(self) -> list[Route]:
        base = f"{self.prefix}/Accounts/{{sid}}"

        async def fetch_account(request: Request) -> Response:
            account = self._account(request)
            if isinstance(account, Response):
                return account
            return JSONResponse(
                {"sid": account.sid, "friendly_name": account.friendly_name, "status": "active", "type": "Full"}
            )

        async def list_numbers(request: Request) -> Response:
            account = self._account(request)
            if isinstance(account, Response):
                return account
            wanted = request.query_params.get("PhoneNumber", "")
            page = int(request.query_params.get("Page", "0"))
            size = self.served_page_size or min(int(request.query_params.get("PageSize", self.page_size)), MAX_PAGE_SIZE)
            # Like the real API, the filter matches partially.
            matching = [n for n in account.numbers.values() if wanted.lstrip("+") in n.phone_number]
            chunk = matching[page * size : (page + 1) * size]
            if not chunk and self.endless == "growing":
                chunk = [IncomingNumber(self.number_sid(), f"+1202{page:03d}{i:04d}") for i in range(size)]
            more = (page + 1) * size < len(matching) or self.endless is not None
            uri = f"{self.prefix}/Accounts/{account.sid}/IncomingPhoneNumbers.json"
            query = {"PhoneNumber": wanted} | ({"PageSize": size} if "PageSize" in request.query_params else {})
            next_page = page if self.endless == "same" else page + 1
            return JSONResponse(
                {
                    "incoming_phone_numbers": [n.resource(account.sid, uri.rsplit("/", 1)[0]) for n in chunk],
                    "page": page,
                    "page_size": size,
                    "next_page_uri": f"{uri}?{urlencode(query | {'Page': next_page})}" if more else None,
                    "previous_page_uri": None,
                    "uri": uri,
                }
            )

        async def update_number(request: Request) -> Response:
            account = self._account(request)
            if isinstance(account, Response):
                return account
            number = account.numbers.get(request.path_params["number_sid"])
            if number is None:
                return self.error(404, "The requested resource was not found")
            form = await read_form(request)
            # Like the real API, unknown parameters are ignored (warning 20001), and methods are checked.
            bad_methods = [name for name in METHOD_PARAMETERS if name in form and form[name] not in ("GET", "POST")]
            if bad_methods:
                return self.error(400, f"{bad_methods[0]} must be GET or POST")
            for parameter, attribute in UPDATABLE.items():
                if parameter in form:
                    setattr(number, attribute, form[parameter])
            number.voice_application_sid = number.voice_application_sid or None  # a blank sid unlinks
            return JSONResponse(number.resource(account.sid, f"{self.prefix}/Accounts/{account.sid}"))

        return [
            Route(f"{base}.json", fetch_account, methods=["GET"]),
            Route(f"{base}/IncomingPhoneNumbers.json", list_numbers, methods=["GET"]),
            Route(f"{base}/IncomingPhoneNumbers/{{number_sid}}.json", update_number, methods=["POST"]),
        ]
