"""A finished request leaves nothing for the cyclic garbage collector that it loaded.

The per-request loaders and their batch functions refer to each other; if the request did not
release them, every row, GraphQL object and future it loaded would wait for a full collection,
which under load costs more than the requests themselves (see server/garbage.py).
"""

import gc
from collections import Counter

import httpx
from helpers import seed_numbers
from switchboard.db import models
from switchboard.db.records import record_class
from switchboard.server.app import create_app

DASHBOARD = """{
  telephonyConfigs { nodes { name phoneNumberCount warnings { code }
    defaultCallerId { address } phoneNumbers(first: 3) { totalCount nodes { label inboundWorkflowName telephonyConfig { name } } } } }
  phoneNumbers(first: 20) { nodes { address telephonyConfig { name } inboundWorkflowName } }
  telephonyConfigWarnings { totalCount }
}"""

# What reads return (db/records.py), and the ORM instances writes use.
LOADED_TYPES = {record_class(m) for m in (models.PhoneNumber, models.TelephonyConfig, models.Workflow)} | {
    models.PhoneNumber,
    models.TelephonyConfig,
    models.Workflow,
}


async def test_loaded_rows_are_freed_by_reference_count(settings, server, api):
    await seed_numbers(server, api.organization_id, configs=3, numbers_per_config=8)
    app = create_app(settings)
    headers = {"X-API-Key": api.key}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://switchboard") as client:
        await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        gc.collect()
        gc.disable()
        try:
            response = await client.post("/graphql", json={"query": DASHBOARD}, headers=headers)
            assert response.status_code == 200 and "errors" not in response.json(), response.text
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            left = Counter(
                type(o).__name__
                for o in gc.garbage
                if type(o) in LOADED_TYPES or type(o).__module__.startswith("strawberry.dataloader")
            )
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
    await app.state.services.db.dispose()
    assert not left, f"objects the request loaded that only the cyclic collector would free: {left}"
