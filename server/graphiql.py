"""The GraphiQL page and its browser files, served by Switchboard itself (SPEC §9: GraphiQL works
with no internet).

The files come from `web/node_modules` (`make web`, or `npm ci --prefix web`), which pins the same
versions Strawberry's own GraphiQL page loads from a CDN. They are read once at start-up, kept in
memory and served under versioned URLs (`/graphiql/assets/react@18.2.0/umd/...`), so browsers may
cache them for a year; the page carries SRI hashes computed from the very bytes served. When the
files are missing, the same page loads the same versions from unpkg (with the published hashes) and
the server says once how to get the offline copy.
"""

import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

log = logging.getLogger("switchboard.graphiql")

DEFAULT_NODE_MODULES = Path(__file__).resolve().parent.parent / "web" / "node_modules"
ASSET_URL_PREFIX = "/graphiql/assets/"
CDN_BASE_URL = "https://unpkg.com/"
INSTALL_HINT = "run `make web` (or `npm ci --prefix web`) and restart"
# The URLs carry the package version, so a file behind one never changes.
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"
PLACEHOLDER_API_KEY = "sb_…paste your key…"
DEFAULT_HEADERS = json.dumps({"X-API-Key": PLACEHOLDER_API_KEY}, ensure_ascii=False)

EXAMPLE_OPERATION = """\
# Welcome to Switchboard's GraphiQL.
#
# Every operation needs your API key: in the
# Headers tab below, replace the placeholder
# with your key, {"X-API-Key": "sb_..."}.
# `switchboard serve` prints one on first start;
# `switchboard apikey create --org ID` makes more.
#
# Run: Ctrl-Enter or the play button.
# Complete: Ctrl-Space. Schema: Docs (left).

query Dashboard {
  organization {
    name
    defaultOutboundConfig { name }
  }
  telephonyConfigs(first: 20) {
    totalCount
    nodes {
      name
      provider
      isDefaultOutbound
      readyForOutbound
      outboundBlockedReason
      phoneNumberCount
      activePhoneNumberCount
      warnings { code severity message }
    }
  }
  telephonyConfigWarnings {
    totalCount
    counts { code severity count }
  }
}
"""


@dataclass(frozen=True)
class PinnedFile:
    """One file of an npm package that the page loads, in load order."""

    package: str
    version: str
    path: str  # inside the package
    published_integrity: str  # SRI hash of the published file, used for the CDN

    @property
    def url_path(self) -> str:
        """Like unpkg's: `<package>@<version>/<path>`."""
        return f"{self.package}@{self.version}/{self.path}"

    @property
    def is_stylesheet(self) -> bool:
        return self.path.endswith(".css")

    @property
    def media_type(self) -> str:
        return "text/css; charset=utf-8" if self.is_stylesheet else "text/javascript; charset=utf-8"


