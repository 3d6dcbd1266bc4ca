"""The nine provider plugins' declarations, against the public contract, and the registry."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from pathlib import Path

import graphql
import pytest
from switchboard.providers import registry
from switchboard.providers.ari import AriProvider
from switchboard.providers.base import Connectivity, CredentialField, FieldType, ProviderPlugin
from switchboard.providers.cloudonix import CloudonixProvider
from switchboard.providers.credentials import public_credentials, validate_new
from switchboard.providers.exotel import ExotelProvider
from switchboard.providers.plivo import PlivoProvider
from switchboard.providers.signalwire import SignalwireProvider
from switchboard.providers.telnyx import TelnyxProvider
from switchboard.providers.twilio import TwilioProvider
from switchboard.providers.vobiz import VobizProvider
from switchboard.providers.vonage import VonageProvider

# The public contract: a copy at the repository root if there is one, else the shared tree.
CONTRACT_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "contract.graphql",
    Path("/work/shared/contract.graphql"),
)

PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
    "-----END PRIVATE KEY-----"
)


@dataclass(frozen=True)
class Case:
    cls: type[ProviderPlugin]
    example: dict[str, str]  # one realistic value per declared field
    account_id: str
    needs_caller_ids: bool = True
    supports_inbound_sync: bool = True
    webhook_secret_field: str | None = None
    connectivity: Connectivity = Connectivity.API


CASES: dict[str, Case] = {
    "twilio": Case(
        TwilioProvider,
        {
            "accountSid": "AC0123456789ABCDEF0123456789abcdef",
            "authToken": "0123456789abcdef0123456789abcdef",
        },
        account_id="AC0123456789abcdef0123456789abcdef",
    ),
    "telnyx": Case(
        TelnyxProvider,
        {
            "apiKey": "KEY01236170692E74656C6E79782E636F6D_YmlnIGlyb24gaXMgZGVhZA",
            "connectionId": "2812968115544000352",
            "webhookPublicKey": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        },
        account_id="2812968115544000352",
        webhook_secret_field="webhookPublicKey",
    ),
    "vonage": Case(
        VonageProvider,
        {
            "apiKey": "abcd1234",
            "apiSecret": "Abcdef1234567890",
            "applicationId": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
            "privateKey": PEM,
            "signatureSecret": "sigSecret0123456789abcdef",
        },
        account_id="abcd1234",
        webhook_secret_field="signatureSecret",
    ),
    "plivo": Case(
        PlivoProvider,
        {
            "authId": "MANWVLYTK4ZWU1YTY4ZT",
            "authToken": "OWY2ZjUyYzQ3ZmQ0NjlmMzc4YjY2YjEyNTdhZjlj",
            "applicationId": "29986316244302815",
        },
        account_id="MANWVLYTK4ZWU1YTY4ZT",
    ),
    "vobiz": Case(
        VobizProvider,
        {
            "authId": "MA_SYQRLN1K",
            "authToken": "vobizToken0123456789",
            "applicationId": "20577609616603585",
        },
        account_id="MA_SYQRLN1K",
    ),
    "signalwire": Case(
        SignalwireProvider,
        {
            "spaceUrl": "example.signalwire.com",
            "projectId": "ABCDEF01-2345-6789-ABCD-EF0123456789",
            "apiToken": "PT0123456789abcdef0123456789abcdef0123456789abcdef",
            "signingKey": "PSK_7TruNcSNTxp4zNrykMj4EPzF",
        },
        account_id="abcdef01-2345-6789-abcd-ef0123456789",
        webhook_secret_field="signingKey",
    ),
    "cloudonix": Case(
        CloudonixProvider,
        {
            "bearerToken": "XI0123456789abcdefABCDEF0123456789",
            "domainId": "Acme.Cloudonix.net",
            "applicationName": "switchboard-inbound",
        },
        account_id="acme.cloudonix.net",
    ),
    "exotel": Case(
        ExotelProvider,
        {
            "accountSid": "exotel",
            "apiKey": "2b04c2abcdef1234",
            "apiToken": "a1b2c3d4e5f6a7b8",
            "subdomain": "api.in.exotel.com",
        },
        account_id="exotel",
        supports_inbound_sync=False,
    ),
    "ari": Case(
        AriProvider,
        {
            "ariEndpoint": "http://PBX.Example.com:8088",
            "appName": "myapp",
            "appPassword": "correct horse: battery staple",
            "wsClientName": "media_connection",
        },
        account_id="pbx.example.com:8088/myapp",
        needs_caller_ids=False,
        supports_inbound_sync=False,
        connectivity=Connectivity.SIP,
    ),
}

# Values that a field's pattern must refuse: (provider, field, value).
REJECTED = [
    ("twilio", "accountSid", "AC0123"),
    ("twilio", "accountSid", "SK0123456789abcdef0123456789abcdef"),
    ("twilio", "authToken", "two words"),
    ("telnyx", "apiKey", "0123456789abcdef"),
    ("telnyx", "connectionId", "my-app"),
    ("telnyx", "webhookPublicKey", "not a key"),
    ("vonage", "applicationId", "not-a-uuid"),
    ("vonage", "privateKey", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
    ("vonage", "apiSecret", "short"),
    ("plivo", "authId", "MA123"),
    ("plivo", "authId", "manwvlytk4zwu1yty4zt"),
    ("plivo", "applicationId", "app-1"),
    ("vobiz", "authId", "MANWVLYTK4ZWU1YTY4ZT"),
    ("signalwire", "spaceUrl", "example.com"),
    ("signalwire", "signingKey", "7TruNcSNTxp4zNrykMj4EPzF"),
    ("cloudonix", "bearerToken", "sk_live_abc"),
    ("cloudonix", "domainId", "acme cloudonix"),
    ("exotel", "accountSid", "my sid"),
    ("exotel", "subdomain", "api.us.exotel.com"),
    ("ari", "ariEndpoint", "asterisk.internal:8088"),
    ("ari", "ariEndpoint", "http://user:pass@pbx.example.com:8088"),
    ("ari", "ariEndpoint", "http://pbx.example.com:8088/?x=1"),
    ("ari", "appName", "user:name"),
]


def instance(key: str) -> ProviderPlugin:
    return CASES[key].cls()


@pytest.fixture(scope="module")
def contract() -> graphql.GraphQLSchema:
    for path in CONTRACT_CANDIDATES:
        if path.exists():
            return graphql.build_schema(path.read_text())
    pytest.skip("contract.graphql not found")


def test_every_contract_provider_has_a_case(contract: graphql.GraphQLSchema) -> None:
    enum = contract.type_map["TelephonyProvider"]
    assert isinstance(enum, graphql.GraphQLEnumType)
    assert sorted(enum.values) == sorted(k.upper() for k in CASES)
    credentials = contract.type_map["TelephonyCredentialsInput"]
    assert sorted(credentials.fields) == sorted(CASES)


@pytest.mark.parametrize("key", sorted(CASES))
def test_fields_match_contract_input(key: str, contract: graphql.GraphQLSchema) -> None:
    plugin = instance(key)
    assert plugin.key == key
    input_type = contract.type_map[f"{key.capitalize()}CredentialsInput"]
    assert isinstance(input_type, graphql.GraphQLInputObjectType)
    assert [f.name for f in plugin.fields] == list(input_type.fields)


@pytest.mark.parametrize("key", sorted(CASES))
def test_declaration(key: str) -> None:
    case = CASES[key]
    plugin = instance(key)
    assert plugin.display_name and plugin.docs_url and plugin.docs_url.startswith("https://")
    assert plugin.connectivity is case.connectivity
    assert plugin.needs_caller_ids is case.needs_caller_ids
    assert plugin.supports_inbound_sync is case.supports_inbound_sync
    assert plugin.webhook_secret_field == case.webhook_secret_field
    if case.webhook_secret_field:
        assert plugin.field(case.webhook_secret_field).required is False
    for field in plugin.fields:
        assert isinstance(field, CredentialField)
        if field.type is FieldType.SECRET:
            assert field.secret, field.name
        if field.pattern:
            assert field.pattern_hint, f"{field.name} needs a human description of its pattern"
    assert plugin.secret_field_names == {f.name for f in plugin.fields if f.secret}


def test_secret_flags() -> None:
    secrets = {key: sorted(instance(key).secret_field_names) for key in CASES}
    assert secrets == {
        "ari": ["appPassword"],
        "cloudonix": ["bearerToken"],
        "exotel": ["apiKey", "apiToken"],
        "plivo": ["authToken"],
        "signalwire": ["apiToken", "signingKey"],
        "telnyx": ["apiKey"],  # the webhook key is a public key
        "twilio": ["authToken"],
        "vobiz": ["authToken"],
        "vonage": ["apiSecret", "privateKey", "signatureSecret"],
    }
    assert instance("vonage").field("privateKey").type is FieldType.TEXTAREA


def test_exotel_region_select() -> None:
    subdomain = instance("exotel").field("subdomain")
    assert subdomain.type is FieldType.SELECT
    assert subdomain.option_values == ("api.exotel.com", "api.in.exotel.com")
    assert subdomain.default == "api.exotel.com"
    example = dict(CASES["exotel"].example)
    del example["subdomain"]
    clean, problems = validate_new(instance("exotel"), example)
    assert problems == [] and clean["subdomain"] == "api.exotel.com"


@pytest.mark.parametrize("key", sorted(CASES))
def test_examples_match_patterns(key: str) -> None:
    plugin = instance(key)
    example = CASES[key].example
    assert sorted(example) == sorted(f.name for f in plugin.fields)
    for field in plugin.fields:
        if field.pattern is not None:
            assert re.fullmatch(field.pattern, example[field.name]), (field.name, field.pattern)
    clean, problems = validate_new(plugin, example)
    assert problems == []
    assert clean == example


@pytest.mark.parametrize(("key", "name", "value"), REJECTED)
def test_patterns_reject(key: str, name: str, value: str) -> None:
    plugin = instance(key)
    _, problems = validate_new(plugin, {**CASES[key].example, name: value})
    assert [p.field for p in problems] == [name]
    assert value not in problems[0].message


@pytest.mark.parametrize("key", sorted(CASES))
def test_required_fields_are_enforced(key: str) -> None:
    plugin = instance(key)
    _, problems = validate_new(plugin, {})
    required = [f.name for f in plugin.fields if f.required]
    assert required and [p.field for p in problems] == required


@pytest.mark.parametrize("key", sorted(CASES))
def test_account_id(key: str) -> None:
    plugin = instance(key)
    assert plugin.account_id(CASES[key].example) == CASES[key].account_id


@pytest.mark.parametrize("key", sorted(CASES))
def test_public_credentials_hide_secrets(key: str) -> None:
    plugin = instance(key)
    shown = public_credentials(plugin, CASES[key].example)
    for name in plugin.secret_field_names:
        assert shown[name].startswith("****")
        assert shown[name] != CASES[key].example[name]


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("https://pbx.example.com", "pbx.example.com/app"),
        ("https://pbx.example.com:443/", "pbx.example.com/app"),
        ("http://pbx.example.com:80", "pbx.example.com/app"),
        ("https://pbx.example.com:8089/asterisk", "pbx.example.com:8089/app"),
        ("http://10.0.0.5:8088", "10.0.0.5:8088/app"),
        ("http://[FD00::1]:8088", "[fd00::1]:8088/app"),
    ],
)
def test_ari_account_id_normalizes_host(endpoint: str, expected: str) -> None:
    credentials = {**CASES["ari"].example, "ariEndpoint": endpoint, "appName": "app"}
    assert validate_new(AriProvider(), credentials)[1] == []
    assert AriProvider().account_id(credentials) == expected


def test_cloudonix_bare_domain_gets_default_suffix() -> None:
    credentials = {**CASES["cloudonix"].example, "domainId": "Acme."}
    assert validate_new(CloudonixProvider(), credentials)[1] == []
    assert CloudonixProvider().account_id(credentials) == "acme.cloudonix.net"


@pytest.mark.parametrize(
    "space", ["example.signalwire.com", "https://Example.signalwire.com/", "http://example.signalwire.com"]
)
def test_signalwire_space_host(space: str) -> None:
    credentials = {**CASES["signalwire"].example, "spaceUrl": space}
    assert validate_new(SignalwireProvider(), credentials)[1] == []
    assert SignalwireProvider.space_host(credentials) == "example.signalwire.com"


def test_plivo_and_vobiz_share_their_declaration() -> None:
    plivo, vobiz = PlivoProvider(), VobizProvider()
    assert [f.name for f in plivo.fields] == [f.name for f in vobiz.fields]
    assert plivo.field("authId").pattern != vobiz.field("authId").pattern
    assert not isinstance(vobiz, PlivoProvider)


def all_patterns() -> list[tuple[str, list[str], list[str]]]:
    """(pattern, values it must accept, values it must refuse) for every declared pattern."""
    refused: dict[tuple[str, str], list[str]] = {}
    for key, name, value in REJECTED:
        refused.setdefault((key, name), []).append(value)
    rows = []
    for key, case in CASES.items():
        for field in case.cls.fields:
            if field.pattern is not None:
                rows.append(
                    (field.pattern, [case.example[field.name]], refused.get((key, field.name), []))
                )
    return rows


def test_patterns_are_portable_regex_syntax() -> None:
    for pattern, _, _ in all_patterns():
        assert pattern.startswith("^") and pattern.endswith("$"), pattern
        for python_only in ("(?P", "(?i", "(?m", "(?s", "(?x", "(?<", "\\A", "\\Z", "(?#"):
            assert python_only not in pattern, pattern


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_patterns_behave_the_same_in_javascript() -> None:
    """Dashboards reuse the patterns: plain, u and v (HTML pattern attribute) flags must agree."""
    script = r"""
