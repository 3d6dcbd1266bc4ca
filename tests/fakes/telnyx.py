"""Telnyx API v2 (api.telnyx.com/v2): JSON bodies, `data`/`meta` envelopes, `errors` arrays.

State per API key: the balance, the phone numbers (each on a connection or none), the connections
that numbers are on through their `connection_id` (Call Control applications, which many numbers
share, and the other kinds: SIP connections, TeXML applications), and the calls waiting to be
answered, which take the `answer` and `reject` commands. Request parameters are checked against
telnyx-python's own TypedDicts (names, required ones, enum values, strings where it types
strings: a null `connection_id` is refused). The number filter takes digits only: with a "+" it
matches nothing, as the SDK documents.
"""

import base64
import binascii
import json
import re
import secrets
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telnyx.types.call_control_application_update_params import CallControlApplicationUpdateParams
from telnyx.types.calls.action_answer_params import ActionAnswerParams
from telnyx.types.calls.action_reject_params import ActionRejectParams
from telnyx.types.phone_number_list_params import Filter as PhoneNumberFilter
from telnyx.types.phone_number_update_params import PhoneNumberUpdateParams

from .base import FakeProvider

ERRORS = {
    401: ("10009", "Authentication failed", "The required authentication headers were either invalid or not included in the request."),
    403: ("10010", "Authorization failed", "You do not have permission to perform the requested action."),
    404: ("10005", "Resource not found", "The requested resource or URL could not be found."),
    422: ("10015", "Bad Request", "The request failed because it was not well-formed."),
    429: ("10011", "Too many requests", "You have exceeded the maximum number of allowed requests."),
}
#: Titles of the codes that are not the default of their status.
TITLES = {"10004": "Missing required parameter", "90018": "Call has already ended"}
TIMESTAMP = "2024-01-01T00:00:00.000Z"


def new_id() -> str:
    """Telnyx ids are int64 numbers sent as strings."""
    return str(secrets.randbelow(9 * 10**18) + 10**18)


@dataclass
class CallControlApplication:
    id: str
    application_name: str
    webhook_event_url: str = ""
    active: bool = True

    def resource(self) -> dict:
        return {
            "id": self.id,
            "record_type": "call_control_application",
            "application_name": self.application_name,
            "webhook_event_url": self.webhook_event_url,
            "webhook_event_failover_url": "",
            "webhook_api_version": "2",
            "webhook_timeout_secs": None,
            "active": self.active,
            "anchorsite_override": "Latency",
            "dtmf_type": "RFC 2833",
            "first_command_timeout": False,
            "first_command_timeout_secs": 30,
            "inbound": {"channel_limit": None, "shaken_stir_enabled": True, "sip_subdomain": None},
            "outbound": {"channel_limit": None, "outbound_voice_profile_id": None},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }


@dataclass
class Connection:
    """A connection of another kind than a Call Control application: numbers on it route there."""

    id: str
    connection_name: str
    record_type: str = "credential_connection"  # a SIP connection; or "texml_application"...


@dataclass
class PhoneNumber:
    id: str
    phone_number: str
    connection_id: str | None = None

    def resource(self, connection_name: str | None) -> dict:
        return {
            "id": self.id,
            "record_type": "phone_number",
            "phone_number": self.phone_number,
            "status": "active",
            "connection_id": self.connection_id,
            "connection_name": connection_name,
            "tags": [],
            "billing_group_id": None,
            "messaging_profile_id": None,
            "emergency_enabled": False,
            "call_forwarding_enabled": True,
            "purchased_at": TIMESTAMP,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }


@dataclass
class Call:
    """An incoming call: parked until a command answers or rejects it."""

    call_control_id: str
    state: str = "parked"
    #: (action, parameters) of the commands that took effect; a repeated command_id is ignored.
    commands: list[tuple[str, dict]] = field(default_factory=list)
    command_ids: set[str] = field(default_factory=set)