# Must agree with web/package.json. The hashes are those of Strawberry's GraphiQL page.
PINNED_FILES = (
    PinnedFile(
        "react", "18.2.0", "umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    PinnedFile(
        "react-dom", "18.2.0", "umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    PinnedFile(
        "graphiql", "3.8.3", "graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    PinnedFile(
        "@graphiql/plugin-explorer", "1.0.2", "dist/style.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
    PinnedFile(
        "graphiql", "3.8.3", "graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    PinnedFile(
        "@graphiql/plugin-explorer", "1.0.2", "dist/index.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
)


def sri_sha384(body: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()


def _installed_version(node_modules: Path, package: str) -> str | None:
    try:
        return json.loads((node_modules / package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def read_local_files(node_modules: Path) -> tuple[dict[str, bytes], list[str]]:
    """The pinned files found in `node_modules`, by URL path, and what is missing (a file absent,
    or its package at another version than pinned)."""
    found: dict[str, bytes] = {}
    missing: list[str] = []
    for pinned in PINNED_FILES:
        file = node_modules / pinned.package / pinned.path
        if _installed_version(node_modules, pinned.package) == pinned.version and file.is_file():
            found[pinned.url_path] = file.read_bytes()
        else:
            missing.append(pinned.url_path)
    return found, missing


@dataclass(frozen=True)
class AssetTag:
    pinned: PinnedFile
    url: str
    integrity: str

    def html(self) -> str:
        url, integrity = escape(self.url), escape(self.integrity)
        if self.pinned.is_stylesheet:
            return f'<link rel="stylesheet" href="{url}" integrity="{integrity}" crossorigin="anonymous" />'
        return f'<script src="{url}" integrity="{integrity}" crossorigin="anonymous"></script>'


class GraphiQLPage:
    """The page, and the route that serves its files when they are installed locally."""

    def __init__(self, local_files: dict[str, bytes]) -> None:
        self.local_files = local_files
        self.pinned_by_url_path = {pinned.url_path: pinned for pinned in PINNED_FILES}
        self.integrity = {path: sri_sha384(body) for path, body in local_files.items()}
        self.tags = [self._tag(pinned) for pinned in PINNED_FILES]
        self.html = render_page(self.tags)

    @classmethod
    def load(cls, node_modules: Path | None = None) -> "GraphiQLPage":
        """Read the files from `node_modules` (default: web/node_modules); all or nothing, so the
        page never mixes local files with CDN ones."""
        node_modules = node_modules or DEFAULT_NODE_MODULES
        found, missing = read_local_files(node_modules)
        if missing:
            what = "" if len(missing) == len(PINNED_FILES) else f" (missing: {', '.join(missing)})"
            log.warning(
                "GraphiQL's files are not installed in %s%s: the GraphiQL page loads them from %s and "
                "needs internet. For offline GraphiQL, %s.",
                node_modules, what, CDN_BASE_URL, INSTALL_HINT,
            )
            return cls({})
        for pinned in PINNED_FILES:
            if sri_sha384(found[pinned.url_path]) != pinned.published_integrity:
                log.warning("%s in %s differs from the published file; serving it anyway", pinned.url_path, node_modules)
        return cls(found)

    @property
    def serves_local_files(self) -> bool:
        return bool(self.local_files)

    def _tag(self, pinned: PinnedFile) -> AssetTag:
        if self.serves_local_files:
            return AssetTag(pinned, ASSET_URL_PREFIX + pinned.url_path, self.integrity[pinned.url_path])
        return AssetTag(pinned, CDN_BASE_URL + pinned.url_path, pinned.published_integrity)

    def asset_route(self) -> Route:
        return Route(ASSET_URL_PREFIX + "{path:path}", self.serve_asset, methods=["GET"])

    async def serve_asset(self, request: Request) -> Response:
        """Only the exact pinned files: any other path, `..` included, is a 404."""
        path = request.path_params["path"]
        body = self.local_files.get(path)
        if body is None:
            return Response("Not found", status_code=404, media_type="text/plain")
        return Response(
            body,
            media_type=self.pinned_by_url_path[path].media_type,
            headers={"Cache-Control": ASSET_CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
        )


def render_page(tags: list[AssetTag]) -> str:
    assets = "\n    ".join(tag.html() for tag in tags)
    if "</" in EXAMPLE_OPERATION + DEFAULT_HEADERS:
        raise ValueError("the example operation and default headers must not close their <script> element")
    return (
        PAGE_TEMPLATE.replace("{{ASSETS}}", assets)
        .replace("{{EXAMPLE_OPERATION}}", EXAMPLE_OPERATION)
        .replace("{{DEFAULT_HEADERS}}", DEFAULT_HEADERS)
    )


# Based on strawberry/static/graphiql.html (0.341): the same libraries and explorer plugin, plus an
# API-key note, default headers, a fetcher that explains the placeholder key instead of sending it
# and sends subscriptions over WebSocket, and a schema reload once a key is entered (introspection
# needs the key too).
PAGE_TEMPLATE = """\
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Switchboard GraphiQL</title>
    <link rel="icon" href="data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 100 100%22><text y=%22.9em%22 font-size=%2280%22>&#x1f4de;</text></svg>" />
    <style>
      html, body { height: 100%; margin: 0; overflow: hidden; }
      body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
      #api-key-note { flex: none; padding: 6px 12px; font-size: 14px; background: #fff8db; border-bottom: 1px solid #e6d9a3; }
      #api-key-note code { background: #fff; padding: 0 4px; border-radius: 3px; }
      #graphiql { flex: 1; min-height: 0; display: flex; }
      .graphiql-explorer-actions select { margin-left: 4px; }
    </style>
    {{ASSETS}}
  </head>
  <body>
    <div id="api-key-note" role="note">
      <strong>API key:</strong> put yours in the <strong>Headers</strong> tab (bottom left) as
      <code>{"X-API-Key": "sb_…"}</code>. <code>switchboard serve</code> prints one on first start;
      <code>switchboard apikey create --org ID</code> makes another.
    </div>
    <div id="graphiql">Loading…</div>
    <script type="application/graphql" id="example-operation">{{EXAMPLE_OPERATION}}</script>
    <script type="application/json" id="default-headers">{{DEFAULT_HEADERS}}</script>
    <script>
      "use strict";
      const EXAMPLE_OPERATION = document.getElementById("example-operation").textContent;
      const DEFAULT_HEADERS = document.getElementById("default-headers").textContent;
      const PLACEHOLDER_KEY = JSON.parse(DEFAULT_HEADERS)["X-API-Key"];
      const MISSING_KEY_MESSAGE =
        "No API key yet: in the Headers tab (bottom left), replace " + PLACEHOLDER_KEY +
        " with your organization's key, then run the operation again.";

      // ?q=... and ?variables=... share an operation, as on Strawberry's page (headers never go in the URL).
      const parameters = new URLSearchParams(window.location.search);
      const fetchURL = window.location.origin + window.location.pathname;
      // Subscriptions go over graphql-ws (bundled in GraphiQL) to the same path; the Headers tab's
      // entries become connection_init's payload, where the server reads the key as over HTTP.
      const subscriptionURL = (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + window.location.pathname;

      function updateURL(name, value) {
        if (value) parameters.set(name, value);
        else parameters.delete(name);
        const search = parameters.toString();
        history.replaceState(null, "", search ? "?" + search : window.location.pathname);
      }

      function apiKeyOf(headers) {
        for (const name of Object.keys(headers || {})) {
          if (name.toLowerCase() === "x-api-key") return String(headers[name]);
        }
        return null;
      }

      function createFetcher() {
        const send = GraphiQL.createFetcher({ url: fetchURL, subscriptionUrl: subscriptionURL });
        return function fetcher(params, options) {
          if (apiKeyOf(options && options.headers) === PLACEHOLDER_KEY) {
            return Promise.resolve({ errors: [{ message: MISSING_KEY_MESSAGE }] });
          }
          return send(params, options);
        };
      }

      function SwitchboardGraphiQL() {
        const [query, setQuery] = React.useState(parameters.get("q") || EXAMPLE_OPERATION);
        const [variables, setVariables] = React.useState(parameters.get("variables") || undefined);
        // A new fetcher makes GraphiQL introspect again: done when the API key changes, so the
        // schema (docs, completion, explorer) loads once a key is pasted.
        const [apiKey, setApiKey] = React.useState(null);
        const fetcher = React.useMemo(createFetcher, [apiKey]);
        const explorer = React.useMemo(() => GraphiQLPluginExplorer.explorerPlugin(), []);
        const headersTimer = React.useRef(null);

        function onEditHeaders(text) {
          clearTimeout(headersTimer.current);
          headersTimer.current = setTimeout(() => {
            try {
              setApiKey(apiKeyOf(JSON.parse(text)));
            } catch (notJsonYet) {}
          }, 400);
        }

        return React.createElement(GraphiQL, {
          fetcher: fetcher,
          plugins: [explorer],
          query: query,
          variables: variables,
          defaultHeaders: DEFAULT_HEADERS,
          onEditQuery: (value) => { setQuery(value); updateURL("q", value); },
          onEditVariables: (value) => { setVariables(value); updateURL("variables", value); },
          onEditHeaders: onEditHeaders,
          isHeadersEditorEnabled: true,
          defaultEditorToolsVisibility: "headers",
          shouldPersistHeaders: true,
          inputValueDeprecation: true,
        });
      }

      ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(SwitchboardGraphiQL));
    </script>
  </body>
</html>
"""