const rows = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const flags = ['', 'u'];
try { new RegExp('a', 'v'); flags.push('v'); } catch (e) {}
const out = [];
for (const [pattern, accept, refuse] of rows) {
  for (const flag of flags) {
    let re;
    try { re = new RegExp(pattern, flag); } catch (e) { out.push(`${flag}: ${e.message}`); continue; }
    for (const v of accept) if (!re.test(v)) out.push(`${flag}: ${pattern} refuses ${JSON.stringify(v)}`);
    for (const v of refuse) if (re.test(v)) out.push(`${flag}: ${pattern} accepts ${JSON.stringify(v)}`);
  }
}
console.log(JSON.stringify(out));
"""
    result = subprocess.run(
        ["node", "-e", script],
        input=json.dumps(all_patterns()),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(result.stdout) == []


# ---------------------------------------------------------------- registry


class BadKeyProvider(TwilioProvider):
    key = "Demo"


def fake_entry_points(targets: dict[str, str]):
    eps = [EntryPoint(name, value, registry.ENTRY_POINT_GROUP) for name, value in targets.items()]

    def entry_points(*, group: str):
        assert group == registry.ENTRY_POINT_GROUP
        return eps

    return entry_points


@pytest.fixture
def entry_points_from(monkeypatch: pytest.MonkeyPatch):
    def use(targets: dict[str, str]) -> None:
        monkeypatch.setattr(registry, "entry_points", fake_entry_points(targets))

    registry.load_providers.cache_clear()
    yield use
    registry.load_providers.cache_clear()


def test_registry_loads_builtin_entry_points(entry_points_from) -> None:
    entry_points_from(dict(reversed(list(registry.BUILTIN_PROVIDERS.items()))))
    providers = registry.load_providers()
    assert list(providers) == sorted(CASES)
    assert all(type(p) is CASES[k].cls for k, p in providers.items())
    assert registry.load_providers() is providers  # cached
    assert registry.get_provider("twilio") is providers["twilio"]
    assert registry.get_provider("SIGNALWIRE") is providers["signalwire"]
    with pytest.raises(KeyError):
        registry.get_provider("skype")


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"twilio": "switchboard.providers.base:FieldType"}, "not a ProviderPlugin subclass"),
        ({"twilio": "switchboard.providers.nope:Nope"}, "failed to load"),
        ({"twilio": "switchboard.providers.vobiz:VobizProvider"}, "named after its key"),
        ({"Demo": f"{__name__}:BadKeyProvider"}, "must be lower case"),
        ({"plivo": "switchboard.providers.base:ProviderPlugin"}, "must be lower case"),
    ],
)
def test_registry_rejects_bad_plugins(entry_points_from, targets, message) -> None:
    entry_points_from(targets)
    with pytest.raises(registry.ProviderRegistryError, match=message):
        registry.load_providers()


def test_registry_rejects_duplicate_keys(entry_points_from, monkeypatch) -> None:
    eps = [
        EntryPoint("twilio", registry.BUILTIN_PROVIDERS["twilio"], registry.ENTRY_POINT_GROUP),
        EntryPoint("twilio", registry.BUILTIN_PROVIDERS["twilio"], registry.ENTRY_POINT_GROUP),
    ]
    monkeypatch.setattr(registry, "entry_points", lambda *, group: eps)
    with pytest.raises(registry.ProviderRegistryError, match="already registered"):
        registry.load_providers()
