"""Vobiz's REST API (api.vobiz.ai/api/v1): X-Auth-ID / X-Auth-Token headers, JSON bodies, numbers
as %2B-encoded E.164 in paths, a partial `search` on the number list, errors in the envelope
{"status": "error", "error": {"code", "message"}, "timestamp", "requestId"}."""

import secrets
import uuid
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .plivo_like import Account, Number, PlivoLikeFake

ERRORS = {
    400: ("BAD_REQUEST", "The request is invalid"),
    401: ("INVALID_CREDENTIALS", "Invalid auth ID or auth token"),
    402: ("INSUFFICIENT_BALANCE", "Insufficient balance"),
    404: ("NOT_FOUND", "Resource not found"),
    429: ("RATE_LIMIT_EXCEEDED", "Too Many Requests"),
}


class VobizFake(PlivoLikeFake):
    key = "vobiz"
    account_prefix = "/api/v1/Account"
    update_status = 200
    #: The largest page the list answers with (the API allows 100); tests lower it to force paging.
    max_per_page = 100

    def __init__(self) -> None:
        super().__init__()
        self.balance = 23906.83
        #: Numbers whose binding is dropped right after a listing shows them (a concurrent detach).
        self.unbind_after_listing: set[str] = set()

    def reset(self) -> None:
        super().reset()
        self.max_per_page = type(self).max_per_page
        self.unbind_after_listing.clear()

    def credentials(self, request: Request) -> tuple[str, str] | None:
        auth_id, token = request.headers.get("x-auth-id"), request.headers.get("x-auth-token")
        return (auth_id, token) if auth_id and token else None

    def error(self, status: int, message: str = "") -> Response:
        code, default = ERRORS.get(status, ("INTERNAL_ERROR", "Internal server error"))
        body = {
            "status": "error",
            "error": {"code": code, "message": message or default, "details": {}},
            "timestamp": datetime.now(UTC).isoformat(),
            "requestId": "req_" + secrets.token_hex(8),
        }
        return JSONResponse(body, status_code=status)

    @staticmethod
    def item(account: Account, number: Number) -> dict:
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{account.auth_id}/{number.e164}")),
            "account_id": account.auth_id,
            "e164": number.e164,
            "country": "IN" if number.e164.startswith("+91") else "US",
            "status": "active",
            "application_id": number.app_id,
            "voice_enabled": True,
            "capabilities": {"voice": True, "sms": False},
            "trunk_group_id": None,
        }

    def own_routes(self) -> list[Route]:
        lower = "/api/v1/account/{auth_id}"

        async def balance(request: Request, account: Account) -> Response:
            return JSONResponse(
                {
                    "id": secrets.token_hex(8),
                    "account_id": account.auth_id,
                    "currency": request.path_params["currency"],
                    "balance": self.balance,
                    "available_balance": self.balance,
                }
            )

        async def list_numbers(request: Request, account: Account) -> Response:
            try:
                page = int(request.query_params.get("page", "1"))
                per_page = min(int(request.query_params.get("per_page", "25")), 100, self.max_per_page)
            except ValueError:
                return self.error(400, "page and per_page must be integers")
            # Like the real API, `search` matches partially.
            search = request.query_params.get("search", "")
            matching = [n for n in account.numbers.values() if search in n.e164]
            chunk = matching[(page - 1) * per_page : page * per_page]
            items = [self.item(account, n) for n in chunk]
            for number in chunk:
                if number.e164 in self.unbind_after_listing:
                    number.app_id = None
            return JSONResponse({"items": items, "page": page, "per_page": per_page, "total": len(matching)})

        async def binding(request: Request, account: Account) -> Response:
            # The number is +E.164, URL-encoded: /numbers/%2B919876543210/application.
            encoded = b"/numbers/%2b" in request.scope.get("raw_path", b"").lower()
            number = account.numbers.get(request.path_params["number"]) if encoded else None
            if number is None:
                return self.error(404, "Phone number not found")
            if request.method == "DELETE":
                if number.app_id is None:
                    return self.error(404, "Phone number is not attached to an application")
                number.app_id = None
                return JSONResponse({"message": "Number detached successfully", "number": number.e164})
            body = await self.read_json(request)
            if isinstance(body, Response):
                return body
            app = account.applications.get(str(body.get("application_id", "")))
            if app is None:
                return self.error(404, "Application not found")
            number.app_id = app.app_id
            return JSONResponse(
                {
                    "message": "Number attached to application",
                    "number": number.e164,
                    "application": {"app_id": app.app_id, "app_name": app.app_name, "answer_url": app.answer_url},
                }
            )

        return [
            Route(f"{lower}/balance/{{currency}}", self.authenticated(balance), methods=["GET"]),
            Route(f"{self.account_prefix}/{{auth_id}}/numbers", self.authenticated(list_numbers), methods=["GET"]),
            Route(f"{lower}/numbers/{{number}}/application", self.authenticated(binding), methods=["POST", "DELETE"]),
            # The SDK's numbers.list spells the path in lower case.
            Route(f"{lower}/numbers", self.authenticated(list_numbers), methods=["GET"]),
        ]
