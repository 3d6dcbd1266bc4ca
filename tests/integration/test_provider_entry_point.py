"""A provider from a separately installed package registers through the entry point and appears
in the schema (enum, credentials input, telephonyProviders) without changes to Switchboard."""

import os
import subprocess
import textwrap
from pathlib import Path

import httpx
from conftest import free_port
from processes import SWITCHBOARD, switchboard_serve

PLUGIN = """
from switchboard.providers.base import CredentialField, FieldType, ProviderPlugin


class AcmeProvider(ProviderPlugin):
    key = "acme"
    display_name = "Acme Telecom"
    supports_inbound_sync = False
    needs_caller_ids = True
    fields = (
        CredentialField(name="tenantId", label="Tenant ID", pattern=r"^t-[0-9]+$", pattern_hint="must look like t-123"),
        CredentialField(name="apiSecret", label="API secret", type=FieldType.SECRET, secret=True),
    )

    def account_id(self, credentials):
        return credentials["tenantId"]
"""


def install_plugin_package(site: Path) -> None:
    """What `pip install acme-switchboard` would leave in site-packages: the module and its dist-info."""
    (site / "acme_switchboard.py").write_text(textwrap.dedent(PLUGIN))
    dist_info = site / "acme_switchboard-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-switchboard\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[switchboard.providers]\nacme = acme_switchboard:AcmeProvider\n")


def test_third_party_provider_appears_in_the_schema(tmp_path):
    install_plugin_package(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    sdl = subprocess.run([SWITCHBOARD, "export-schema"], env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    assert "  ACME\n" in sdl
    assert "input AcmeCredentialsInput {\n  tenantId: String\n  apiSecret: String\n}" in sdl
    assert "  acme: AcmeCredentialsInput\n" in sdl


def test_without_the_package_there_is_no_such_provider():
    sdl = subprocess.run([SWITCHBOARD, "export-schema"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "ACME" not in sdl


def test_third_party_provider_works_through_the_api(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin_package(site)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env |= {"PYTHONPATH": str(site), "SWITCHBOARD_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'acme.db'}"}
    with switchboard_serve(env, tmp_path, free_port()) as served:
        created = httpx.post(
            f"{served.url}/graphql",
            headers={"X-API-Key": served.key},
            json={
                "query": 'mutation($c: TelephonyCredentialsInput!) { createTelephonyConfig(input: {name: "Acme", credentials: $c}) '
                "{ telephonyConfig { provider credentials } errors { field } } }",
                "variables": {"c": {"acme": {"tenantId": "t-42", "apiSecret": "super-secret-value-1234"}}},
            },
        ).json()
    assert created["data"]["createTelephonyConfig"]["telephonyConfig"] == {
        "provider": "ACME",
        "credentials": {"tenantId": "t-42", "apiSecret": "****1234"},
    }
