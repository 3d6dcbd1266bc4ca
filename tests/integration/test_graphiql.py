"""GraphiQL works with no internet (SPEC §9): the page's files come from Switchboard itself, pinned
by SRI hashes; without web/node_modules the page falls back to the CDN and the log says why."""

import asyncio
import base64
import functools
import hashlib
import logging
import shutil
import subprocess
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import serving
from switchboard.server.app import create_app
from switchboard.server.graphiql import (
    ASSET_URL_PREFIX,
    DEFAULT_HEADERS,
    DEFAULT_NODE_MODULES,
    EXAMPLE_OPERATION,
    PINNED_FILES,
    read_local_files,
)
from switchboard.server.settings import Settings

WEB_DIR = DEFAULT_NODE_MODULES.parent
BROWSER_GET = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
CDN_HOSTS = ("unpkg.com", "cdn.jsdelivr.net", "jsdelivr")


@functools.cache
def _install_web_assets() -> str | None:
    """Run `npm ci --prefix web` at most once per session; None when the files are there, else why
    they are not (cached, so a failed install is not retried by every test)."""
    if not read_local_files(DEFAULT_NODE_MODULES)[1]:
        return None
    npm = shutil.which("npm")
    if npm is None:
        return f"GraphiQL's files are not in {DEFAULT_NODE_MODULES} and npm is not installed to run `npm ci --prefix web`"
    result = subprocess.run(
        [npm, "ci", "--prefix", str(WEB_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        return f"`npm ci --prefix web` failed ({result.returncode}): {result.stderr.strip()[-500:]}"
    missing = read_local_files(DEFAULT_NODE_MODULES)[1]
    return f"`npm ci --prefix web` did not install {missing}" if missing else None


def require_web_assets() -> Path:
    """web/node_modules with GraphiQL's pinned files, or skip the test saying why not."""
    if reason := _install_web_assets():
        pytest.skip(reason)
    return DEFAULT_NODE_MODULES


class AssetReferences(HTMLParser):
    """The <script src> and <link rel=stylesheet> tags of a page, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.tags.append({**attributes, "url": attributes["src"]})
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.tags.append({**attributes, "url": attributes["href"]})


def asset_references(html: str) -> list[dict[str, str | None]]:
    parser = AssetReferences()
    parser.feed(html)
    return parser.tags


def sri_sha384(body: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()


async def raw_get(base_url: str, target: str) -> tuple[int, bytes]:
    """GET with the request target sent exactly as given (HTTP clients normalize `..` away)."""
    url = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    status_line, _, rest = response.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


@pytest.fixture(scope="module")
async def offline_url(settings: Settings) -> AsyncIterator[str]:
    """A server whose GraphiQL files come from web/node_modules (installed if need be)."""
    app = create_app(settings, graphiql_node_modules=require_web_assets())
    async with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
async def offline_page(offline_url: str) -> str:
    async with httpx.AsyncClient(base_url=offline_url) as client:
        response = await client.get("/graphql", headers=BROWSER_GET)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_the_page_loads_only_local_files(offline_page: str) -> None:
    for host in CDN_HOSTS:
        assert host not in offline_page
    references = asset_references(offline_page)
    assert [tag["url"] for tag in references] == [ASSET_URL_PREFIX + pinned.url_path for pinned in PINNED_FILES]
    for tag in references:
        assert tag["integrity"].startswith("sha384-"), tag
        assert "crossorigin" in tag, tag


async def test_every_referenced_file_is_served_with_its_integrity_hash(offline_url: str, offline_page: str) -> None:
    async with httpx.AsyncClient(base_url=offline_url) as client:
        for tag, pinned in zip(asset_references(offline_page), PINNED_FILES, strict=True):
            response = await client.get(tag["url"])
            assert response.status_code == 200, tag["url"]
            assert sri_sha384(response.content) == tag["integrity"], tag["url"]
            assert response.content == (DEFAULT_NODE_MODULES / pinned.package / pinned.path).read_bytes()
            # The same bytes as the files the CDN publishes.
            assert tag["integrity"] == pinned.published_integrity
            expected_type = "text/css" if pinned.path.endswith(".css") else "text/javascript"
            assert response.headers["content-type"].startswith(expected_type)
            assert "immutable" in response.headers["cache-control"]
            assert "max-age=31536000" in response.headers["cache-control"]
            assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "target",
    [
        "/graphiql/assets/",
        "/graphiql/assets/react@18.2.0/package.json",  # in node_modules, but not on the allow-list
        "/graphiql/assets/react@18.2.0/umd/react.development.js",
        "/graphiql/assets/react@17.0.2/umd/react.production.min.js",
        "/graphiql/assets/react/umd/react.production.min.js",
        "/graphiql/assets/react@18.2.0/umd/react.production.min.js/",
        "/graphiql/assets/../../pyproject.toml",
        "/graphiql/assets/react@18.2.0/../../../../server/app.py",
        "/graphiql/assets/react@18.2.0/umd/../../react-dom@18.2.0/umd/react-dom.production.min.js",
        "/graphiql/assets/%2e%2e/%2e%2e/pyproject.toml",
        "/graphiql/assets/..%2F..%2Fserver%2Fapp.py",
        "/graphiql/assets//etc/passwd",
    ],
)
async def test_any_other_asset_path_is_not_found(offline_url: str, target: str) -> None:
    status, body = await raw_get(offline_url, target)
    assert status == 404, (target, body[:200])
    assert len(body) < 100


async def test_the_page_opens_with_an_example_operation_and_says_where_the_api_key_goes(offline_page: str) -> None:
    assert EXAMPLE_OPERATION in offline_page
    assert DEFAULT_HEADERS == '{"X-API-Key": "sb_…paste your key…"}'
    assert DEFAULT_HEADERS in offline_page  # what the Headers editor starts with
    assert 'id="api-key-note"' in offline_page and "<strong>Headers</strong> tab" in offline_page
    assert 'defaultEditorToolsVisibility: "headers"' in offline_page
    assert "isHeadersEditorEnabled: true" in offline_page


async def test_the_example_operation_runs(api) -> None:
    data = await api.query(EXAMPLE_OPERATION)
    assert data["organization"]["name"] == "Acme"
    assert data["telephonyConfigs"]["totalCount"] == 0
    assert data["telephonyConfigWarnings"]["totalCount"] == 0


async def test_without_local_files_the_page_uses_the_cdn_and_the_log_says_how_to_install_them(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="switchboard"):
        app = create_app(settings, graphiql_node_modules=tmp_path)
        async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
            pages = [await client.get("/graphql", headers=BROWSER_GET) for _ in range(2)]
            local_file = await client.get(ASSET_URL_PREFIX + PINNED_FILES[0].url_path)

    page = pages[0].text
    assert pages[0].status_code == 200 and pages[1].text == page
    references = asset_references(page)
    assert [tag["url"] for tag in references] == [f"https://unpkg.com/{pinned.url_path}" for pinned in PINNED_FILES]
    assert [tag["integrity"] for tag in references] == [pinned.published_integrity for pinned in PINNED_FILES]
    assert all("crossorigin" in tag for tag in references)
    assert EXAMPLE_OPERATION in page and DEFAULT_HEADERS in page
    assert local_file.status_code == 404

    hints = [record.getMessage() for record in caplog.records if "npm ci --prefix web" in record.getMessage()]
    assert len(hints) == 1, caplog.text  # once, at start-up, not per request
    assert str(tmp_path) in hints[0] and "make web" in hints[0] and "unpkg.com" in hints[0]


def test_a_package_at_another_version_than_pinned_counts_as_missing(tmp_path: Path) -> None:
    for pinned in PINNED_FILES:
        version = "18.3.1" if pinned.package == "react" else pinned.version
        (tmp_path / pinned.package / pinned.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / pinned.package / pinned.path).write_text("/* file */")
        (tmp_path / pinned.package / "package.json").write_text(f'{{"version": "{version}"}}')
    found, missing = read_local_files(tmp_path)
    assert missing == ["react@18.2.0/umd/react.production.min.js"]
    assert len(found) == len(PINNED_FILES) - 1
