"""The `switchboard` command line, run as a real process on a fresh SQLite database."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import free_port

SWITCHBOARD = str(Path(sys.executable).with_name("switchboard"))


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
    process = subprocess.Popen(
        [SWITCHBOARD, "serve", "--port", str(port)], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        output = ""
        key = None
        deadline = time.monotonic() + 30
        while key is None and time.monotonic() < deadline:
            output += process.stdout.readline()
            if match := re.search(r"API key \(shown once, store it now\): (sb_\S+)", output):
                key = match.group(1)
        assert key, output
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        assert httpx.get(f"{base}/readyz").json() == {"status": "ok", "database": "ok"}
        answer = httpx.post(f"{base}/graphql", json={"query": "{ organization { name } }"}, headers={"X-API-Key": key})
        assert answer.json() == {"data": {"organization": {"name": "Default organization"}}}
        assert (cwd / "cli.db.secret-key").stat().st_mode & 0o777 == 0o600
    finally:
        process.terminate()
        process.wait(timeout=15)
    restarted = subprocess.Popen(
        [SWITCHBOARD, "serve", "--port", str(port)], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        time.sleep(2)
    finally:
        restarted.terminate()
        second_output = restarted.communicate(timeout=15)[0]
    assert "API key" not in second_output
