"""Cloudonix's REST API (api.cloudonix.io): domains, voice applications and DNIDs; JSON, Bearer API keys.

A DNID binds a number (or a prefix / glob pattern) to one voice application of the domain, which
other numbers' DNIDs may share. It is created on an application (POST .../applications/{application}/dnids)
and moved with a DNID update (PATCH .../dnids/{dnid}). Bodies are Cloudonix's OpenAPI
(cloudonix/api.core-openapi): a DNID names its application `voice-application`, and create and
update bodies with fields the OpenAPI does not list are refused. Every path exists under
/customers/self/domains/{domain} and its alias /domains/{domain}.
"""

import fnmatch
import itertools
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .base import FakeProvider

_ids = itertools.count(1000)
DNID_FLAGS = ("prefix", "expression", "asteriskCompatible")
# What the OpenAPI's request bodies list: create and update a DNID, update an application.
DNID_CREATE_FIELDS = frozenset({"voice-application", "dnid", "source", *DNID_FLAGS})
DNID_UPDATE_FIELDS = frozenset({"voice-application", "active", "dnid", *DNID_FLAGS})
APPLICATION_UPDATE_FIELDS = frozenset({"profile", "type", "url", "method", "active", "status-start-ringing"})


@dataclass
class Application:
    name: str
    url: str = ""
    method: str = "POST"
    id: int = field(default_factory=lambda: next(_ids))
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    active: bool = True

    def resource(self, domain: str) -> dict:
        return {
            "id": self.id,
            "uuid": self.uuid,
            "name": self.name,
            "type": "cxml",
            "url": self.url,
            "method": self.method,
            "active": self.active,
            "profile": {},
            "domain": domain,
        }


@dataclass
class Dnid:
    source: str
    application: Application
    prefix: bool = False
    expression: bool = False
    asterisk_compatible: bool = False
    active: bool = True
    id: int = field(default_factory=lambda: next(_ids))

    @property
    def pattern(self) -> str:
        if self.expression:
            return fnmatch.translate(self.source)
        return "^" + re.escape(self.source) + (".*$" if self.prefix else "$")

    def matches(self, destination: str) -> bool:
        return self.active and re.fullmatch(self.pattern, destination) is not None

    def resource(self, domain: str, application_field: str) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "dnid": self.pattern,
            "prefix": self.prefix,
            "expression": self.expression,
            "asteriskCompatible": self.asterisk_compatible,
            "active": self.active,
            application_field: self.application.resource(domain),
        }


@dataclass
class Domain:
    name: str
    keys: set[str]
    id: int = field(default_factory=lambda: next(_ids))
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    active: bool = True
    applications: dict[str, Application] = field(default_factory=dict)
    dnids: dict[int, Dnid] = field(default_factory=dict)

    def resource(self) -> dict:
        default = self.applications["call-routing"]
        return {
            "id": self.id,
            "uuid": self.uuid,
            "domain": self.name,
            "active": self.active,
            "profile": {},
            "application": default.resource(self.name),
            "aliases": [],
        }

    def application(self, ident: str) -> Application | None:
        """By name, uuid or numeric id, as the API accepts them."""
        return next((a for a in self.applications.values() if ident in (a.name, a.uuid, str(a.id))), None)


