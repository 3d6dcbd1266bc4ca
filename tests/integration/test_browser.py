"""GraphiQL in a real browser with no internet: Debian's Chromium, driven by Playwright, may reach
only 127.0.0.1; it loads the page, takes an API key in the Headers editor and runs a query.

Needs /usr/bin/chromium (`apt-get install -y chromium`) and the `playwright` Python package (no
browser download: Playwright drives the system Chromium). Skipped without them, unless
SWITCHBOARD_REQUIRE_BROWSER=1, which makes a missing browser a failure (CI sets it).
"""

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import RunningServer, serving
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


async def test_graphiql_runs_a_query_with_no_internet(offline_server: str, api, tmp_path: Path) -> None:
    from playwright.async_api import Route, async_playwright, expect

    blocked: list[str] = []
    page_errors: list[str] = []
    console_errors: list[str] = []
    graphql_requests = []

    async def loopback_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            context = await browser.new_context(viewport={"width": 1400, "height": 900})
            await context.route("**/*", loopback_only)
            page = await context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
            page.on(
                "request",
                lambda request: (
                    request.url.endswith("/graphql") and request.method == "POST" and graphql_requests.append(request)
                ),
            )

            await page.goto(f"{offline_server}/graphql")
            query_editor = page.locator(".graphiql-query-editor .CodeMirror")
            await expect(query_editor).to_contain_text("query Dashboard")
            await expect(page.locator("#api-key-note")).to_contain_text("Headers")

            # The Headers editor is open and holds the placeholder; without a key GraphiQL says so.
            headers_editor = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")
            await expect(headers_editor).to_contain_text('"X-API-Key": "sb_…paste your key…"')
            response_pane = page.locator(".graphiql-response .CodeMirror")
            await expect(response_pane).to_contain_text("No API key yet")

            # Paste the key as a user would (inserted text, not typed keys, so no auto-closed quotes).
            # Once a key is there, GraphiQL loads the schema with it (docs, completion, explorer).
            async with page.expect_request(lambda request: "IntrospectionQuery" in (request.post_data or "")) as schema:
                await headers_editor.click()
                await page.keyboard.press("Control+A")
                await page.keyboard.insert_text(json.dumps({"X-API-Key": api.key}))
            introspection = await schema.value
            assert (await introspection.all_headers())["x-api-key"] == api.key
            assert (await introspection.response()).status == 200
            await expect(headers_editor).to_contain_text(api.key)

            await page.locator(".graphiql-execute-button").click()
            await expect(response_pane).to_contain_text('"name": "Acme"')
            await expect(response_pane).to_contain_text('"telephonyConfigs"')

            screenshot = tmp_path / "graphiql.png"
            await page.screenshot(path=str(screenshot))
            print(f"GraphiQL screenshot: {screenshot}")

            operation = next(request for request in graphql_requests if "Dashboard" in (request.post_data or ""))
            assert (await operation.all_headers())["x-api-key"] == api.key
        finally:
            await browser.close()

    assert blocked == [], f"the page tried to leave loopback: {blocked}"
    assert not any(host in url for url in blocked for host in CDN_HOSTS)
    assert page_errors == [], page_errors
    assert not [text for text in console_errors if "integrity" in text.lower()], console_errors
