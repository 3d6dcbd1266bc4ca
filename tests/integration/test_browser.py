"""GraphiQL in a real browser with no internet: Debian's Chromium, driven by Playwright, may reach
only 127.0.0.1; it loads the page, takes an API key in the Headers editor and runs a query, and
a subscription.

Needs /usr/bin/chromium (`apt-get install -y chromium`) and the `playwright` Python package (no
browser download: Playwright drives the system Chromium). Skipped without them, unless
SWITCHBOARD_REQUIRE_BROWSER=1, which makes a missing browser a failure (CI sets it).
"""

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from conftest import RunningServer, serving
from helpers import Api, create_config
from switchboard.server.app import create_app
from switchboard.server.settings import Settings
from test_graphiql import CDN_HOSTS, require_web_assets

CHROMIUM = Path("/usr/bin/chromium")
# What Chromium needs on this closed network: no sandbox as root, and none of its own background
# connections (they are refused, many at a time, and slow every start).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESPONSE_PANE = ".graphiql-response .CodeMirror"


def require_browser() -> None:
    reasons = []
    if not CHROMIUM.exists():
        reasons.append(f"{CHROMIUM} is missing (install it with `apt-get install -y chromium`)")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        reasons.append("the `playwright` Python package is missing (`pip install playwright`; no browser download needed)")
    if reasons:
        reason = "; ".join(reasons)
        if os.environ.get("SWITCHBOARD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SWITCHBOARD_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(f"browser test skipped: {reason}")


@pytest.fixture(scope="module")
async def offline_server(settings: Settings, server: RunningServer) -> AsyncIterator[str]:
    """A live server on the session server's database whose GraphiQL files are local. Its own
    server, not `server` itself: that one may have started before web/node_modules was installed."""
    require_browser()
    app = create_app(settings, graphiql_node_modules=require_web_assets())
    async with serving(app) as url:
        yield url


@dataclass
class BrowserRun:
    page: Any
    blocked: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@asynccontextmanager
async def graphiql_in_chromium() -> AsyncIterator[BrowserRun]:
    """A page of headless Chromium that may reach only 127.0.0.1."""
    from playwright.async_api import Route, async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            context = await browser.new_context(viewport={"width": 1400, "height": 900})
            run = BrowserRun(page=None)

            async def loopback_only(route: Route) -> None:
                if urlsplit(route.request.url).hostname == "127.0.0.1":
                    await route.continue_()
                else:
                    run.blocked.append(route.request.url)
                    await route.abort("internetdisconnected")

            await context.route("**/*", loopback_only)
            run.page = await context.new_page()
            run.page.set_default_timeout(TIMEOUT_MS)
            run.page.on("pageerror", lambda error: run.page_errors.append(str(error)))
            run.page.on("console", lambda message: message.type == "error" and run.console_errors.append(message.text))
            yield run
        finally:
            await browser.close()
    assert run.blocked == [], f"the page tried to leave loopback: {run.blocked}"
    assert not any(host in url for url in run.blocked for host in CDN_HOSTS)
    assert run.page_errors == [], run.page_errors
    assert not [text for text in run.console_errors if "integrity" in text.lower()], run.console_errors


async def paste_key(page: Any, key: str) -> None:
    """Paste the key in the Headers editor as a user would (inserted text, not typed keys, so no
    auto-closed quotes); GraphiQL then loads the schema with it."""
    from playwright.async_api import expect

    headers_editor = page.locator(HEADERS_EDITOR)
    async with page.expect_request(lambda request: "IntrospectionQuery" in (request.post_data or "")) as schema:
        await headers_editor.click()
        await page.keyboard.press("Control+A")
        await page.keyboard.insert_text(json.dumps({"X-API-Key": key}))
    introspection = await schema.value
    assert (await introspection.all_headers())["x-api-key"] == key
    assert (await introspection.response()).status == 200
    await expect(headers_editor).to_contain_text(key)


async def test_graphiql_runs_a_query_with_no_internet(offline_server: str, api, tmp_path: Path) -> None:
    from playwright.async_api import expect

    graphql_requests = []
    async with graphiql_in_chromium() as run:
        page = run.page
        page.on(
            "request",
            lambda request: request.url.endswith("/graphql") and request.method == "POST" and graphql_requests.append(request),
        )
        await page.goto(f"{offline_server}/graphql")
        query_editor = page.locator(".graphiql-query-editor .CodeMirror")
        await expect(query_editor).to_contain_text("query Dashboard")
        await expect(page.locator("#api-key-note")).to_contain_text("Headers")

        # The Headers editor is open and holds the placeholder; without a key GraphiQL says so.
        await expect(page.locator(HEADERS_EDITOR)).to_contain_text('"X-API-Key": "sb_…paste your key…"')
        response_pane = page.locator(RESPONSE_PANE)
        await expect(response_pane).to_contain_text("No API key yet")

        await paste_key(page, api.key)
        await page.locator(".graphiql-execute-button").click()
        await expect(response_pane).to_contain_text('"name": "Acme"')
        await expect(response_pane).to_contain_text('"telephonyConfigs"')

        screenshot = tmp_path / "graphiql.png"
        await page.screenshot(path=str(screenshot))
        print(f"GraphiQL screenshot: {screenshot}")

        operation = next(request for request in graphql_requests if "Dashboard" in (request.post_data or ""))
        assert (await operation.all_headers())["x-api-key"] == api.key


async def test_graphiql_runs_a_subscription(offline_server: str, api) -> None:
    """Subscriptions go over graphql-ws with the Headers tab as connection_init's payload; the
    change is made through this server, whose subscribers hear its own changes on SQLite too."""
    from playwright.async_api import expect

    subscription = "subscription { telephonyConfigChanged { change telephonyConfig { name } } }"
    async with graphiql_in_chromium() as run, httpx.AsyncClient(base_url=offline_server, timeout=30) as http:
        page = run.page
        await page.goto(f"{offline_server}/graphql?{urlencode({'q': subscription})}")
        await expect(page.locator(".graphiql-query-editor .CodeMirror")).to_contain_text("telephonyConfigChanged")
        await paste_key(page, api.key)
        async with page.expect_websocket(lambda socket: socket.url.endswith("/graphql")):
            await page.locator(".graphiql-execute-button").click()
        await page.wait_for_timeout(500)
        await create_config(Api(http, api.key, api.organization_id), "Made in another tab")
        response_pane = page.locator(RESPONSE_PANE)
        await expect(response_pane).to_contain_text('"change": "CREATED"')
        await expect(response_pane).to_contain_text('"name": "Made in another tab"')