def _wire_names(params: type) -> set[str]:
    """A TypedDict's keys as they go on the wire (their PropertyInfo alias, if any)."""
    names = set()
    for name, hint in typing.get_type_hints(params, include_extras=True).items():
        aliases = [getattr(extra, "alias", None) for extra in getattr(hint, "__metadata__", ())]
        names.add(next((alias for alias in aliases if alias), name))
    return names


#: The query parameters of GET /phone_numbers (PhoneNumberListParams, its filter in deepObject
#: style: filter[name], or filter[name][operator] for the nested ones).
LIST_PARAMETER = re.compile(
    r"(?:filter\[(?:{filters})\](?:\[[a-z_]+\])?|page\[number\]|page\[size\]|sort|handle_messaging_profile_error)".format(
        filters="|".join(re.escape(name) for name in _wire_names(PhoneNumberFilter))
    )
)

#: The commands the fake takes, with the SDK's parameters and the state each leads to.
COMMANDS: dict[str, tuple[type, str]] = {"answer": (ActionAnswerParams, "answered"), "reject": (ActionRejectParams, "rejected")}


@dataclass
class Account:
    api_key: str
    balance: str = "300.00"
    currency: str = "USD"
    numbers: dict[str, PhoneNumber] = field(default_factory=dict)
    applications: dict[str, CallControlApplication] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)

    def connection_name(self, connection_id: str | None) -> str | None:
        """The name of a connection of any kind, None when there is no such connection."""
        if app := self.applications.get(connection_id or ""):
            return app.application_name
        connection = self.connections.get(connection_id or "")
        return connection.connection_name if connection else None

    def number_resource(self, number: PhoneNumber) -> dict:
        return number.resource(self.connection_name(number.connection_id))


