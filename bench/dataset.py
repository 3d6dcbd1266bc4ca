"""The benchmark's data: one busy organization, and twenty small ones around it as noise.

The organization has 50 configurations across the nine providers (credentials valid for each
provider's field patterns, secrets sealed with SecretBox as the API stores them) and 10,000
numbers: PSTN in several written forms, SIP URIs and extensions; 40 % bound to workflows, 10 %
inactive, a default caller ID on most configurations (a few inactive, a few missing), a few
failed provider syncs. Every workflow streams to an agent, and the Twilio configurations have no
concurrent-call limit, so that a signed call to an active bound Twilio number is accepted (the
inbound scenario's calls never end, and a limit would start rejecting them). Rows go in with core bulk inserts after the migrations, on a SQLite file
or on a PostgreSQL database that the bench creates and drops.
"""

import functools
import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, insert, select, text
from sqlalchemy.engine import make_url
from switchboard.db.api_keys import generate_api_key, hash_api_key
from switchboard.db.engine import create_database
from switchboard.db.migrate import migrate
from switchboard.db.models import ApiKey, Organization, PhoneNumber, TelephonyConfig, Workflow
from switchboard.db.secrets import SecretBox
from switchboard.providers.base import ProviderPlugin
from switchboard.providers.credentials import public_credentials, validate_new
from switchboard.providers.registry import load_providers
from switchboard.resolvers.rules.addresses import normalize_address

# Bench-only Fernet key; the servers under test get it as SWITCHBOARD_SECRET_KEY.
SECRET_KEY = "Qm9yaW5nQmVuY2hLZXlGb3JTd2l0Y2hib2FyZDAwMDA="
PUBLIC_BASE_URL = "https://switchboard.bench.test"
AGENT_STREAM_URL = "wss://agent.bench.test/media"
POSTGRES_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"

CONFIGS = 50
NUMBERS = 10_000
WORKFLOWS = 25
NOISE_ORGANIZATIONS = 20
SEED = 20261123

_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_LINES = ("US East", "US West", "EU", "Support", "Sales", "Outbound", "Backup", "APAC")
_TEAMS = ("Sales", "Support", "Billing", "Support EU", "Front desk", "Escalations", "Partners")
_AREAS = ("415", "628", "646", "312")


@dataclass
class Dataset:
    """What the scenarios need to know about the generated organization."""

    url: str
    api_key: str
    organization_id: int
    number_ids: list[int] = field(default_factory=list)  # ascending
    config_ids: list[int] = field(default_factory=list)
    workflow_ids: list[int] = field(default_factory=list)
    twilio_accounts: dict[str, str] = field(default_factory=dict)  # account SID -> auth token
    # Active, unbound PSTN numbers of Twilio configurations: (account SID, E.164, id).
    bind_targets: list[tuple[str, str, int]] = field(default_factory=list)
    # Two active PSTN numbers per configuration, for setDefaultCallerId to alternate between.
    caller_id_candidates: list[int] = field(default_factory=list)
    # Active PSTN numbers of Twilio configurations bound to a workflow: what calls dial.
    inbound_targets: list["InboundTarget"] = field(default_factory=list)


