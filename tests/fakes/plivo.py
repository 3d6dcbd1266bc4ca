"""Plivo's REST API (api.plivo.com/v1): Basic auth, JSON bodies, paths ending with "/", numbers
without "+", 202 {"message": "changed"} on updates, errors {"api_id", "error"}. A number names the
application it is linked to (`application`, a URI); several numbers share one application; a number
updated without an application goes to the account's default number application."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .base import basic_auth
from .plivo_like import Account, PlivoLikeFake, api_id

ERRORS = {
    400: "invalid request",
    401: "Authentication failed",
    404: "Resource not found",
    405: "Method not allowed",
    429: "Too many requests, rate limited",
}


# What a number update takes (plivo-python's Numbers.update; "Update an account phone number"). The
# SDK sends the number itself in the body too.
NUMBER_FIELDS = frozenset(
    {"number", "app_id", "subaccount", "alias", "verification_info", "cnam_lookup", "compliance_application_id"}
)


class PlivoFake(PlivoLikeFake):
    key = "plivo"
    account_prefix = "/v1/Account"
    update_status = 202

    def credentials(self, request: Request) -> tuple[str, str] | None:
        return basic_auth(request.headers.get("authorization"))

    def error(self, status: int, message: str = "") -> Response:
        body = {"api_id": api_id(), "error": message or ERRORS.get(status, "Internal server error")}
        return JSONResponse(body, status_code=status)

    def number_resource(self, account: Account, digits: str) -> dict:
        number = account.numbers["+" + digits]
        prefix = self.account_path(account)
        return {
            "api_id": api_id(),
            "number": digits,
            "alias": None,
            "active": True,
            "added_on": "2024-01-15",
            "carrier": "Plivo",
            "number_type": "local",
            "application": f"{prefix}/Application/{number.app_id}/" if number.app_id else None,
            "voice_enabled": True,
            "sms_enabled": True,
            "region": "California, UNITED STATES",
            "resource_uri": f"{prefix}/Number/{digits}/",
            "sub_account": None,
        }

    def own_routes(self) -> list[Route]:
        prefix = f"{self.account_prefix}/{{auth_id}}"

        async def account(request: Request, found: Account) -> Response:
            return JSONResponse(
                {
                    "account_type": "standard",
                    "api_id": api_id(),
                    "auth_id": found.auth_id,
                    "auto_recharge": False,
                    "billing_mode": "prepaid",
                    "cash_credits": "4.88860",
                    "name": found.name,
                    "resource_uri": f"{self.account_path(found)}/",
                    "timezone": "Asia/Kolkata",
                }
            )

        async def number(request: Request, found: Account) -> Response:
            digits = request.path_params["number"]
            # Numbers are written without "+"; anything else is not a number of the account.
            if not digits.isdigit() or "+" + digits not in found.numbers:
                return self.error(404)
            if request.method == "GET":
                return JSONResponse(self.number_resource(found, digits))
            body = await self.read_json(request)
            if isinstance(body, Response):
                return body
            unknown = sorted(set(body) - NUMBER_FIELDS)
            if unknown:
                return self.error(400, f"unexpected parameters: {', '.join(unknown)}")
            if not isinstance(body.get("app_id", ""), str):
                return self.error(400, "app_id must be a string")
            if "app_id" in body:
                app_id = body["app_id"] or None
                if app_id is not None and app_id not in found.applications:
                    return self.error(404, "Application not found")
                # Without an application Plivo assigns the account's default number application.
                found.numbers["+" + digits].app_id = app_id or found.default_app_id
            return JSONResponse({"api_id": api_id(), "message": "changed"}, status_code=self.update_status)

        async def list_numbers(request: Request, found: Account) -> Response:
            try:
                limit = int(request.query_params.get("limit", "20"))
                offset = int(request.query_params.get("offset", "0"))
            except ValueError:
                return self.error(400, "limit and offset must be integers")
            if not 0 < limit <= 20 or offset < 0:
                return self.error(400, "limit must be 1 to 20 and offset at least 0")
            digits = [e164.removeprefix("+") for e164 in found.numbers]
            page = digits[offset : offset + limit]
            path = f"{self.account_path(found)}/Number/"
            more = offset + limit < len(digits)
            meta = {
                "limit": limit,
                "offset": offset,
                "total_count": len(digits),
                "next": f"{path}?limit={limit}&offset={offset + limit}" if more else None,
                "previous": f"{path}?limit={limit}&offset={max(0, offset - limit)}" if offset else None,
            }
            # The list's objects are the number resources without their own api_id.
            objects = [{k: v for k, v in self.number_resource(found, number).items() if k != "api_id"} for number in page]
            return JSONResponse({"api_id": api_id(), "meta": meta, "objects": objects})

        return [
            Route(f"{prefix}/", self.authenticated(account), methods=["GET"]),
            Route(f"{prefix}/Number/{{number}}/", self.authenticated(number), methods=["GET", "POST"]),
            Route(f"{prefix}/Number/", self.authenticated(list_numbers), methods=["GET"]),
        ]
