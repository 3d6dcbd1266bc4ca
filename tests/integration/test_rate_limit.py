"""SPEC §13: each credential has a request rate limit (HTTP 429 with Retry-After), over real HTTP
against a server of its own whose limit is 3 requests at once and one every 100 seconds."""

from contextlib import AsyncExitStack

import httpx
import pytest
from conftest import new_organization, running_server
from helpers import Api

TYPENAME = "{ __typename }"


@pytest.fixture(scope="module")
async def limited(settings, server):
    async with AsyncExitStack() as stack:
        limited_settings = settings.model_copy(update={"rate_limit_per_second": 0.01, "rate_limit_burst": 3})
        running = await stack.enter_async_context(running_server(limited_settings, migrated=False))
        http = await stack.enter_async_context(httpx.AsyncClient(base_url=running.url, timeout=30))
        yield running, http


async def limited_api(limited) -> Api:
    running, http = limited
    organization_id, key = await new_organization(running.db)
    return Api(http, key, organization_id)


async def test_a_key_past_its_burst_gets_429_with_retry_after_and_another_key_is_served(limited):
    api, other = await limited_api(limited), await limited_api(limited)
    for _ in range(3):
        assert await api.query(TYPENAME) == {"__typename": "Query"}
    response = await api.raw(TYPENAME)
    assert response.status_code == 429
    assert 90 <= int(response.headers["retry-after"]) <= 100
    assert response.json()["errors"][0]["extensions"] == {"code": "RATE_LIMITED"}
    assert (await api.raw("mutation { __typename }")).status_code == 429  # mutations count too
    assert await other.query(TYPENAME) == {"__typename": "Query"}


async def test_the_limit_applies_over_get_and_with_the_bearer_header(limited):
    api = await limited_api(limited)
    bearer = {"Authorization": f"Bearer {api.key}"}
    for _ in range(3):
        response = await api.http.get("/graphql", params={"query": TYPENAME}, headers=bearer)
        assert response.status_code == 200
    response = await api.http.post("/graphql", json={"query": TYPENAME}, headers={"X-API-Key": api.key})
    assert response.status_code == 429
    assert response.headers["retry-after"]


async def test_unauthenticated_requests_get_401_and_no_bucket(limited):
    running, http = limited
    rate_limiter = running.app.state.graphql.rate_limiter
    before = len(rate_limiter)
    for n in range(10):
        response = await http.post("/graphql", json={"query": TYPENAME}, headers={"X-API-Key": f"sb_not-a-key-{n}"})
        assert response.status_code == 401
    assert len(rate_limiter) == before


def distinct_document(tag: int, repeats: int = 30) -> str:
    """A valid document no worker has seen (its operation's name is new): 4 + 4 × `repeats` tokens."""
    return f"query T{tag} {{ " + "organization { name } " * repeats + "}"


async def test_a_document_not_seen_before_is_charged_by_its_size(limited):
    """Parsing and validating a new document is the expensive part of a flood of distinct ones:
    a document of 124 tokens (3 more requests) costs its key the rest of its burst; the same document again, cached,
    costs one request, as a dashboard's repeated queries do."""
    flooder, dashboard = await limited_api(limited), await limited_api(limited)
    assert (await flooder.raw(distinct_document(1))).status_code == 200
    assert (await flooder.raw(TYPENAME)).status_code == 429
    repeated = distinct_document(2)
    assert (await dashboard.raw(repeated)).status_code == 200  # seen once: charged
    other = await limited_api(limited)
    for n in range(3):
        assert (await other.raw(repeated)).status_code == 200, n  # cached now: one request each
    assert (await other.raw(repeated)).status_code == 429
