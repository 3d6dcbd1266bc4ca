"""What the Plivo and Vobiz fakes share: accounts holding applications (with the answer_url that
receives inbound calls and the hangup_url that hears their end) and numbers linked to them, auth
checks against the path's auth id, JSON bodies only, and the application resource
GET/POST …/Application/{app_id}/ (an update takes Plivo's documented fields only)."""

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .base import FakeProvider

# What an application update accepts (Plivo's "Modify an Application"; plivo-python's
# Applications.update), and the fields among them that are HTTP methods or URLs.
APPLICATION_FIELDS = frozenset(
    {
        "answer_url", "answer_method", "hangup_url", "hangup_method", "fallback_answer_url", "fallback_method",
        "message_url", "message_method", "default_number_app", "default_endpoint_app", "subaccount",
        "log_incoming_messages", "public_uri", "callback_url", "callback_method",
    }
)  # fmt: skip
METHOD_FIELDS = frozenset(name for name in APPLICATION_FIELDS if name.endswith("_method"))
URL_FIELDS = frozenset(name for name in APPLICATION_FIELDS if name.endswith("_url"))


@dataclass
class Application:
    app_id: str
    answer_url: str = ""
    answer_method: str = "POST"
    hangup_url: str = ""
    hangup_method: str = "POST"
    app_name: str = "Switchboard"

    def resource(self, account_path: str, default: bool) -> dict:
        return {
            "api_id": api_id(),
            "app_id": self.app_id,
            "app_name": self.app_name,
            "answer_url": self.answer_url,
            "answer_method": self.answer_method,
            "hangup_url": self.hangup_url,
            "hangup_method": self.hangup_method,
            "default_app": default,
            "default_number_app": default,
            "resource_uri": f"{account_path}/Application/{self.app_id}/",
        }


@dataclass
class Number:
    e164: str
    app_id: str | None = None
    #: Vobiz: the SIP trunk the number is assigned to, which takes its calls whatever its application.
    trunk_group_id: str | None = None


@dataclass
class Account:
    auth_id: str
    token: str
    name: str = "Test account"
    applications: dict[str, Application] = field(default_factory=dict)
    numbers: dict[str, Number] = field(default_factory=dict)
    # The application Plivo assigns to a number updated without an app_id (`default_number_app`).
    default_app_id: str | None = None
    #: Vobiz: the ids of the account's SIP trunks.
    trunks: set[str] = field(default_factory=set)


def api_id() -> str:
    return str(uuid.uuid4())


class PlivoLikeFake(FakeProvider):
    """Subclasses set `account_prefix` (the path before /{auth_id}/Application/…), `update_status`,
    and implement `credentials()`, `error()` and `own_routes()`."""

    account_prefix: str
    update_status = 200

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, Account] = {}

    # --- state, for tests
    def add_account(self, auth_id: str, token: str) -> Account:
        self.accounts[auth_id] = account = Account(auth_id, token)
        return account

    def add_application(self, auth_id: str, app_id: str, answer_url: str = "", hangup_url: str | None = None) -> Application:
        """An application as created: without a hangup_url of its own it hangs up at its answer_url."""
        application = Application(app_id, answer_url, hangup_url=answer_url if hangup_url is None else hangup_url)
        self.accounts[auth_id].applications[app_id] = application
        return application

    def add_number(self, auth_id: str, e164: str, app_id: str | None = None) -> Number:
        self.accounts[auth_id].numbers[e164] = number = Number(e164, app_id)
        return number

    def number(self, auth_id: str, e164: str) -> Number:
        return self.accounts[auth_id].numbers[e164]

    def application(self, auth_id: str, app_id: str) -> Application:
        return self.accounts[auth_id].applications[app_id]

    # --- what subclasses implement
    def credentials(self, request: Request) -> tuple[str, str] | None:
        raise NotImplementedError

    def own_routes(self) -> list[Route]:
        raise NotImplementedError

    # --- helpers for handlers
    def authenticated(
        self, handler: Callable[[Request, Account], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """A route endpoint that answers 401 unless the request carries the credentials of the
        path's auth id, and otherwise calls `handler` with that account."""

        async def endpoint(request: Request) -> Response:
            account = self.accounts.get(request.path_params["auth_id"])
            if account is None or self.credentials(request) != (account.auth_id, account.token):
                return self.error(401)
            return await handler(request, account)

        return endpoint

    async def read_json(self, request: Request) -> dict | Response:
        """Both APIs accept JSON bodies only."""
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return self.error(400, "Only application/json request bodies are accepted")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return self.error(400, "The request body is not valid JSON")
        return body if isinstance(body, dict) else self.error(400, "The request body must be a JSON object")

    @staticmethod
    def invalid_application_update(body: dict) -> str | None:
        """What is wrong with an application update, if anything: unknown fields, methods other
        than GET and POST, URLs that are not http(s) URLs (only answer_url may not be blank)."""
        unknown = sorted(set(body) - APPLICATION_FIELDS)
        if unknown:
            return f"unexpected parameters: {', '.join(unknown)}"
        for name in sorted(METHOD_FIELDS & set(body)):
            if body[name] not in ("GET", "POST"):
                return f"{name} must be GET or POST"
        for name in sorted(URL_FIELDS & set(body)):
            value = body[name]
            blank_allowed = name != "answer_url" and value == ""
            if not isinstance(value, str) or not (blank_allowed or value.startswith(("http://", "https://"))):
                return f"{name} must be a valid http or https URL"
        return None

    def account_path(self, account: Account) -> str:
        return f"{self.account_prefix}/{account.auth_id}"

    async def application_resource(self, request: Request, account: Account) -> Response:
        """GET or POST …/Application/{app_id}/: read it, or change the fields an update takes."""
        app = account.applications.get(request.path_params["app_id"])
        if app is None:
            return self.error(404, "Application not found")
        if request.method == "GET":
            return JSONResponse(app.resource(self.account_path(account), app.app_id == account.default_app_id))
        body = await self.read_json(request)
        if isinstance(body, Response):
            return body
        invalid = self.invalid_application_update(body)
        if invalid:
            return self.error(400, invalid)
        for name in ("answer_url", "answer_method", "hangup_url", "hangup_method"):
            setattr(app, name, body.get(name, getattr(app, name)))
        return JSONResponse({"api_id": api_id(), "message": "changed"}, status_code=self.update_status)

    def routes(self) -> list[Route]:
        async def unknown(request: Request) -> Response:
            # Instead of Starlette's slash redirects: a path spelled otherwise is simply unknown.
            return self.error(404, "Resource not found")

        application_path = f"{self.account_prefix}/{{auth_id}}/Application/{{app_id}}/"
        return [
            *self.own_routes(),
            Route(application_path, self.authenticated(self.application_resource), methods=["GET", "POST"]),
            Route("/{path:path}", unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]
