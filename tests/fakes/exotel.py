"""Exotel's v2_beta REST API (api.exotel.com / api.in.exotel.com): one fake stands for one cluster.

Basic auth `apiKey:apiToken`; an account the cluster does not know, or a wrong key or token, gets
401 in the `RestException` shape (which is what the real API answers when the account lives on the
other cluster). ExoPhones are listed with `Page`/`PageSize` paging and updated with a form-encoded
PUT whose VoiceUrl must be an Exotel flow URL. Exotel publishes no official SDK; the shapes follow its
API reference (developer.exotel.com/api).
"""

import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .base import FakeProvider, basic_auth, read_form

#: The host of the page URIs in list answers (developer.exotel.com/api/exophone-details).
PAGE_HOST = "http://twilix.exotel.com"
FLOW_URL = re.compile(r"^https?://my\.exotel\.com/[^/]+/exoml/start_voice/[0-9]+$")


@dataclass
class ExoPhone:
    sid: str
    phone_number: str  # +91...
    voice_url: str = ""

    def resource(self, account_sid: str) -> dict:
        return {
            "sid": self.sid,
            "friendly_name": "0" + self.phone_number.removeprefix("+91"),
            "phone_number": self.phone_number,
            "voice_url": self.voice_url,
            "sms_url": None,
            "capabilities": {"voice": True, "sms": True},
            "date_created": "2024-01-01 00:00:00",
            "uri": f"/v2_beta/Accounts/{account_sid}/IncomingPhoneNumbers/{self.sid}",
        }


@dataclass
class Account:
    sid: str
    api_key: str
    api_token: str
    numbers: dict[str, ExoPhone] = field(default_factory=dict)


class ExotelFake(FakeProvider):
    key = "exotel"
    page_size = 50

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, Account] = {}

    # --- state for tests
    def add_account(self, sid: str, api_key: str, api_token: str) -> Account:
        self.accounts[sid] = account = Account(sid, api_key, api_token)
        return account

    def add_number(self, account_sid: str, phone_number: str, voice_url: str = "") -> ExoPhone:
        number = ExoPhone("0" + secrets.token_hex(5), phone_number, voice_url)
        self.accounts[account_sid].numbers[number.sid] = number
        return number

    def number(self, account_sid: str, phone_number: str) -> ExoPhone:
        return next(n for n in self.accounts[account_sid].numbers.values() if n.phone_number == phone_number)

    # --- wire format
    def error(self, status: int, message: str = "") -> Response:
        default = {
            401: "Authentication is required to view this page.",
            404: "The requested resource was not found",
            429: "Too Many Requests",
        }.get(status, "Internal Server Error")
        return JSONResponse({"RestException": {"Status": status, "Message": message or default}}, status_code=status)

    def _authenticated(self, handler: Callable[[Request, Account], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        """The handler, called with the account of the path once its key and token are checked."""

        async def endpoint(request: Request) -> Response:
            account = self.accounts.get(request.path_params["sid"])
            if account is None or basic_auth(request.headers.get("authorization")) != (account.api_key, account.api_token):
                return self.error(401)
            return await handler(request, account)

        return endpoint

    def routes(self) -> list[Route]:
        base = "/v2_beta/Accounts/{sid}/IncomingPhoneNumbers"

        async def list_numbers(request: Request, account: Account) -> Response:
            try:
                page = int(request.query_params.get("Page", "0"))
                size = int(request.query_params.get("PageSize", str(self.page_size)))
            except ValueError:
                return self.error(400, "Page and PageSize must be integers")
            numbers = list(account.numbers.values())
            chunk = numbers[page * size : (page + 1) * size]
            # Absolute, on a host of Exotel's own, as the API reference's example answers.
            uri = f"{PAGE_HOST}/v2_beta/Accounts/{account.sid}/IncomingPhoneNumbers"
            more = (page + 1) * size < len(numbers)
            return JSONResponse(
                {
                    "page": page,
                    "page_size": size,
                    "uri": f"{uri}?Page={page}&PageSize={size}",
                    "first_page_uri": f"{uri}?Page=0&PageSize={size}",
                    "next_page_uri": f"{uri}?Page={page + 1}&PageSize={size}" if more else None,
                    "previous_page_uri": f"{uri}?Page={page - 1}&PageSize={size}" if page else None,
                    "incoming_phone_numbers": [n.resource(account.sid) for n in chunk],
                }
            )

        async def one_number(request: Request, account: Account) -> Response:
            number = account.numbers.get(request.path_params["exophone_sid"])
            if number is None:
                return self.error(404)
            if request.method == "PUT":
                form = await read_form(request)
                voice_url = form.get("VoiceUrl")
                if voice_url is not None:
                    # An ExoPhone can only point at one of the account's flows.
                    if voice_url and not FLOW_URL.match(voice_url):
                        return self.error(400, "VoiceUrl must be the URL of an Exotel flow")
                    number.voice_url = voice_url
            # The envelope of the single-number resource is not documented (?); the list's singular.
            return JSONResponse({"incoming_phone_number": number.resource(account.sid)})

        return [
            Route(base, self._authenticated(list_numbers), methods=["GET"]),
            Route(f"{base}/{{exophone_sid}}", self._authenticated(one_number), methods=["GET", "PUT"]),
        ]
