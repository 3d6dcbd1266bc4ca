"""Instructions per request, counted by valgrind's callgrind: a measure of the server's own work
that, unlike req/s, does not move with the machine's drift or the other core's load.

Each server (Switchboard as `switchboard serve` builds it, or the reference) runs in a child
process under callgrind, which counts nothing until the child has warmed up: the child calls
its application in-process with raw ASGI messages (no HTTP, no load driver), switches counting
on with `callgrind_control` for a fixed number of requests and off again. The count covers the
server's Python and C code and the database driver's client side, not PostgreSQL's server.
Equal inputs give the same count to within a few hundredths of a percent.

  python -m bench.instructions switchboard|reference SCENARIO REQUESTS DATASET_PICKLE TAG
      the child: the settings come from the SWITCHBOARD_* environment, as for the servers; TAG
      makes the inbound scenario's calls its own (each child records them in the same database)
"""

import asyncio
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from . import dataset, scenarios

WARMUP = 20
REQUESTS = 30
SCENARIOS = ("dashboard", "number_page", "inbound")


def available() -> bool:
    return shutil.which("valgrind") is not None and shutil.which("callgrind_control") is not None


def measure(data: dataset.Dataset, env: dict[str, str], chosen: Sequence[str] = SCENARIOS) -> dict[tuple[str, str], float]:
    """Millions of instructions per request, by (server, scenario), for both servers."""
    with tempfile.TemporaryDirectory(prefix="switchboard-callgrind-") as folder:
        saved = Path(folder) / "dataset.pickle"
        saved.write_bytes(pickle.dumps(data))
        runs = [(which, scenario) for scenario in chosen for which in ("switchboard", "reference")]
        return {(which, scenario): per_request(which, scenario, env, saved, tag) for tag, (which, scenario) in enumerate(runs, 1)}


def per_request(which: str, scenario: str, env: dict[str, str], saved_dataset: Path, tag: int, requests: int = REQUESTS) -> float:
    """Millions of instructions per request of `which` serving `scenario`."""
    with tempfile.TemporaryDirectory(prefix="switchboard-callgrind-") as folder:
        out = Path(folder) / "callgrind.out"
        command = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
            sys.executable, "-m", "bench.instructions", which, scenario, str(requests), str(saved_dataset), str(tag),
        ]
        done = subprocess.run(command, env=env, cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"callgrind run of {which} {scenario} failed:\n{done.stderr[-2000:]}")
        totals = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)
        return int(totals.group(1)) / requests / 1e6


def _application(which: str):
    """The application as it serves, and the Starlette application whose lifespan it runs."""
    if which == "reference":
        from .reference import app_from_env

        app = app_from_env()
        return app, app
    from switchboard.server.app import create_app
    from switchboard.server.garbage import prepare_for_serving

    app = create_app()
    return prepare_for_serving(app), app  # as `switchboard serve` runs it (server/asgi.py)


async def _call(app, path: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """One POST through the application, as uvicorn would hand it over; the status and body."""
    received = False

    async def receive() -> dict:
        nonlocal received
        if received:  # the client waits for the answer: a disconnect never comes
            await asyncio.Event().wait()
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    status, answer = 0, b""

    async def send(message: dict) -> None:
        nonlocal status, answer
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            answer += message.get("body", b"")

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    return status, answer


Requests = list[tuple[str, bytes, list[tuple[bytes, bytes]]]]  # path, body, headers


def _requests(scenario: str, data: dataset.Dataset, requests: int, tag: int) -> tuple[Requests, Requests, bytes]:
    """The warm-up's requests, the counted ones, and what each answer must contain. The inbound
    scenario's are distinct calls; the others start the counted requests at the first body."""
    if scenario == "inbound":
        calls = [
            (scenarios.INBOUND_PATH, call.body, [(k.lower().encode(), v.encode()) for k, v in call.headers.items()] + [(b"host", b"bench")])
            for call in scenarios.inbound_calls(data, tag, WARMUP + requests)
        ]
        return calls[:WARMUP], calls[WARMUP:], scenarios.STREAM_ANSWER
    bodies = {s.name: s.bodies for s in scenarios.read_scenarios(data)}[scenario]
    headers = [(b"content-type", b"application/json"), (b"x-api-key", data.api_key.encode()), (b"host", b"bench")]
    graphql = lambda count: [("/graphql", bodies[n % len(bodies)], headers) for n in range(count)]  # noqa: E731
    return graphql(WARMUP), graphql(requests), b'{"data"'


def _count(on: bool) -> None:
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())], capture_output=True, check=True)


async def _child(which: str, scenario: str, requests: int, data: dataset.Dataset, tag: int) -> None:
    from switchboard.server.metrics_files import metrics_directory
    from switchboard.server.settings import get_settings

    warmup, counted, expected = _requests(scenario, data, requests, tag)
    # Metrics (on in servers.server_env) kept in files as `switchboard serve` keeps them.
    with metrics_directory(get_settings()):
        app, starlette = _application(which)
        async with starlette.router.lifespan_context(starlette):
            for path, body, headers in warmup:
                status, answer = await _call(app, path, body, headers)
                if status != 200 or expected not in answer:
                    raise SystemExit(f"{which} answered {scenario} with {status}: {answer[:300]!r}")
            _count(True)
            for path, body, headers in counted:
                await _call(app, path, body, headers)
            _count(False)


if __name__ == "__main__":
    import uvloop

    uvloop.run(_child(sys.argv[1], sys.argv[2], int(sys.argv[3]), pickle.loads(Path(sys.argv[4]).read_bytes()), int(sys.argv[5])))
