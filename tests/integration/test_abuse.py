"""Hostile requests get a 4xx quickly and leave the server healthy."""

import asyncio
import json
import os
import time

import httpx
import pytest
from conftest import BODY_TIMEOUT, free_port, running_server
from helpers import create_config
from processes import switchboard_serve
from switchboard.schema.document_cache import DOCUMENT_CACHE_BYTES

TEN_MIB = 10 * 1024 * 1024


async def assert_healthy(api) -> None:
    assert (await api.http.get("/healthz")).status_code == 200
    assert await api.query("{ organization { name } }") == {"organization": {"name": "Acme"}}


async def timed(coro):
    started = time.monotonic()
    result = await coro
    return result, time.monotonic() - started


async def raw_status(server, head: str, body: bytes = b"") -> bytes:
    """Send a request over a raw socket and return the status line the server answered with."""
    host, port = server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head.encode() + body)
        await writer.drain()
        return await asyncio.wait_for(reader.readline(), 10)
    finally:
        writer.close()


def post_head(api, **headers: str) -> str:
    lines = ["POST /graphql HTTP/1.1", "Host: test", f"X-API-Key: {api.key}", "Content-Type: application/json"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n"


async def test_ten_mib_body_is_refused_from_its_content_length_before_it_is_sent(api, server):
    status, elapsed = await timed(raw_status(server, post_head(api, Content_Length=str(TEN_MIB))))
    assert status.startswith(b"HTTP/1.1 413")
    assert elapsed < 2
    await assert_healthy(api)


async def test_chunked_body_without_length_is_413_once_it_passes_the_cap(api, server):
    piece = b"x" * (256 * 1024)
    chunked = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") * 5  # 1.25 MiB of a 10 MiB upload
    status = await raw_status(server, post_head(api, Transfer_Encoding="chunked"), chunked)
    assert status.startswith(b"HTTP/1.1 413")
    await assert_healthy(api)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"query": "{ __typename \xff\xfe }"}', "application/json"),
        (b"\xff\xfe\xfd", "application/json"),
        (b"query { __typename }", "text/plain"),
        (b"query=%7B__typename%7D", "application/x-www-form-urlencoded"),
        (b'--b\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--b--\r\n', "multipart/form-data; boundary=b"),
        (b'"just a string"', "application/json"),
        (b'{"query": 42}', "application/json"),
        (b'{"query": "{ __typename }", "variables": "[1,2]"}', "application/json"),
    ],
    ids=[
        "invalid-utf8-in-json",
        "binary",
        "text-plain",
        "form",
        "multipart",
        "json-string",
        "query-not-string",
        "variables-not-object",
    ],
)
async def test_malformed_bodies_and_wrong_content_types_are_4xx(api, body, content_type):
    response = await api.http.post("/graphql", content=body, headers={"X-API-Key": api.key, "Content-Type": content_type})
    assert 400 <= response.status_code < 500, response.text
    await assert_healthy(api)


async def test_directive_bomb_is_rejected_quickly(api):
    bomb = "{ __typename " + "@include(if: true) " * 250 + "}"  # under the token limit
    errors, elapsed = await timed(api.errors(bomb))
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert elapsed < 2


async def test_alias_and_fragment_bombs_are_rejected(api):
    fragments = "fragment A on Query { __typename ...B } fragment B on Query { __typename ...A }"
    errors = await api.errors("{ ...A } " + fragments)
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    aliases = "{ " + " ".join(f"a{i}: organization {{ name }}" for i in range(500)) + " }"
    errors = await api.errors(aliases)
    assert errors[0]["extensions"]["code"] in {"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}


async def test_slow_client_gets_408_and_others_are_served_meanwhile(api, server):
    host, port = server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {api.key}\r\nContent-Type: application/json\r\n"
        'Content-Length: 100\r\n\r\n{"query":'.encode()
    )
    await writer.drain()
    started = time.monotonic()
    await assert_healthy(api)  # the stalled client blocks nobody
    status_line = await asyncio.wait_for(reader.readline(), BODY_TIMEOUT + 5)
    assert status_line.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < BODY_TIMEOUT + 2
    writer.close()
    await assert_healthy(api)


