"""The `switchboard` command line, run as a real process on a fresh SQLite database."""

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest
from conftest import free_port
from processes import SWITCHBOARD, switchboard_serve


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env["SWITCHBOARD_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    return tmp_path, env


def run(env, cwd, *args) -> subprocess.CompletedProcess:
    return subprocess.run([SWITCHBOARD, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_org_and_apikey_create_json(workdir):
    cwd, env = workdir
    created = run(env, cwd, "org", "create", "Acme", "--json")
    assert created.returncode == 0, created.stderr
    org = json.loads(created.stdout)
    assert org["api_key"].startswith("sb_") and len(org["api_key"]) >= 35
    another = json.loads(run(env, cwd, "apikey", "create", "--org", str(org["organization_id"]), "--json").stdout)
    assert another["organization_id"] == org["organization_id"]
    assert another["api_key"] != org["api_key"]
    missing = run(env, cwd, "apikey", "create", "--org", "999999")
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_export_schema_prints_the_sdl(workdir):
    cwd, env = workdir
    exported = run(env, cwd, "export-schema")
    assert exported.returncode == 0
    assert exported.stdout == (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()


def test_cli_needs_no_key_file_and_postgres_requires_a_secret_key(workdir):
    cwd, env = workdir
    run(env, cwd, "migrate")
    run(env, cwd, "org", "create", "Acme")
    key_file = cwd / "cli.db.secret-key"
    assert not key_file.exists()  # only serving needs it
    env_pg = {**env, "SWITCHBOARD_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}
    refused = run(env_pg, cwd, "serve", "--port", "1")
    assert refused.returncode != 0 and "SWITCHBOARD_SECRET_KEY is required" in refused.stderr


def test_serve_bootstraps_an_organization_and_prints_its_key_once(workdir):
    cwd, env = workdir
    port = free_port()
    with switchboard_serve(env, cwd, port) as served:
        assert served.key, served.output
        assert httpx.get(f"{served.url}/readyz").json() == {"status": "ok", "database": "ok"}
        answer = httpx.post(
            f"{served.url}/graphql", json={"query": "{ organization { name } }"}, headers={"X-API-Key": served.key}
        )
        assert answer.json() == {"data": {"organization": {"name": "Default organization"}}}
        assert (cwd / "cli.db.secret-key").stat().st_mode & 0o777 == 0o600
    with switchboard_serve(env, cwd, port) as restarted:
        assert restarted.key is None
        assert "API key" not in restarted.output


def test_a_failure_while_serving_carries_what_the_server_logged(workdir):
    """tests/processes.py: a test that fails against a served process reports its log, so that
    a 500 in CI comes with the server's traceback."""
    cwd, env = workdir
    with pytest.raises(AssertionError) as failed:
        with switchboard_serve(env, cwd, free_port()) as served:
            httpx.get(f"{served.url}/no-such-page")
            raise AssertionError("the test's own failure")
    (note,) = failed.value.__notes__
    assert note.startswith("output of switchboard serve:") and "GET /no-such-page" in note
