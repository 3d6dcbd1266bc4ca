"""Vonage (Nexmo) on one base URL: the rest.nexmo.com paths (account, numbers) and the
api.nexmo.com paths (applications), as SWITCHBOARD_VONAGE_API_BASE sends both hosts here.

State per API key: the secret, the balance and the owned numbers (msisdn without "+", each
linked to an application or not, and forwarded to a SIP URI or a phone number or not: a
forwarding takes the calls before the application, as vonage-numbers documents); applications
belong to one API key and are shared by the numbers linked to them. Error shapes differ by API:
the Account and Application APIs answer RFC 7807 problems, the Numbers API
`{"error-code", "error-code-label"}`, and /number/update answers HTTP 200 with its outcome in
`error-code`.

Parameters are those of the SDK's models (vonage-numbers' ListOwnedNumbersFilter and
UpdateNumberParams, vonage-application's VoiceUrl ranges); anything else is refused (?: the real
API may ignore unknown parameters, but a misspelt one would then silently change nothing).
"""

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .base import FakeProvider, basic_auth, read_form

PROBLEMS = {
    400: ("bad-request", "Bad Request", "The request failed due to validation errors."),
    401: ("unathorized", "You did not provide correct credentials.", "Check that you're using the correct credentials, and that your account has this feature enabled"),
    404: ("not-found", "Not Found", "The requested resource does not exist, or you do not have access to it."),
    429: ("rate-limit", "Rate Limit Hit", "Please wait, then retry your request"),
}
NUMBERS_LABELS = {400: "missing or invalid parameters", 401: "authentication failed", 420: "Action failed"}
MAX_PAGE_SIZE = 100


