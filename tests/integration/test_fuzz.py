"""Schemathesis fuzzes every query and mutation of a live server with a valid key: no 5xx and no
INTERNAL_SERVER_ERROR, whatever the generated arguments."""

import os

import pytest
import schemathesis
from conftest import TEST_SECRET_KEY, free_port
from hypothesis import HealthCheck, given, settings
from processes import switchboard_serve

EXAMPLES_PER_OPERATION = int(os.environ.get("SWITCHBOARD_FUZZ_EXAMPLES", "15"))


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("fuzz")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env |= {
        "SWITCHBOARD_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'fuzz.db'}",
        "SWITCHBOARD_SECRET_KEY": TEST_SECRET_KEY,
        "SWITCHBOARD_PUBLIC_BASE_URL": "https://switchboard.example.test",
        "SWITCHBOARD_PROVIDER_TIMEOUT": "1",
        "SWITCHBOARD_LOG_LEVEL": "warning",
    }
    # Providers point at a closed port: fuzzed syncs fail fast and never leave the machine.
    env |= {
        f"SWITCHBOARD_{key}_API_BASE": f"http://127.0.0.1:{free_port()}"
        for key in ("ARI", "CLOUDONIX", "EXOTEL", "PLIVO", "SIGNALWIRE", "TELNYX", "TWILIO", "VOBIZ", "VONAGE")
    }
    with switchboard_serve(env, workdir, free_port()) as served:
        yield served


def test_no_operation_crashes_the_server(live):
    # Schemathesis' own pytest plugin does not load under pytest 9, so its strategies are driven
    # by Hypothesis directly: one property per operation of the schema.
    schema = schemathesis.graphql.from_url(f"{live.url}/graphql", headers={"X-API-Key": live.key})
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20

    for operation in operations:

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def never_crashes(case):
            response = case.call(headers={"X-API-Key": live.key})
            assert response.status_code < 500, response.text
            assert "INTERNAL_SERVER_ERROR" not in response.text, response.text

        never_crashes()
