"""GraphQL over HTTP: media types, status codes, CORS and the introspection switch."""

import httpx
import pytest
from conftest import running_server
from helpers import Api

GRAPHQL_RESPONSE = "application/graphql-response+json"


async def post(api, query, accept=None):
    headers = {"X-API-Key": api.key} | ({"Accept": accept} if accept else {})
    return await api.http.post("/graphql", json={"query": query}, headers=headers)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0", "application/json"),
    ],
)
async def test_response_media_type_follows_accept(api, accept, media_type):
    response = await post(api, "{ __typename }", accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize("query", ["{ nope }", "{ __typename", "query($x: Int!) { __typename }"])
async def test_request_errors_are_400_under_graphql_response_json_and_200_under_json(api, query):
    modern = await post(api, query, GRAPHQL_RESPONSE)
    assert modern.status_code == 400
    assert "data" not in modern.json()
    legacy = await post(api, query, "application/json")
    assert legacy.status_code == 200


async def test_execution_errors_stay_200(api):
    response = await post(api, '{ workflows(after: "bad") { totalCount } }', GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unauthenticated_uses_the_accepted_media_type(api):
    response = await api.http.post("/graphql", json={"query": "{ __typename }"}, headers={"Accept": GRAPHQL_RESPONSE})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)


async def test_mutation_over_get_is_refused(api):
    response = await api.http.get(
        "/graphql",
        params={"query": 'mutation { createWorkflow(input: {name: "x"}) { errors { code } } }'},
        headers={"X-API-Key": api.key},
    )
    assert response.status_code == 405


async def test_cors_preflight_and_origin(settings, api):
    allowed = "https://dashboard.example.com"
    with_cors = settings.model_copy(update={"cors_origins": [allowed]})
    async with running_server(with_cors, migrated=False) as server, httpx.AsyncClient(base_url=server.url) as client:
        preflight = await client.options(
            "/graphql",
            headers={
                "Origin": allowed,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-api-key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == allowed
        assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
        refused = await client.options(
            "/graphql", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in refused.headers
        answered = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": allowed, "X-API-Key": api.key}
        )
        assert answered.headers["access-control-allow-origin"] == allowed


async def test_no_cors_headers_by_default(api):
    response = await api.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://x.example", "X-API-Key": api.key}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_introspection_can_be_switched_off(settings, api):
    closed = settings.model_copy(update={"introspection": False})
    async with running_server(closed, migrated=False) as server, httpx.AsyncClient(base_url=server.url) as client:
        other = Api(client, api.key, api.organization_id)
        errors = await other.errors("{ __schema { types { name } } }")
        assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert await other.query("{ __typename organization { name } }") == {
            "__typename": "Query",
            "organization": {"name": "Acme"},
        }
    assert (await api.query("{ __schema { queryType { name } } }"))["__schema"]["queryType"]["name"] == "Query"


# ---- fixes found by graphql-http's server audits and the GraphQL-over-HTTP spec


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=0.5, application/json;q=0.5", GRAPHQL_RESPONSE),
        ("application/*", "application/json"),
        ("*/*", "application/json"),
        ("text/html, */*;q=0.8", "application/json"),
        (f"text/plain, {GRAPHQL_RESPONSE};q=0.1", GRAPHQL_RESPONSE),
        ("application/json; charset=utf-8", "application/json"),
    ],
)
async def test_accept_is_negotiated_by_quality(api, accept, media_type):
    response = await post(api, "{ __typename }", accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    "accept", ["text/plain", "text/html", "application/xml, text/*", f"{GRAPHQL_RESPONSE};q=0, application/json;q=0"]
)
async def test_unacceptable_accept_is_406(api, accept):
    response = await post(api, "{ __typename }", accept)
    assert response.status_code == 406
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_browser_without_query_still_gets_graphiql(api):
    response = await api.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("body", [b"123", b"null", b'"{ __typename }"', b"true"])
async def test_json_body_that_is_not_an_object_is_400(api, body):
    response = await api.http.post("/graphql", content=body, headers={"X-API-Key": api.key, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("body", [b'{"query": "{ __typename \xff }"}', b"[" * 100_000], ids=["invalid-utf8", "nested-too-deep"])
async def test_unparseable_body_is_400_not_500(api, body):
    response = await api.http.post("/graphql", content=body, headers={"X-API-Key": api.key, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "message": "Unable to parse request body as JSON",
        "extensions": {"code": "BAD_USER_INPUT"},
    }


async def test_get_variables_as_a_json_string(api):
    response = await api.http.get(
        "/graphql",
        params={"query": "query($first: Int) { workflows(first: $first) { totalCount } }", "variables": '{"first": 1}'},
        headers={"X-API-Key": api.key},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"workflows": {"totalCount": 0}}}


@pytest.mark.parametrize("name", ["variables", "extensions"])
async def test_get_parameter_that_is_not_json_is_400(api, name):
    response = await api.http.get("/graphql", params={"query": "{ __typename }", name: "{x"}, headers={"X-API-Key": api.key})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == f"Unable to parse the `{name}` query parameter as JSON"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/graphql", "application/x-www-form-urlencoded"])
async def test_post_that_is_not_json_is_415(api, content_type):
    headers = {"X-API-Key": api.key} | ({"Content-Type": content_type} if content_type else {})
    response = await api.http.post("/graphql", content=b'{"query": "{ __typename }"}', headers=headers)
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_head_is_405_allowing_get_and_post(api):
    response = await api.http.head("/graphql", headers={"X-API-Key": api.key})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
