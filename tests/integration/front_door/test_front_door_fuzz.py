"""Hypothesis fuzzes the front door of a served Switchboard, on the suite's database: whatever arrives at
/telephony/{provider}/inbound or /status, unauthenticated, the answer is never a 5xx and no call
is stored under any organization. Part of the generated requests name a real bound number and
its account, so that routing matches and the signature checks run."""

import json
import os
import subprocess
from urllib.parse import urlencode

import httpx
import pytest
from conftest import TEST_POOL_SIZE, TEST_SECRET_KEY, free_port
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from processes import SWITCHBOARD, switchboard_serve
from switchboard.providers.registry import load_providers

EXAMPLES = int(os.environ.get("SWITCHBOARD_FUZZ_EXAMPLES", "15")) * 20
PUBLIC = "https://switchboard.example.test"
ACCOUNT, TOKEN, NUMBER = "AC" + "1" * 32, "2" * 32, "+14155550100"
SETUP = """
mutation($config: CreateTelephonyConfigInput!) {
  createTelephonyConfig(input: $config) { telephonyConfig { id } errors { code } } }"""
BIND = """
mutation($config: ID!, $workflow: ID!) {
  createPhoneNumber(input: {telephonyConfigId: $config, address: "+14155550100", inboundWorkflowId: $workflow}) { errors { code } } }"""


@pytest.fixture(scope="module")
def live(database_url, server, tmp_path_factory):
    """`switchboard serve` on the suite's database (SQLite or PostgreSQL: values a database refuses
    must be 400s, not 500s), with an organization of its own."""
    workdir = tmp_path_factory.mktemp("front-door-fuzz")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env |= {
        "SWITCHBOARD_DATABASE_URL": database_url,
        "SWITCHBOARD_SECRET_KEY": TEST_SECRET_KEY,
        "SWITCHBOARD_PUBLIC_BASE_URL": PUBLIC,
        "SWITCHBOARD_PROVIDER_TIMEOUT": "1",
        "SWITCHBOARD_LOG_LEVEL": "warning",
        "SWITCHBOARD_DATABASE_POOL_SIZE": str(TEST_POOL_SIZE),
    }
    env |= {f"SWITCHBOARD_{key.upper()}_API_BASE": f"http://127.0.0.1:{free_port()}" for key in load_providers()}
    created = subprocess.run([SWITCHBOARD, "org", "create", "Fuzzed", "--json"], env=env, cwd=workdir, capture_output=True, text=True, check=True)
    key = json.loads(created.stdout)["api_key"]
    with switchboard_serve(env, workdir, free_port()) as served:
        api = httpx.Client(base_url=served.url, headers={"X-API-Key": key}, timeout=30)
        config = api.post(
            "/graphql",
            json={"query": SETUP, "variables": {"config": {"name": "Fuzzed", "credentials": {"twilio": {"accountSid": ACCOUNT, "authToken": TOKEN}}}}},
        ).json()["data"]["createTelephonyConfig"]["telephonyConfig"]["id"]
        workflow = api.post(
            "/graphql",
            json={"query": 'mutation { createWorkflow(input: {name: "A", agentStreamUrl: "wss://a.example/m"}) { workflow { id } } }'},
        ).json()["data"]["createWorkflow"]["workflow"]["id"]
        assert api.post("/graphql", json={"query": BIND, "variables": {"config": config, "workflow": workflow}}).json()["data"]
        yield served, api


KNOWN = st.sampled_from(["CallSid", "AccountSid", "To", "From", "CallUUID", "CallStatus", "uuid", "to", "from", "account", "token", "CallFrom", "CallTo"])
VALUES = st.one_of(
    st.sampled_from([ACCOUNT, NUMBER, "14155550100", "completed", "ringing", "", "CA1", "CA\x001", "CA" + "7" * 300]),
    st.text(max_size=30),
)
FORMS = st.dictionaries(st.one_of(KNOWN, st.text(max_size=10)), VALUES, max_size=8)
PROVIDERS = st.sampled_from([*load_providers(), "nosuch", "TWILIO", "..", "%00"])
CONTENT_TYPES = st.sampled_from(
    ["application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data; boundary=x", "", "application/x-www-form-urlencoded; charset=latin-1"]
)
HEADERS = st.dictionaries(
    st.sampled_from(
        [
            "x-twilio-signature", "x-signalwire-signature", "x-plivo-signature-v3", "x-plivo-signature-v3-nonce",
            "x-vobiz-signature-v3", "x-vobiz-signature-v3-nonce", "telnyx-signature-ed25519", "telnyx-timestamp", "authorization",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=60),
    max_size=4,
)


def body_of(form: dict[str, str], kind: str, raw: bytes) -> bytes:
    return {"form": urlencode(form).encode(), "json": json.dumps(form).encode(), "raw": raw}[kind]


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    provider=PROVIDERS,
    kind=st.sampled_from(["inbound", "status"]),
    method=st.sampled_from(["GET", "POST"]),
    form=FORMS,
    encoding=st.sampled_from(["form", "json", "raw"]),
    raw=st.binary(max_size=300),
    content_type=CONTENT_TYPES,
    headers=HEADERS,
    query=FORMS,
)
def test_the_front_door_never_fails_and_stores_nothing_unsigned(live, provider, kind, method, form, encoding, raw, content_type, headers, query):
    served, api = live
    with httpx.Client(base_url=served.url, timeout=30) as client:
        response = client.request(
            method,
            f"/telephony/{provider}/{kind}",
            params=query,
            content=body_of(form, encoding, raw) if method == "POST" else None,
            headers={**headers, "content-type": content_type},
        )
    assert response.status_code < 500, response.text
    calls = api.post("/graphql", json={"query": "{ inboundCalls { totalCount } }"}).json()
    assert calls["data"]["inboundCalls"]["totalCount"] == 0