def problem(status: int, detail: str = "", pointer: str | None = None, code: str | None = None) -> JSONResponse:
    default_code, title, default_detail = ERRORS.get(status, ("10007", "Unexpected error", "An unexpected error occurred."))
    code = code or default_code
    error: dict[str, Any] = {
        "code": code,
        "title": TITLES.get(code, title),
        "detail": detail or default_detail,
        "meta": {"url": f"https://developers.telnyx.com/docs/overview/errors/{code}"},
    }
    if pointer:
        error["source"] = {"pointer": pointer}
    headers = {}
    if status == 429:
        headers = {"x-ratelimit-limit": "20", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"}
    return JSONResponse({"errors": [error]}, status_code=status, headers=headers)


class TelnyxFake(FakeProvider):
    key = "telnyx"
    max_page_size = 250

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, Account] = {}

    # --- seeding and reading state
    def add_account(self, api_key: str, balance: str = "300.00") -> Account:
        self.accounts[api_key] = account = Account(api_key, balance)
        return account

    def add_application(self, api_key: str, app_id: str, name: str = "Switchboard", webhook_event_url: str = "") -> CallControlApplication:
        app = CallControlApplication(app_id, name, webhook_event_url)
        self.accounts[api_key].applications[app_id] = app
        return app

    def add_connection(self, api_key: str, connection_id: str, name: str, record_type: str = "credential_connection") -> Connection:
        connection = Connection(connection_id, name, record_type)
        self.accounts[api_key].connections[connection_id] = connection
        return connection

    def add_number(self, api_key: str, phone_number: str, connection_id: str | None = None) -> PhoneNumber:
        number = PhoneNumber(new_id(), phone_number, connection_id)
        self.accounts[api_key].numbers[number.id] = number
        return number

    def number(self, api_key: str, phone_number: str) -> PhoneNumber:
        return next(n for n in self.accounts[api_key].numbers.values() if n.phone_number == phone_number)

    def application(self, api_key: str, app_id: str) -> CallControlApplication:
        return self.accounts[api_key].applications[app_id]

    def add_call(self, api_key: str) -> Call:
        """A call ringing on the account, as Telnyx holds it when it sends call.initiated."""
        call = Call("v3:" + secrets.token_urlsafe(24))
        self.accounts[api_key].calls[call.call_control_id] = call
        return call

    def error(self, status: int, message: str = "") -> Response:
        return problem(status, message)

    # --- the API
    def _account(self, request: Request) -> Account | Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        account = self.accounts.get(token) if scheme == "Bearer" else None
        return account if account is not None else problem(401)

    @staticmethod
    async def _json_body(request: Request) -> dict | Response:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return problem(422, "The request body must be JSON.", code="10015")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return problem(422, "The request body is not valid JSON.", code="10015")
        return body if isinstance(body, dict) else problem(422, "The request body must be a JSON object.", code="10015")

    def routes(self) -> list[Route]:
        async def balance(request: Request) -> Response:
            account = self._account(request)
            if isinstance(account, Response):
                return account
            return JSONResponse(
                {
                    "data": {
                        "record_type": "balance",
                        "balance": account.balance,
                        "pending": "0.00",
                        "credit_limit": "0.00",
                        "available_credit": account.balance,
                        "currency": account.currency,
                    }
                }
            )

        async def list_numbers(request: Request) -> Response:
            account = self._account(request)
            if isinstance(account, Response):
                return account
            query = request.query_params
            if unknown := sorted(key for key in query.keys() if not LIST_PARAMETER.fullmatch(key)):
                return problem(422, f"'{unknown[0]}' is not a parameter of this request.", code="10015")
            wanted = query.get("filter[phone_number]")
            matching = list(account.numbers.values())
            if wanted is not None:
                if len(re.sub(r"\D", "", wanted)) < 3:
                    return problem(422, "filter[phone_number] requires at least three digits.", "/filter/phone_number", "10015")
                # Like the real API, the filter matches partially, and a non-digit matches nothing.
                matching = [n for n in matching if wanted.isdigit() and wanted in n.phone_number]
            if (connection := query.get("filter[connection_id]")) is not None:
                matching = [n for n in matching if n.connection_id == connection]
            try:
                page, size = int(query.get("page[number]", "1")), int(query.get("page[size]", "20"))
            except ValueError:
                return problem(422, "page[number] and page[size] must be integers.", code="10015")
            if page < 1 or not 1 <= size <= self.max_page_size:
                return problem(422, f"page[size] must be between 1 and {self.max_page_size}.", code="10015")
            chunk = matching[(page - 1) * size : page * size]
            return JSONResponse(
                {
                    "data": [account.number_resource(n) for n in chunk],
                    "meta": {
                        "page_number": page,
                        "page_size": size,
                        "total_pages": max(1, -(-len(matching) // size)),
                        "total_results": len(matching),
                    },
                }
            )

        async def call_command(request: Request) -> Response:
            account = self._account(request)
            if isinstance(account, Response):
                return account
            command = COMMANDS.get(request.path_params["action"])
            call = account.calls.get(request.path_params["id"])
            if command is None or call is None:
                return problem(404)
            body = await self._json_body(request)
            if isinstance(body, Response):
                return body
            params, new_state = command
            if (refused := invalid_parameters(params, body)) is not None:
                return refused
            if body.get("command_id") in call.command_ids:
                return JSONResponse({"data": {"result": "ok"}})  # Telnyx ignores a repeated command_id
            if call.state != "parked":
                # (?) Telnyx's exact code for a command to a call that was answered or rejected.
                return problem(422, f"The call was already {call.state}.", code="90018")
            if "command_id" in body:
                call.command_ids.add(body["command_id"])
            call.state = new_state
            call.commands.append((request.path_params["action"], body))
            return JSONResponse({"data": {"result": "ok"}})

        return [
            Route("/v2/balance", balance, methods=["GET"]),
            Route("/v2/calls/{id}/actions/{action}", call_command, methods=["POST"]),
            Route("/v2/phone_numbers", list_numbers, methods=["GET"]),
            self._item_route("/v2/phone_numbers/{id}", lambda a: a.numbers, update_number, Account.number_resource),
            self._item_route(
                "/v2/call_control_applications/{id}", lambda a: a.applications, update_application, lambda _, app: app.resource()
            ),
        ]

    def _item_route(
        self,
        path: str,
        items: Callable[[Account], dict[str, Any]],
        update: Callable[[Account, Any, dict], Response | None],
        render: Callable[[Account, Any], dict],
    ) -> Route:
        """GET or PATCH (JSON) one resource of the account; `update` answers a refusal or None."""

        async def endpoint(request: Request) -> Response:
            account = self._account(request)
            if isinstance(account, Response):
                return account
            found = items(account).get(request.path_params["id"])
            if found is None:
                return problem(404)
            if request.method == "PATCH":
                body = await self._json_body(request)
                if isinstance(body, Response):
                    return body
                if (refused := update(account, found, body)) is not None:
                    return refused
            return JSONResponse({"data": render(account, found)})

        return Route(path, endpoint, methods=["GET", "PATCH"])


def invalid_parameters(params: type, body: dict) -> Response | None:
    """Telnyx's 422 for a parameter the command does not have, a missing required one, a value
    outside its enum, a non-string where a string goes, or a client_state that is not base64."""
    # The SDK's modules postpone annotations, so Required[...] shows only in the hints.
    hints = typing.get_type_hints(params, include_extras=True)
    if unknown := sorted(body.keys() - hints.keys()):
        return problem(422, f"'{unknown[0]}' is not a parameter of this request.", f"/{unknown[0]}")
    required = {name for name, hint in hints.items() if typing.get_origin(hint) is typing.Required}
    if missing := sorted(required - body.keys()):
        return problem(422, f"The '{missing[0]}' parameter is required.", f"/{missing[0]}", "10004")
    for name, value in body.items():
        hint = hints[name]
        if typing.get_origin(hint) is typing.Required:
            hint = typing.get_args(hint)[0]
        if typing.get_origin(hint) is Literal and value not in typing.get_args(hint):
            return problem(422, f"'{name}' must be one of {', '.join(typing.get_args(hint))}.", f"/{name}")
        if hint is str and not isinstance(value, str):
            return problem(422, f"'{name}' must be a string.", f"/{name}")
    try:
        base64.b64decode(body.get("client_state", ""), validate=True)
    except binascii.Error:
        return problem(422, "client_state must be a valid Base-64 encoded string.", "/client_state")
    return None


def update_number(account: Account, number: PhoneNumber, body: dict) -> Response | None:
    """Only what PhoneNumberUpdateParams has; `connection_id` "" takes the number off its connection."""
    if (refused := invalid_parameters(PhoneNumberUpdateParams, body)) is not None:
        return refused
    if "connection_id" in body:
        connection = body["connection_id"]
        if connection and account.connection_name(connection) is None:
            return problem(422, "The connection_id does not belong to a connection of this account.", "/connection_id")
        number.connection_id = connection or None
    return None


def update_application(account: Account, app: CallControlApplication, body: dict) -> Response | None:
    # application_name and webhook_event_url are required on every update (the SDK marks them Required).
    if (refused := invalid_parameters(CallControlApplicationUpdateParams, body)) is not None:
        return refused
    for name in ("application_name", "webhook_event_url"):
        if not body[name]:
            return problem(422, f"The '{name}' parameter is required.", f"/{name}", "10004")
    if not re.match(r"^https?://", body["webhook_event_url"]):
        return problem(422, "webhook_event_url must be a valid URL.", "/webhook_event_url")
    app.application_name, app.webhook_event_url = body["application_name"], body["webhook_event_url"]
    if isinstance(body.get("active"), bool):
        app.active = body["active"]
    return None