class CloudonixFake(FakeProvider):
    key = "cloudonix"

    def __init__(self) -> None:
        super().__init__()
        self.domains: dict[str, Domain] = {}
        #: The raw (still percent-encoded) paths of DNID look-ups, to check the wire encoding.
        self.raw_dnid_paths: list[bytes] = []
        #: The field a DNID names its application by: the OpenAPI's; tests may switch to the
        #: data-model page's `application`.
        self.application_field = "voice-application"

    # --- seeding and reading state
    def add_domain(self, name: str, api_key: str) -> Domain:
        """A domain with its API key and the two applications Cloudonix provisions by default."""
        domain = Domain(name, {api_key})
        for app in ("call-routing", "blackhole"):
            domain.applications[app] = Application(app, url="")
        self.domains[name] = domain
        return domain

    def add_application(self, domain: str, name: str, url: str = "", method: str = "POST") -> Application:
        self.domains[domain].applications[name] = app = Application(name, url, method)
        return app

    def add_dnid(self, domain: str, source: str, application: str, *, prefix: bool = False, active: bool = True) -> Dnid:
        d = self.domains[domain]
        dnid = Dnid(source, d.applications[application], prefix=prefix, active=active)
        d.dnids[dnid.id] = dnid
        return dnid

    def application(self, domain: str, name: str) -> Application:
        return self.domains[domain].applications[name]

    def dnids_of(self, domain: str, source: str) -> list[Dnid]:
        """Every DNID whose source is exactly `source`."""
        return [d for d in self.domains[domain].dnids.values() if d.source == source]

    def reset(self) -> None:
        super().reset()
        self.raw_dnid_paths.clear()
        self.application_field = "voice-application"

    # --- wire format
    def error(self, status: int, message: str = "") -> Response:
        # The body shape is not documented ("(?)"); clients classify by status.
        default = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}
        return JSONResponse({"status": status, "message": message or default.get(status, "Error")}, status_code=status)

    def _domain(self, request: Request) -> Domain | Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        known = scheme == "Bearer" and any(token in d.keys for d in self.domains.values())
        if not known:
            return self.error(401)
        domain = self.domains.get(request.path_params["domain"].lower())
        if domain is None:
            return self.error(404, "Domain not found")
        if token not in domain.keys:
            return self.error(403, "API key has no access to this domain")
        return domain

    def _scoped(self, handler: Callable[..., Awaitable[Response]], *, application: bool = False) -> Callable:
        """An endpoint that checks the key and finds the domain (and the application) before `handler`."""

        async def endpoint(request: Request) -> Response:
            domain = self._domain(request)
            if isinstance(domain, Response):
                return domain
            if not application:
                return await handler(request, domain)
            app = domain.application(request.path_params["application"])
            if app is None:
                return self.error(404, "Application not found")
            return await handler(request, domain, app)

        return endpoint

    async def _body(self, request: Request) -> dict | Response:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return self.error(415, "Expected application/json")
        try:
            body = await request.json()
        except ValueError:
            return self.error(400, "Malformed JSON")
        return body if isinstance(body, dict) else self.error(400, "Expected a JSON object")

    def dnid_resource(self, dnid: Dnid, domain: Domain) -> dict:
        return dnid.resource(domain.name, self.application_field)

    def _invalid_dnid_update(self, domain: Domain, body: dict) -> Response | None:
        """The error a DNID update gets for fields it does not take, or an application the domain lacks."""
        unknown = set(body) - DNID_UPDATE_FIELDS
        if unknown:
            return self.error(400, f"Field(s) not editable: {', '.join(sorted(unknown))}")
        if any(not isinstance(body.get(flag, False), bool) for flag in (*DNID_FLAGS, "active")):
            return self.error(400, "active, prefix, expression and asteriskCompatible must be booleans")
        if "voice-application" in body and domain.application(str(body["voice-application"])) is None:
            return self.error(404, "Application not found")
        return None

    def _lookup_dnid(self, domain: Domain, ident: str, *, routing: bool) -> Dnid | None:
        """By id or exact source; with `routing` (GET), else the pattern DNID that routes `ident`."""
        if ident.isdigit() and int(ident) in domain.dnids:
            return domain.dnids[int(ident)]
        exact = next((d for d in domain.dnids.values() if d.source == ident), None)
        # Tolerance ("(?)"): a number without a DNID of its own may be answered with the pattern DNID
        # that routes it, so clients must check what they get.
        return exact or next((d for d in domain.dnids.values() if routing and d.matches(ident)), None)

    def routes(self) -> list[Route]:
        async def get_domain(request: Request, domain: Domain) -> Response:
            return JSONResponse(domain.resource())

        async def application(request: Request, domain: Domain, app: Application) -> Response:
            if request.method == "PATCH":
                body = await self._body(request)
                if isinstance(body, Response):
                    return body
                unknown = set(body) - APPLICATION_UPDATE_FIELDS
                if unknown:
                    return self.error(400, f"Field(s) not editable: {', '.join(sorted(unknown))}")
                if "method" in body and body["method"] not in ("GET", "POST"):
                    return self.error(400, "method must be GET or POST")
                app.url = body.get("url", app.url)
                app.method = body.get("method", app.method)
                app.active = body.get("active", app.active)
            return JSONResponse(app.resource(domain.name))

        async def list_dnids(request: Request, domain: Domain) -> Response:
            return JSONResponse([self.dnid_resource(d, domain) for d in domain.dnids.values()])

        async def dnid(request: Request, domain: Domain) -> Response:
            self.raw_dnid_paths.append(request.scope.get("raw_path", b""))
            found = self._lookup_dnid(domain, request.path_params["dnid"], routing=request.method == "GET")
            if found is None:
                return self.error(404, "DNID not found")
            if request.method == "DELETE":
                del domain.dnids[found.id]
                return Response(status_code=204)
            if request.method == "PATCH":
                body = await self._body(request)
                if isinstance(body, Response):
                    return body
                invalid = self._invalid_dnid_update(domain, body)
                if invalid:
                    return invalid
                if "voice-application" in body:
                    found.application = domain.application(str(body["voice-application"]))
                found.active = body.get("active", found.active)
                found.prefix = body.get("prefix", found.prefix)
                found.expression = body.get("expression", found.expression)
                found.asterisk_compatible = body.get("asteriskCompatible", found.asterisk_compatible)
            return JSONResponse(self.dnid_resource(found, domain))

        async def application_dnids(request: Request, domain: Domain, app: Application) -> Response:
            if request.method == "GET":
                return JSONResponse([self.dnid_resource(d, domain) for d in domain.dnids.values() if d.application is app])
            body = await self._body(request)
            if isinstance(body, Response):
                return body
            unknown = set(body) - DNID_CREATE_FIELDS
            if unknown:
                return self.error(400, f"Unknown field(s): {', '.join(sorted(unknown))}")
            source = body.get("source")
            if not isinstance(source, str) or not source:
                return self.error(400, "source is required")
            if any(not isinstance(body.get(flag, False), bool) for flag in DNID_FLAGS):
                return self.error(400, "prefix, expression and asteriskCompatible must be booleans")
            flags = [body.get(flag, False) for flag in DNID_FLAGS]
            clash = [
                d
                for d in domain.dnids.values()
                if d.source == source and [d.prefix, d.expression, d.asterisk_compatible] == flags
            ]
            if clash:
                return self.error(409, "A DNID with this source already exists in the domain")
            created = Dnid(source, app, *flags)
            domain.dnids[created.id] = created
            return JSONResponse(self.dnid_resource(created, domain), status_code=201)

        routes = []
        for base in ("/customers/self/domains/{domain}", "/domains/{domain}"):
            routes += [
                Route(base, self._scoped(get_domain), methods=["GET"]),
                Route(
                    f"{base}/applications/{{application}}", self._scoped(application, application=True), methods=["GET", "PATCH"]
                ),
                Route(
                    f"{base}/applications/{{application}}/dnids",
                    self._scoped(application_dnids, application=True),
                    methods=["GET", "POST"],
                ),
                Route(f"{base}/dnids", self._scoped(list_dnids), methods=["GET"]),
                Route(f"{base}/dnids/{{dnid}}", self._scoped(dnid), methods=["GET", "PATCH", "DELETE"]),
            ]
        return routes
