"""SWITCHBOARD_LOG_FORMAT=json: a served process writes one JSON object per line, every line of a
request carries the id its response names in X-Request-ID, and neither query strings nor
secrets reach the log."""

import json
import subprocess

import httpx
from conftest import free_port, serve_environment
from processes import SWITCHBOARD, switchboard_serve

SENTINEL = "sentinel-in-a-query-string"
AUTH_TOKEN = "f" * 31 + "e"


def test_json_logs_carry_the_request_id_and_no_query_strings_or_secrets(database_url, tmp_path):
    env = serve_environment(database_url) | {
        "SWITCHBOARD_LOG_FORMAT": "json",
        "SWITCHBOARD_LOG_LEVEL": "info",
        "SWITCHBOARD_PUBLIC_BASE_URL": "https://switchboard.example.test",
    }
    created = subprocess.run(
        [SWITCHBOARD, "org", "create", "Logged", "--json"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    key = json.loads(created.stdout)["api_key"]
    with switchboard_serve(env, tmp_path, free_port()) as served:
        headers = {"X-API-Key": key}
        with httpx.Client(base_url=served.url, headers=headers) as client:
            named = client.post("/graphql", json={"query": "query Named { organization { name } }"})
            over_get = client.get(
                "/graphql",
                params={"query": "query($s: String) { organization { name } }", "variables": json.dumps({"s": SENTINEL})},
            )
            config = client.post(
                "/graphql",
                json={
                    "query": "mutation($input: CreateTelephonyConfigInput!) { createTelephonyConfig(input: $input) { errors { code } } }",
                    "variables": {
                        "input": {
                            "name": "Logged",
                            "credentials": {"twilio": {"accountSid": "AC" + "1" * 32, "authToken": AUTH_TOKEN}},
                        }
                    },
                },
            )
            unrouted = client.post("/telephony/twilio/inbound", data={"To": "+14155550100", "AccountSid": "AC" + "2" * 32})
    assert named.status_code == over_get.status_code == config.status_code == 200
    assert config.json()["data"]["createTelephonyConfig"]["errors"] == []

    records = [json.loads(line) for line in served.lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    by_request = {}
    for record in records:
        if record.get("request_id"):
            by_request.setdefault(record["request_id"], []).append(record)
    for response in (named, over_get, config, unrouted):
        request_id = response.headers["X-Request-ID"]
        access = [r for r in by_request[request_id] if r["logger"] == "switchboard.access"]
        assert len(access) == 1, by_request[request_id]
        assert access[0]["status"] == response.status_code and access[0]["duration_ms"] >= 0
    (get_line,) = [r for r in by_request[over_get.headers["X-Request-ID"]] if r["logger"] == "switchboard.access"]
    assert get_line["method"] == "GET" and get_line["path"] == "/graphql"
    refused = [r for r in by_request[unrouted.headers["X-Request-ID"]] if r["logger"] != "switchboard.access"]
    assert refused and "not routed" in refused[0]["message"], "the front door's own line names the request too"
    output = "".join(served.lines)
    assert SENTINEL not in output and AUTH_TOKEN not in output and key not in output
