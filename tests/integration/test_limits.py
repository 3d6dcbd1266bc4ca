"""SPEC §8 limits: depth, aliases, tokens, body size, batching; coded request errors."""

from graphql import get_introspection_query


async def test_depth_over_10_is_rejected(api):
    chain = "workflows { nodes { inboundPhoneNumbers { nodes { inboundWorkflow { inboundPhoneNumbers { nodes { inboundWorkflow { inboundPhoneNumbers { nodes { %s } } } } } } } } } }"
    assert await api.query("{ %s }" % (chain % "id"))  # ten levels of selection sets: allowed
    errors = await api.errors("{ %s }" % (chain % "inboundWorkflow { id }"))
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "depth" in errors[0]["message"]


async def test_31_aliases_are_rejected_30_accepted(api):
    thirty = "{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }"
    assert len(await api.query(thirty)) == 30
    errors = await api.errors("{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }")
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_token_bomb_is_rejected_as_parse_failure(api):
    bomb = "{ __typename " + "@include(if: true) " * 2000 + "}"
    errors = await api.errors(bomb)
    assert errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_body_over_1_mib_is_413(api):
    response = await api.http.post(
        "/graphql",
        content=b'{"query": "{ __typename }", "pad": "' + b"x" * (1024 * 1024) + b'"}',
        headers={"X-API-Key": api.key, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_batched_array_is_refused(api):
    response = await api.http.post(
        "/graphql",
        json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}],
        headers={"X-API-Key": api.key},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_malformed_json_is_400(api):
    response = await api.http.post(
        "/graphql", content=b"{not json", headers={"X-API-Key": api.key, "Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_variables_of_the_wrong_type_are_bad_user_input(api):
    errors = await api.errors("query($first: Int) { workflows(first: $first) { totalCount } }", {"first": "many"})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unknown_field_is_validation_failure(api):
    errors = await api.errors("{ nope }")
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_too_many_node_ids_is_bad_user_input(api):
    errors = await api.errors("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["x"] * 101})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_100_fields_are_accepted_101_rejected(api):
    fifty = "organization { name } " * 50
    assert await api.query("{ %s }" % fifty) == {"organization": {"name": "Acme"}}
    errors = await api.errors("{ %s __typename }" % fifty)
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "more than 100 fields" in errors[0]["message"]


def doubling_fragments(levels: int) -> str:
    """A query of one fragment that spreads the next one twice, `levels` deep: 2**levels
    selections of `__typename` in a few hundred characters."""
    fragments = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels))
    return "{ ...F0 } %s fragment F%d on Query { __typename }" % (fragments, levels)


async def test_1000_selections_with_fragments_expanded_are_the_limit(api):
    assert await api.query(doubling_fragments(8)) == {"__typename": "Query"}  # 767 counted
    errors = await api.errors(doubling_fragments(10))  # 3,071 counted
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "more than 1000 fields once its fragments are expanded" in errors[0]["message"]


async def test_forty_levels_of_doubling_fragments_are_rejected_without_expanding_them(api):
    """2**40 selections: the depth rule alone would walk them for hours."""
    errors = await api.errors(doubling_fragments(40))
    assert "more than 1000 fields once its fragments are expanded" in errors[0]["message"]


async def test_the_introspection_query_of_graphiql_and_code_generators_is_within_the_limits(api):
    query = get_introspection_query(
        descriptions=True, specified_by_url=True, directive_is_repeatable=True, schema_description=True, input_value_deprecation=True, one_of=True
    )
    assert (await api.query(query))["__schema"]["queryType"]["name"] == "Query"


async def test_document_over_32_kib_is_a_parse_failure(api):
    errors = await api.errors("{ __typename } # " + "x" * 32 * 1024)
    assert errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "more than 32768 characters" in errors[0]["message"]


async def test_fragments_nested_past_the_interpreter_stack_are_a_parse_failure(api):
    nested = "{ " + "... on Query { " * 390 + "__typename" + " }" * 391  # under 2000 tokens
    errors = await api.errors(nested)
    assert errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "nested too deeply" in errors[0]["message"]