async def test_flood_of_distinct_near_limit_documents_is_refused_and_kept_out_of_the_caches(api, server):
    """Issue 21's flood: 494 copies of `organization { name }` (just under 2000 tokens), a new
    alias each time, validated for about a second each and cached by the hundred. Now each is
    refused by the parser at its 101st field, and none is kept."""
    documents = server.app.state.graphql.schema.documents
    before = documents.size
    for n in range(50):
        flood = "{ a%d: organization { name } %s}" % (n, "organization { name } " * 493)
        errors = await api.errors(flood)
        assert "more than 100 fields" in errors[0]["message"]
    for n in range(50):  # within the 1 MiB body and the 2000 tokens
        errors = await api.errors("{ organization { name } } # %d %s" % (n, "x" * 900_000))
        assert errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert documents.size == before
    for n in range(50):
        query = "query Q%d { organization { name } }" % n
        assert await api.query(query) == {"organization": {"name": "Acme"}}
        assert documents.get(query) is not None
    assert before < documents.size <= DOCUMENT_CACHE_BYTES
    await assert_healthy(api)


HEADER_TIMEOUT = 1.0


async def test_connections_that_do_not_finish_their_headers_are_closed_and_others_are_served(settings, server):
    """Issue 21: 500 connections that sent half their headers were still open after 20 s."""
    short = settings.model_copy(update={"request_header_timeout": HEADER_TIMEOUT})
    async with running_server(short, migrated=False) as running:
        host, port = running.url.removeprefix("http://").split(":")
        stalled = [await asyncio.open_connection(host, int(port)) for _ in range(200)]
        for n, (_, writer) in enumerate(stalled):
            if n % 2:  # the others send nothing at all
                writer.write(b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: appli")
        kept_alive = await asyncio.open_connection(host, int(port))
        kept_alive[1].write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert (await kept_alive[0].readuntil(b'{"status":"ok"}')).startswith(b"HTTP/1.1 200")
        kept_alive[1].write(b"GET /healthz HTTP/1.1\r\nHo")  # a second request's head, half sent
        async with httpx.AsyncClient(base_url=running.url, timeout=10) as http:
            assert (await http.get("/healthz")).status_code == 200
        for reader, writer in [*stalled, kept_alive]:
            assert await asyncio.wait_for(reader.read(), HEADER_TIMEOUT + 5) == b""
            writer.close()


async def test_switchboard_serve_with_workers_closes_half_sent_heads(tmp_path):
    """The protocol is pickled into the processes `--workers` starts: they serve every connection."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env["SWITCHBOARD_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    env["SWITCHBOARD_REQUEST_HEADER_TIMEOUT"] = str(HEADER_TIMEOUT)
    with switchboard_serve(env, tmp_path, free_port(), "--workers", "2") as served:
        host, port = served.url.removeprefix("http://").split(":")
        stalled = [await asyncio.open_connection(host, int(port)) for _ in range(20)]
        for _, writer in stalled:
            writer.write(b"GET /healthz HTTP/1.1\r\nHo")
        for reader, writer in stalled:
            assert await asyncio.wait_for(reader.read(), HEADER_TIMEOUT + 5) == b""
            writer.close()


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
async def test_non_json_numbers_are_400_and_store_nothing(api, literal):
    """Python's json module reads NaN and Infinity; JSON has no such numbers and PostgreSQL's
    JSON columns refuse them, so a body carrying one is refused at the door."""
    config = (await create_config(api))["telephonyConfig"]
    query = "mutation($i: CreatePhoneNumberInput!) { createPhoneNumber(input: $i) { phoneNumber { id } errors { code } } }"
    body = (
        '{"query": %s, "variables": {"i": {"telephonyConfigId": "%s", "address": "+14155550100", "extraMetadata": {"x": %s}}}}'
        % (
            json.dumps(query),
            config["id"],
            literal,
        )
    )
    response = await api.http.post("/graphql", content=body, headers={"X-API-Key": api.key, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    listed = await api.query("{ phoneNumbers { totalCount } }")
    assert listed["phoneNumbers"]["totalCount"] == 0
