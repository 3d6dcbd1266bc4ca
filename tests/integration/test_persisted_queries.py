"""Automatic persisted queries (Apollo's APQ protocol, `extensions.persistedQuery` version 1) over
real HTTP: unknown hash -> PERSISTED_QUERY_NOT_FOUND, hash + query -> verified and stored, then the
hash alone is enough, over POST and GET."""

import hashlib
import json
import secrets
import sys

from helpers import CREATE_CONFIG
from switchboard.server.persisted_queries import PersistedQueryCache

GRAPHQL_RESPONSE = "application/graphql-response+json"
NOT_FOUND = {"errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}}


def unique_query(fields: str = "organization { name }") -> str:
    """A query no other test has registered (the store is per process, shared by all tests)."""
    return f"query Q{secrets.token_hex(6)} {{ {fields} }}"


async def post(api, body: dict, **headers: str):
    return await api.http.post("/graphql", json=body, headers={"X-API-Key": api.key, **headers})


async def get(api, params: dict, **headers: str):
    encoded = {name: json.dumps(value) if isinstance(value, dict) else value for name, value in params.items()}
    return await api.http.get("/graphql", params=encoded, headers={"X-API-Key": api.key, **headers})


async def test_unknown_hash_is_persisted_query_not_found_with_200(api):
    response = await post(api, {"extensions": persisted(unique_query())})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "private, no-cache, must-revalidate"
    assert response.json() == NOT_FOUND


async def test_not_found_is_200_under_graphql_response_json_too(api):
    response = await post(api, {"extensions": persisted(unique_query())}, Accept=GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.json() == NOT_FOUND


async def test_apollo_flow_hash_then_query_then_hash_alone(api):
    query = unique_query()
    assert (await post(api, {"extensions": persisted(query)})).json() == NOT_FOUND
    registered = await post(api, {"query": query, "extensions": persisted(query)})
    assert registered.status_code == 200
    assert registered.json() == {"data": {"organization": {"name": "Acme"}}}
    by_hash = await post(api, {"extensions": persisted(query)})
    assert by_hash.json() == {"data": {"organization": {"name": "Acme"}}}


async def test_hash_alone_over_get_after_registration_over_post(api):
    query = unique_query()
    await post(api, {"query": query, "extensions": persisted(query)})
    response = await get(api, {"extensions": persisted(query)}, Accept="application/json")
    assert response.status_code == 200
    assert response.json() == {"data": {"organization": {"name": "Acme"}}}


async def test_registration_over_get_then_hash_alone_over_get(api):
    query = unique_query()
    assert (await get(api, {"extensions": persisted(query)})).json() == NOT_FOUND
    registered = await get(api, {"query": query, "extensions": persisted(query)})
    assert registered.json() == {"data": {"organization": {"name": "Acme"}}}
    assert (await get(api, {"extensions": persisted(query)})).json() == {"data": {"organization": {"name": "Acme"}}}


async def test_hash_only_get_is_an_operation_not_the_graphiql_page(api):
    """A browser-like Accept (*/*) without `query` would render GraphiQL; with a hash it runs the query."""
    query = unique_query()
    await post(api, {"query": query, "extensions": persisted(query)})
    response = await get(api, {"extensions": persisted(query)}, Accept="*/*")
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"data": {"organization": {"name": "Acme"}}}


async def test_stored_query_runs_with_new_variables_and_operation_name(api):
    query = f"query Workflow{secrets.token_hex(4)}($id: ID!) {{ workflow(id: $id) {{ name }} }}"
    payload = await api.query('mutation { createWorkflow(input: {name: "Reception"}) { workflow { id } } }')
    workflow_id = payload["createWorkflow"]["workflow"]["id"]
    first = await post(api, {"query": query, "variables": {"id": "V29ya2Zsb3c6MA=="}, "extensions": persisted(query)})
    assert first.json() == {"data": {"workflow": None}}
    second = await post(api, {"variables": {"id": workflow_id}, "extensions": persisted(query)})
    assert second.json() == {"data": {"workflow": {"name": "Reception"}}}


async def test_persisted_mutation_over_post(api):
    mutation = CREATE_CONFIG
    variables = {"input": {"name": "Persisted", "credentials": {"twilio": api.twilio}}}
    registered = await post(api, {"query": mutation, "variables": variables, "extensions": persisted(mutation)})
    assert registered.json()["data"]["createTelephonyConfig"]["telephonyConfig"]["name"] == "Persisted"
    again = await post(api, {"variables": variables, "extensions": persisted(mutation)})
    assert again.json()["data"]["createTelephonyConfig"]["errors"][0]["code"] == "CONFLICT"


async def test_persisted_mutation_over_get_is_405(api):
    mutation = f'mutation M{secrets.token_hex(4)} {{ createWorkflow(input: {{name: "x"}}) {{ errors {{ code }} }} }}'
    await post(api, {"query": mutation, "extensions": persisted(mutation)})
    response = await get(api, {"extensions": persisted(mutation)})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_hash_that_does_not_match_the_query_is_bad_user_input(api):
    query = unique_query()
    response = await post(api, {"query": query, "extensions": persisted(query + " ")})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "provided sha does not match query", "extensions": {"code": "BAD_USER_INPUT"}}]
    }
    # nothing was stored under the wrong hash
    assert (await post(api, {"extensions": persisted(query + " ")})).json() == NOT_FOUND


