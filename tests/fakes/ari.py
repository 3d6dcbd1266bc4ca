"""Asterisk's REST Interface (res_ari), as one Asterisk PBX serves it.

Checks in res_ari's order: credentials (HTTP Basic or `?api_key=user:password`; 401 with
`WWW-Authenticate` otherwise), fully booted (503 "Asterisk not booted"), write access of
read-only users on anything but GET, no trailing slash (404), then the resource. Errors are
always `{"message": ...}`. There is no rate limiting. `prefix` is the http.conf prefix, if any.
"""

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .base import FakeProvider, basic_auth

REALM = "Asterisk REST Interface"


@dataclass
class AriUser:
    name: str
    password: str
    read_only: bool = False


class AriFake(FakeProvider):
    key = "ari"

    def __init__(self) -> None:
        super().__init__()
        self.users: dict[str, AriUser] = {}
        self.endpoints: dict[tuple[str, str], str] = {}  # (technology, resource) -> state
        self.version = "20.5.0"
        self.booted = True
        self.prefix = ""

    # --- state for tests
    def add_user(self, name: str, password: str, *, read_only: bool = False) -> AriUser:
        self.users[name] = user = AriUser(name, password, read_only)
        return user

    def add_endpoint(self, technology: str, resource: str, state: str = "online") -> None:
        self.endpoints[(technology, resource)] = state

    def reset(self) -> None:
        super().reset()
        self.booted = True
        self.prefix = ""

    # --- wire format
    def error(self, status: int, message: str = "") -> Response:
        default = {
            401: "Authentication required",
            404: "Resource not found",
            405: "Invalid method",
            503: "Asterisk not booted",
        }.get(status, "Internal Server Error")
        response = JSONResponse({"message": message or default}, status_code=status)
        if status == 401:
            response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
        return response

    def _user(self, request: Request) -> AriUser | None:
        credentials = basic_auth(request.headers.get("authorization"))
        if credentials is None and "api_key" in request.query_params:
            name, _, password = request.query_params["api_key"].partition(":")
            credentials = (name, password)
        user = self.users.get(credentials[0]) if credentials else None
        return user if user is not None and credentials == (user.name, user.password) else None

    def _asterisk_info(self) -> dict:
        return {
            "build": {"os": "Linux", "kernel": "6.1.0", "machine": "x86_64", "options": "", "date": "2024-01-01 00:00:00 UTC", "user": "root"},
            "system": {"version": self.version, "entity_id": "02:42:ac:11:00:02"},
            "config": {"name": "", "default_language": "en", "setid": {"user": "asterisk", "group": "asterisk"}},
            "status": {"startup_time": "2024-01-01T00:00:00.000+0000", "last_reload_time": "2024-01-01T00:00:00.000+0000"},
        }

    def _resource(self, method: str, parts: list[str]) -> Response:
        if parts == ["asterisk", "info"]:
            return JSONResponse(self._asterisk_info()) if method == "GET" else self.error(405)
        if parts[:1] == ["endpoints"] and len(parts) in (2, 3):
            if method != "GET":
                return self.error(405)
            technology = parts[1]
            found = [(t, r, s) for (t, r), s in self.endpoints.items() if t.lower() == technology.lower()]
            if not found:
                return self.error(404, f"No Endpoints found - invalid tech {technology}")
            if len(parts) == 2:
                return JSONResponse([_endpoint(t, r, s) for t, r, s in found])
            match = [_endpoint(t, r, s) for t, r, s in found if r == parts[2]]
            return JSONResponse(match[0]) if match else self.error(404, "Endpoint not found")
        return self.error(404)

    def routes(self) -> list[Route]:
        async def ari(request: Request) -> Response:
            path = request.url.path
            if not path.startswith(f"{self.prefix}/ari/"):
                return Response("Not Found", status_code=404, media_type="text/plain")  # the HTTP server's own 404
            user = self._user(request)
            if user is None:
                return self.error(401)
            if not self.booted:
                return self.error(503)
            if user.read_only and request.method not in ("GET", "OPTIONS"):
                return self.error(403, "Write access denied")
            if path.endswith("/"):
                return self.error(404, f"ARI URLs do not end with a slash. Try {path.rstrip('/')}")
            return self._resource(request.method, path.removeprefix(f"{self.prefix}/ari/").split("/"))

        return [Route("/{rest:path}", ari, methods=["GET", "POST", "PUT", "DELETE"])]


def _endpoint(technology: str, resource: str, state: str) -> dict:
    return {"technology": technology, "resource": resource, "state": state, "channel_ids": []}