def problem(status: int, detail: str = "", **extra: Any) -> JSONResponse:
    slug, title, default_detail = PROBLEMS.get(status, ("internal-error", "Internal Error", "Something went wrong."))
    body = {
        "type": f"https://developer.vonage.com/api-errors/#{slug}",
        "title": title,
        "detail": detail or default_detail,
        "instance": secrets.token_hex(16),
        **extra,
    }
    headers = {"X-Request-Id": body["instance"]}
    if status == 429:
        headers |= {"Retry-After": "1", "X-RateLimit-Limit": "3", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"}
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")


def numbers_error(status: int, label: str = "", *, http_status: int | None = None) -> JSONResponse:
    """The Numbers API's error shape; /number/update answers HTTP 200 with it (`http_status`)."""
    body = {"error-code": str(status), "error-code-label": label or NUMBERS_LABELS.get(status, "error")}
    return JSONResponse(body, status_code=http_status or status)


@dataclass
class Number:
    country: str
    msisdn: str
    app_id: str | None = None
    type: str = "mobile-lvn"
    #: "sip" or "tel" (with voice_callback_value) when the number's calls are forwarded there.
    voice_callback_type: str | None = None
    voice_callback_value: str | None = None

    @property
    def forwarding(self) -> tuple[str, str] | None:
        if self.voice_callback_type and self.voice_callback_value:
            return self.voice_callback_type, self.voice_callback_value
        return None

    def resource(self) -> dict:
        resource: dict[str, Any] = {"country": self.country, "msisdn": self.msisdn, "type": self.type, "features": ["VOICE", "SMS"]}
        if self.app_id:
            resource |= {
                "app_id": self.app_id,
                "voiceCallbackType": "app",
                "voiceCallbackValue": self.app_id,
                "messagesCallbackType": "app",
                "messagesCallbackValue": self.app_id,
            }
        if self.forwarding:
            resource["voiceCallbackType"], resource["voiceCallbackValue"] = self.forwarding
        return resource


@dataclass
class Application:
    id: str
    owner: str
    name: str
    capabilities: dict
    privacy: dict = field(default_factory=lambda: {"improve_ai": False})
    public_key: str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"

    @property
    def answer_url(self) -> dict:
        return self.capabilities.get("voice", {}).get("webhooks", {}).get("answer_url", {})

    def resource(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "capabilities": self.capabilities,
            "privacy": self.privacy,
            "keys": {"public_key": self.public_key},
            "_links": {"self": {"href": f"/v2/applications/{self.id}"}},
        }


@dataclass
class Account:
    api_key: str
    api_secret: str
    balance: float = 10.28
    numbers: dict[str, Number] = field(default_factory=dict)


def voice_capabilities(answer_url: str, http_method: str = "GET") -> dict:
    """A voice application with messages too, so a PUT that drops anything shows."""
    return {
        "voice": {
            "webhooks": {
                "answer_url": {"address": answer_url, "http_method": http_method, "connect_timeout": 1000, "socket_timeout": 5000},
                "event_url": {"address": "https://events.example/vonage", "http_method": "POST"},
            },
            "signed_callbacks": True,
            "conversations_ttl": 48,
        },
        "messages": {
            "webhooks": {
                "inbound_url": {"address": "https://messages.example/inbound", "http_method": "POST"},
                "status_url": {"address": "https://messages.example/status", "http_method": "POST"},
            },
            "version": "v1",
        },
    }


#: capabilities.voice.webhooks entries and the fields each takes (Applications API v2), with the
#: timeouts' ranges in milliseconds (vonage-application's VoiceUrl).
VOICE_WEBHOOKS = ("answer_url", "fallback_answer_url", "event_url")
WEBHOOK_FIELDS = {"address", "http_method", "connect_timeout", "socket_timeout"}
TIMEOUT_RANGES = {"connect_timeout": range(300, 1001), "socket_timeout": range(1000, 10001)}

#: The parameters of /account/numbers (ListOwnedNumbersFilter) and /number/update
#: (UpdateNumberParams' wire names), besides the credentials the API also takes there.
LIST_PARAMETERS = {"pattern", "search_pattern", "size", "index", "country", "application_id", "has_application"}
UPDATE_PARAMETERS = {"country", "msisdn", "app_id", "moHttpUrl", "moSmppSysType", "voiceCallbackType", "voiceCallbackValue", "voiceStatusCallback"}
CREDENTIAL_PARAMETERS = {"api_key", "api_secret"}


def invalid_voice_webhooks(capabilities: Any) -> dict | None:
    """The first invalid_parameters entry for the voice webhooks of a PUT, or None when they are valid:
    known entries only, each an object of known fields, an http(s) address (the fallback may be
    blank) and GET or POST."""
    voice = capabilities.get("voice") if isinstance(capabilities, dict) else None
    webhooks = voice.get("webhooks") if isinstance(voice, dict) else None
    if not isinstance(webhooks, dict):
        return None
    for name, entry in webhooks.items():
        where = f"capabilities.voice.webhooks.{name}"
        if name not in VOICE_WEBHOOKS or not isinstance(entry, dict) or entry.keys() - WEBHOOK_FIELDS:
            return {"name": where, "reason": "Is not a valid webhook."}
        address = entry.get("address")
        if not isinstance(address, str) or not (address.startswith(("https://", "http://")) or (address == "" and name == "fallback_answer_url")):
            return {"name": f"{where}.address", "reason": "Must be a valid URL."}
        if entry.get("http_method") not in ("GET", "POST"):
            return {"name": f"{where}.http_method", "reason": "Must be one of: GET, POST."}
        for name, allowed in TIMEOUT_RANGES.items():
            if name in entry and entry[name] not in allowed:
                return {"name": f"{where}.{name}", "reason": f"Must be between {allowed.start} and {allowed.stop - 1}."}
    return None


def invalid_forwarding(form: dict[str, str]) -> str | None:
    """Why a /number/update's voiceCallbackType and voiceCallbackValue are refused, or None: both
    or neither (UpdateNumberParams checks it), "sip" with a sip: URI, "tel" with a number in
    digits, or both empty to clear the forwarding (?: the deprecated "app" is not modelled)."""
    kind, value = form.get("voiceCallbackType"), form.get("voiceCallbackValue")
    if (kind is None) != (value is None):
        return "voiceCallbackType and voiceCallbackValue go together"
    if kind is None or (kind == "" and value == ""):
        return None
    if kind == "sip" and value.startswith(("sip:", "sips:")):
        return None
    if kind == "tel" and value.isdigit():
        return None
    return "invalid voiceCallbackType or voiceCallbackValue"


class VonageFake(FakeProvider):
    key = "vonage"

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, Account] = {}
        self.applications: dict[str, Application] = {}
        self._update_answers: list[tuple[str, str]] = []

    # --- seeding and reading state
    def add_account(self, api_key: str, api_secret: str, balance: float = 10.28) -> Account:
        self.accounts[api_key] = account = Account(api_key, api_secret, balance)
        return account

    def add_application(self, api_key: str, app_id: str, name: str, answer_url: str, http_method: str = "GET") -> Application:
        self.applications[app_id] = app = Application(app_id, api_key, name, voice_capabilities(answer_url, http_method))
        return app

    def add_number(
        self, api_key: str, msisdn: str, country: str = "US", app_id: str | None = None, forwarding: tuple[str, str] | None = None
    ) -> Number:
        number = Number(country, msisdn, app_id)
        number.voice_callback_type, number.voice_callback_value = forwarding or (None, None)
        self.accounts[api_key].numbers[msisdn] = number
        return number

    def number(self, api_key: str, msisdn: str) -> Number:
        return self.accounts[api_key].numbers[msisdn]

    def answer_next_update(self, code: str, label: str) -> None:
        """The next /number/update answers HTTP 200 with this error-code (and changes nothing)."""
        self._update_answers.append((code, label))

    def error(self, status: int, message: str = "") -> Response:
        return problem(status, message)

    # --- the API
    def _account(self, request: Request, given: dict[str, str] | None = None) -> Account | None:
        """Basic auth, or api_key/api_secret in the query or the form, as the real API accepts."""
        given = given or {}
        credentials = basic_auth(request.headers.get("authorization")) or (
            request.query_params.get("api_key") or given.get("api_key"),
            request.query_params.get("api_secret") or given.get("api_secret"),
        )
        account = self.accounts.get(credentials[0] or "")
        return account if account is not None and secrets.compare_digest(account.api_secret, credentials[1] or "") else None

    def routes(self) -> list[Route]:
        async def get_balance(request: Request) -> Response:
            account = self._account(request)
            if account is None:
                return problem(401)
            return JSONResponse({"value": account.balance, "autoReload": False})

        async def list_numbers(request: Request) -> Response:
            account = self._account(request)
            if account is None:
                return numbers_error(401)
            query = request.query_params
            if set(query.keys()) - LIST_PARAMETERS - CREDENTIAL_PARAMETERS:
                return numbers_error(400, "unknown parameter")
            try:
                size, index = int(query.get("size", "10")), int(query.get("index", "1"))
                search = int(query.get("search_pattern", "0"))
            except ValueError:
                return numbers_error(400)
            if not 1 <= size <= MAX_PAGE_SIZE or index < 1 or search not in (0, 1, 2):
                return numbers_error(400)
            pattern = query.get("pattern", "")
            # Partial matching, like the real API: starts with, contains or ends with.
            matches = {0: str.startswith, 1: str.__contains__, 2: str.endswith}[search]
            found = [n for n in account.numbers.values() if matches(n.msisdn, pattern)]
            if app_id := query.get("application_id"):
                found = [n for n in found if n.app_id == app_id]
            if country := query.get("country"):
                found = [n for n in found if n.country == country]
            body: dict[str, Any] = {"count": len(found)}
            page = found[(index - 1) * size : index * size]
            if page:  # like the real API, "numbers" is absent when there are none
                body["numbers"] = [n.resource() for n in page]
            return JSONResponse(body)

        async def update_number(request: Request) -> Response:
            if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                return numbers_error(400, "request body must be form-encoded")
            form = await read_form(request)
            account = self._account(request, form)
            if account is None:
                return numbers_error(401)
            if set(form) - UPDATE_PARAMETERS - CREDENTIAL_PARAMETERS:
                return numbers_error(400, "unknown parameter")
            if not form.get("country") or not form.get("msisdn"):
                return numbers_error(400, "missing parameter country or msisdn")
            if (refused := invalid_forwarding(form)) is not None:
                return numbers_error(400, refused)
            number = account.numbers.get(form["msisdn"])
            if number is None or number.country != form["country"]:
                # (?) the exact answer for a number the account does not own is undocumented.
                return numbers_error(420, "Action failed: the number is not owned by this account")
            if self._update_answers:
                code, label = self._update_answers.pop(0)
                return numbers_error(int(code), label, http_status=200)
            if "app_id" in form:
                app = self.applications.get(form["app_id"]) if form["app_id"] else None
                if form["app_id"] and (app is None or app.owner != account.api_key):
                    return numbers_error(420, "Action failed: invalid app_id", http_status=200)  # (?)
                number.app_id = form["app_id"] or None
            if "voiceCallbackType" in form:
                number.voice_callback_type = form["voiceCallbackType"] or None
                number.voice_callback_value = form["voiceCallbackValue"] or None
            return numbers_error(200, "success")

        async def application(request: Request) -> Response:
            credentials = basic_auth(request.headers.get("authorization"))
            account = self.accounts.get(credentials[0]) if credentials else None
            if account is None or not secrets.compare_digest(account.api_secret, credentials[1]):
                return problem(401)
            app = self.applications.get(request.path_params["id"])
            if app is None or app.owner != account.api_key:
                return problem(404, f"Application '{request.path_params['id']}' does not exist, or you do not have access")
            if request.method == "PUT":
                try:
                    body = json.loads(await request.body())
                except ValueError:
                    return problem(400, "The request body is not valid JSON.")
                if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
                    return problem(400, invalid_parameters=[{"name": "name", "reason": "Is required."}])
                if (invalid := invalid_voice_webhooks(body.get("capabilities"))) is not None:
                    return problem(400, invalid_parameters=[invalid])
                # A full replacement: what is not sent is gone (the key pair is kept unless replaced).
                app.name = body["name"]
                app.capabilities = body.get("capabilities") if isinstance(body.get("capabilities"), dict) else {}
                app.privacy = body.get("privacy") if isinstance(body.get("privacy"), dict) else {"improve_ai": False}
                public_key = (body.get("keys") or {}).get("public_key")
                if isinstance(public_key, str) and public_key:
                    app.public_key = public_key
            return JSONResponse(app.resource())

        return [
            Route("/account/get-balance", get_balance, methods=["GET"]),
            Route("/account/numbers", list_numbers, methods=["GET"]),
            Route("/number/update", update_number, methods=["POST"]),
            Route("/v2/applications/{id}", application, methods=["GET", "PUT"]),
        ]