async def test_hash_is_compared_case_insensitively(api):
    query = unique_query()
    upper = {"persistedQuery": {"version": 1, "sha256Hash": sha256(query).upper()}}
    assert (await post(api, {"query": query, "extensions": upper})).json() == {"data": {"organization": {"name": "Acme"}}}
    assert (await post(api, {"extensions": persisted(query)})).json() == {"data": {"organization": {"name": "Acme"}}}


async def test_invalid_documents_are_not_stored(api):
    query = f"{{ nope{secrets.token_hex(4)} }}"
    failed = await post(api, {"query": query, "extensions": persisted(query)})
    assert failed.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert (await post(api, {"extensions": persisted(query)})).json() == NOT_FOUND


async def test_unsupported_version_and_malformed_extension_are_bad_user_input(api):
    query = unique_query()
    for extension in (
        {"persistedQuery": {"version": 2, "sha256Hash": sha256(query)}},
        {"persistedQuery": {"version": 1}},
        {"persistedQuery": {"version": 1, "sha256Hash": 12}},
        {"persistedQuery": "abc"},
    ):
        response = await post(api, {"query": query, "extensions": extension})
        assert response.status_code == 400, extension
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_other_extensions_are_ignored(api):
    response = await post(api, {"query": "{ organization { name } }", "extensions": {"tracing": True}})
    assert response.json() == {"data": {"organization": {"name": "Acme"}}}


async def test_hash_requests_need_a_key(api):
    query = unique_query()
    await post(api, {"query": query, "extensions": persisted(query)})
    response = await api.http.post("/graphql", json={"extensions": persisted(query)})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_stored_queries_serve_every_organization_with_its_own_data(api, other_api):
    query = unique_query()
    await post(api, {"query": query, "extensions": persisted(query)})
    theirs = await post(other_api, {"extensions": persisted(query)})
    assert theirs.json() == {"data": {"organization": {"name": "Other"}}}


def test_cache_is_an_lru_bounded_by_the_bytes_of_its_texts():
    cache = PersistedQueryCache(max_bytes=3 * sys.getsizeof("{ a }"))
    for name in "abc":
        cache.put(name, f"{{ {name} }}")
    assert cache.get("a") == "{ a }"  # a is now the most recently used
    cache.put("d", "{ d }")
    assert len(cache) == 3
    assert cache.get("b") is None
    assert [cache.get(name) for name in "acd"] == ["{ a }", "{ c }", "{ d }"]
    assert cache.size == 3 * sys.getsizeof("{ a }")


def test_wide_characters_count_for_their_bytes_and_a_text_over_the_budget_is_not_stored():
    cache = PersistedQueryCache(max_bytes=1000)
    cache.put("big", "x" * 1000)
    assert cache.get("big") is None and cache.size == 0
    cache.put("wide", "\U0001f4de" * 200)  # 200 characters, 800 bytes
    cache.put("narrow", "y" * 200)
    assert cache.get("wide") is None and cache.get("narrow") == "y" * 200


async def test_query_with_a_lone_surrogate_is_a_400_not_a_crash(api):
    """A lone surrogate escape names no character: the strict JSON decoder refuses the body."""
    response = await api.http.post(
        "/graphql",
        content=b'{"query": "{ __typename } # \\ud800", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}',
        headers={"X-API-Key": api.key, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Unable to parse request body as JSON"