@dataclass(frozen=True)
class InboundTarget:
    account_sid: str
    number: str  # E.164, as Twilio sends `To`
    country: str  # ISO 3166 alpha-2, as Twilio sends `ToCountry`
    workflow_id: int


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _alnum(rng: random.Random, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def sample_credentials(provider: str, rng: random.Random, k: int) -> dict[str, str]:
    """Plaintext credentials that pass the provider's field patterns; optional webhook secrets
    are left out of every other configuration so that their warning shows up."""
    with_secret = k % 2 == 0
    match provider:
        case "twilio":
            return {"accountSid": "AC" + _hex(rng, 32), "authToken": _hex(rng, 32)}
        case "telnyx":
            values = {"apiKey": "KEY" + _alnum(rng, 40), "connectionId": str(rng.randrange(10**17, 10**18))}
            if with_secret:
                values["webhookPublicKey"] = _alnum(rng, 43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789+/") + "="
            return values
        case "vonage":
            values = {
                "apiKey": _hex(rng, 8),
                "apiSecret": _alnum(rng, 16),
                "applicationId": _uuid(rng),
                "privateKey": "-----BEGIN PRIVATE KEY-----\n" + _alnum(rng, 64) + "\n-----END PRIVATE KEY-----",
            }
            if with_secret:
                values["signatureSecret"] = _alnum(rng, 32)
            return values
        case "plivo":
            return {"authId": "MA" + _alnum(rng, 18), "authToken": _alnum(rng, 40), "applicationId": str(rng.randrange(10**19))}
        case "vobiz":
            return {"authId": "MA_" + _alnum(rng, 10), "authToken": _alnum(rng, 40), "applicationId": str(rng.randrange(10**12))}
        case "signalwire":
            values = {"spaceUrl": f"acme-{k}.signalwire.com", "projectId": _uuid(rng), "apiToken": "PT" + _hex(rng, 48)}
            if with_secret:
                values["signingKey"] = "PSK_" + _alnum(rng, 24)
            return values
        case "cloudonix":
            return {"bearerToken": "XI" + _alnum(rng, 32), "domainId": f"acme-{k}.cloudonix.net", "applicationName": "switchboard"}
        case "exotel":
            return {
                "accountSid": f"acme{k}",
                "apiKey": _hex(rng, 40),
                "apiToken": _hex(rng, 40),
                "subdomain": rng.choice(("api.exotel.com", "api.in.exotel.com")),
            }
        case "ari":
            return {"ariEndpoint": f"https://pbx-{k}.acme.test:8089/ari", "appName": "switchboard", "appPassword": _alnum(rng, 20)}
    raise ValueError(f"no sample credentials for {provider}")


def _verification(rng: random.Random, plugin: ProviderPlugin, k: int) -> dict:
    at = _EPOCH + timedelta(days=30, minutes=k)
    if k % 17 == 4:
        return dict(verification_status="REJECTED", verification_message="HTTP 401: the credentials were refused.", verification_checked_at=at)
    if k % 19 == 9:
        return dict(verification_status="UNREACHABLE", verification_message=f"{plugin.display_name} did not answer within 15 s.", verification_checked_at=at)
    if rng.random() < 0.7:
        return dict(verification_status="VERIFIED", verification_message=f"{plugin.display_name} accepted the credentials.", verification_checked_at=at)
    return dict(verification_status=None, verification_message=None, verification_checked_at=None)


def _config_row(box: SecretBox, org_id: int, k: int, provider: str, plain: dict[str, str], rng: random.Random, default: bool) -> dict:
    plugin = load_providers()[provider]
    clean, problems = validate_new(plugin, plain)
    if problems:
        raise ValueError(f"sample {provider} credentials are invalid: {problems}")
    created = _EPOCH + timedelta(hours=k)
    limit = rng.choice((None, None, 5, 10, 30, 100, 500))
    return dict(
        organization_id=org_id,
        name=f"{plugin.display_name} {_LINES[k % len(_LINES)]} {k + 1}",
        provider=provider,
        account_id=plugin.account_id(clean),
        credentials=box.seal(clean, plugin.secret_field_names),
        masked_credentials=public_credentials(plugin, clean),
        max_concurrent_calls=None if provider == "twilio" else limit,
        is_default_outbound=default,
        created_at=created,
        updated_at=created,
        **_verification(rng, plugin, k),
    )


def _address(g: int, provider: str) -> tuple[str, str | None]:
    """The address as a person typed it (and the countryCode they gave), unique for each g."""
    if provider == "ari":
        return (f"sip:agent{g}@pbx.acme.test", None) if g % 2 else (f"desk.{g}", None)
    if g % 23 == 0:
        return f"sip:line{g}@sip.acme.test;transport=tls", None
    value = f"{2_000_000 + (g * 7919) % 8_000_000:07d}"
    if g % 13 == 0:
        return f"+44 20 7{value[:3]} {value[3:]}", None
    area = _AREAS[g % len(_AREAS)]
    forms = (
        (f"+1 {area} {value[:3]} {value[3:]}", None),
        (f"+1 ({area}) {value[:3]}-{value[3:]}", None),
        (f"+1{area}{value}", None),
        (f"{area}-{value[:3]}-{value[3:]}", "US"),
        (f"001 {area} {value}", None),
    )
    return forms[g % len(forms)]


# The same addresses are generated for each database: normalize each once per process.
_normalize = functools.lru_cache(maxsize=None)(normalize_address)


def _number_rows(org_id: int, configs: list[dict], workflow_ids: list[int], count: int, g0: int, rng: random.Random) -> list[dict]:
    """`count` numbers spread unevenly over `configs` (dicts with id, provider, account_id, k)."""
    weights = [0 if c["k"] % 16 == 15 else 1 / (1 + c["k"] % 25) ** 0.8 for c in configs]
    owners = rng.choices(configs, weights=weights, k=count)
    rows = []
    for i, config in enumerate(owners):
        g = g0 + i
        raw, country = _address(g, config["provider"])
        normalized = _normalize(raw, country)
        bound = i % 5 in (0, 1)
        synced = bound and i % 2 == 0  # the binding was pushed to the provider
        failed = i % 700 == 0  # synced, and the push failed: about fifteen
        created = _EPOCH + timedelta(days=1, seconds=17 * g)
        rows.append(
            dict(
                organization_id=org_id,
                telephony_config_id=config["id"],
                provider=config["provider"],
                provider_account_id=config["account_id"],
                address=raw,
                address_normalized=normalized.normalized,
                address_type=normalized.type.value,
                country_code=normalized.country_code,
                label=None if i % 5 == 4 else f"{_TEAMS[g % len(_TEAMS)]} {g % 1000}",
                is_active=i % 10 != 3,
                is_default_caller_id=False,
                extra_metadata={"team": _TEAMS[g % len(_TEAMS)].lower()} if i % 3 == 0 else {},
                inbound_workflow_id=workflow_ids[i % len(workflow_ids)] if bound else None,
                sync_ok=not failed if synced else None,
                sync_action="ATTACH" if synced else None,
                sync_message=f"{config['provider'].capitalize()} answered HTTP 503; try again later." if failed else None,
                sync_at=created + timedelta(minutes=1) if synced else None,
                created_at=created,
                updated_at=created,
            )
        )
    _choose_default_caller_ids(rows, configs)
    return rows


def _choose_default_caller_ids(rows: list[dict], configs: list[dict]) -> None:
    """Most configurations: the first active PSTN number; some an inactive one; some none."""
    for config in configs:
        if config["k"] % 13 == 7:
            continue
        want_active = config["k"] % 11 != 5
        for row in rows:
            if row["telephony_config_id"] == config["id"] and row["is_active"] == want_active and row["address_type"] == "PSTN":
                row["is_default_caller_id"] = True
                break


async def _insert(conn, table: Table, rows: list[dict], returning: bool = False) -> list[int]:
    if not returning:
        await conn.execute(insert(table), rows)
        return []
    result = await conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


async def _organization(
    conn, box: SecretBox, rng: random.Random, name: str, *, configs: int, numbers: int, workflows: int, g0: int, k0: int,
    has_default: bool = True,
) -> dict:
    created = _EPOCH
    (org_id,) = await _insert(conn, Organization.__table__, [dict(name=name, created_at=created)], returning=True)
    api_key = generate_api_key()
    await _insert(conn, ApiKey.__table__, [dict(organization_id=org_id, prefix=api_key[:10], key_hash=hash_api_key(api_key), created_at=created)])
    workflow_ids = await _insert(
        conn,
        Workflow.__table__,
        [
            dict(organization_id=org_id, name=f"Agent {w + 1}", agent_stream_url=AGENT_STREAM_URL, created_at=created, updated_at=created)
            for w in range(workflows)
        ],
        returning=True,
    )
    keys = sorted(load_providers())
    specs = []
    for k in range(k0, k0 + configs):
        provider = keys[(k + keys.index("twilio")) % len(keys)]
        specs.append((k, provider, sample_credentials(provider, rng, k)))
    rows = [_config_row(box, org_id, k, p, plain, rng, default=k == k0 and has_default) for k, p, plain in specs]
    config_ids = await _insert(conn, TelephonyConfig.__table__, rows, returning=True)
    configs_info = [
        dict(id=cid, k=k, provider=p, account_id=row["account_id"], plain=plain)
        for cid, (k, p, plain), row in zip(config_ids, specs, rows, strict=True)
    ]
    number_rows = _number_rows(org_id, configs_info, workflow_ids, numbers, g0, rng)
    await _insert(conn, PhoneNumber.__table__, number_rows)
    # Ids read back (RETURNING over an executemany is a statement per row on SQLite).
    table = PhoneNumber.__table__
    ids = {
        (row.telephony_config_id, row.address_normalized): row.id
        for row in await conn.execute(
            select(table.c.id, table.c.telephony_config_id, table.c.address_normalized).where(table.c.organization_id == org_id)
        )
    }
    return dict(
        id=org_id, api_key=api_key, workflow_ids=workflow_ids, configs=configs_info,
        numbers=[dict(row, id=ids[row["telephony_config_id"], row["address_normalized"]]) for row in number_rows],
    )


def _scenario_targets(dataset: Dataset, org: dict) -> None:
    twilio = {c["id"]: c["plain"] for c in org["configs"] if c["provider"] == "twilio"}
    dataset.twilio_accounts = {plain["accountSid"]: plain["authToken"] for plain in twilio.values()}
    pstn_active = [n for n in org["numbers"] if n["is_active"] and n["address_type"] == "PSTN"]
    dataset.bind_targets = [
        (twilio[n["telephony_config_id"]]["accountSid"], n["address_normalized"], n["id"])
        for n in pstn_active
        if n["telephony_config_id"] in twilio and n["inbound_workflow_id"] is None and not n["is_default_caller_id"]
    ][:120]
    by_config: dict[int, list[int]] = {}
    for n in pstn_active:
        by_config.setdefault(n["telephony_config_id"], []).append(n["id"])
    dataset.caller_id_candidates = [nid for ids in by_config.values() if len(ids) >= 2 for nid in ids[:2]]
    dataset.inbound_targets = [
        InboundTarget(twilio[n["telephony_config_id"]]["accountSid"], n["address_normalized"], n["country_code"], n["inbound_workflow_id"])
        for n in pstn_active
        if n["telephony_config_id"] in twilio and n["inbound_workflow_id"] is not None
    ]


async def generate(url: str) -> Dataset:
    """Migrate the database at `url` and fill it; return what the scenarios need."""
    db = create_database(url)
    try:
        await migrate(db)
        rng = random.Random(SEED)
        box = SecretBox([SECRET_KEY])
        async with db.engine.begin() as conn:
            org = await _organization(conn, box, rng, "Acme Contact Center", configs=CONFIGS, numbers=NUMBERS, workflows=WORKFLOWS, g0=0, k0=0)
            for n in range(NOISE_ORGANIZATIONS):
                await _organization(
                    conn, box, rng, f"Noise {n + 1}", configs=2 + n % 4, numbers=300 + 40 * n, workflows=3,
                    g0=100_000 * (n + 1), k0=100 + 10 * n, has_default=n % 5 != 2,
                )
        if not db.is_sqlite:
            async with db.engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("ANALYZE"))
    finally:
        await db.dispose()
    dataset = Dataset(
        url=url,
        api_key=org["api_key"],
        organization_id=org["id"],
        number_ids=sorted(n["id"] for n in org["numbers"]),
        config_ids=[c["id"] for c in org["configs"]],
        workflow_ids=org["workflow_ids"],
    )
    _scenario_targets(dataset, org)
    return dataset


def _plain_postgres_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_postgres_database(admin_url: str = POSTGRES_ADMIN_URL) -> str:
    """A fresh, empty PostgreSQL database next to `admin_url`'s; returns its URL."""
    import asyncpg

    name = f"switchboard_bench_{secrets.token_hex(4)}"
    connection = await asyncpg.connect(_plain_postgres_dsn(admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(url: str, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    import asyncpg

    connection = await asyncpg.connect(_plain_postgres_dsn(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await connection.close()


async def postgres_reachable(admin_url: str = POSTGRES_ADMIN_URL) -> bool:
    import asyncpg

    try:
        connection = await asyncpg.connect(_plain_postgres_dsn(admin_url), timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True
