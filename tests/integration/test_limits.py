"""SPEC §8 limits: depth, aliases, tokens, body size, batching; coded request errors."""


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


async def test_100_selections_are_accepted_101_rejected(api):
    fifty = "organization { name } " * 50
    assert await api.query("{ %s }" % fifty) == {"organization": {"name": "Acme"}}
    errors = await api.errors("{ %s __typename }" % fifty)
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "more than 100 fields" in errors[0]["message"]


async def test_fragment_spreads_count_as_the_fields_they_bring_in(api):
    fragment = "fragment Config on TelephonyConfig { id name provider phoneNumberCount activePhoneNumberCount }"
    spreads = " ".join(f"c{n}: telephonyConfigs {{ nodes {{ ...Config }} }}" for n in range(14))
    errors = await api.errors("{ %s } %s" % (spreads, fragment))  # 14 x (2 + 5) + 5 selections, 33 written
    assert "more than 100 fields" in errors[0]["message"]


async def test_fragments_doubling_at_each_level_are_rejected_without_expanding_them(api):
    fragments = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(40))
    errors = await api.errors("{ ...F0 } %s fragment F40 on Query { __typename }" % fragments)
    assert "more than 100 fields" in errors[0]["message"]


async def test_document_over_32_kib_is_a_parse_failure(api):
    errors = await api.errors("{ __typename } # " + "x" * 32 * 1024)
    assert errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "more than 32768 characters" in errors[0]["message"]


async def test_fragments_nested_past_the_interpreter_stack_are_a_parse_failure(api):
    nested = "{ " + "... on Query { " * 390 + "__typename" + " }" * 391  # under 2000 tokens
    errors = await api.errors(nested)
    assert errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "nested too deeply" in errors[0]["message"]
