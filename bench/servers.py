"""The processes under test: Switchboard as `switchboard serve` runs it, the reference, and a fake
Twilio (tests/fakes) on loopback for the write mix; the servers' resident memory."""

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import uvicorn

from .dataset import PUBLIC_BASE_URL, SECRET_KEY

REPO = Path(__file__).resolve().parent.parent
SWITCHBOARD = str(Path(sys.executable).with_name("switchboard"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, twilio_api_base: str | None) -> dict[str, str]:
    """The settings both servers read, as a deployment would set them, less the rate limit: the
    bench drives one worker with one key as fast as it answers (the flood scenario sets its own).
    Metrics are on, so that what they cost is measured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(
        SWITCHBOARD_DATABASE_URL=database_url,
        SWITCHBOARD_SECRET_KEY=SECRET_KEY,
        SWITCHBOARD_PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        SWITCHBOARD_LOG_LEVEL="warning",
        SWITCHBOARD_RATE_LIMIT_PER_SECOND="0",
        SWITCHBOARD_METRICS_PUBLIC="true",
    )
    if twilio_api_base:
        env["SWITCHBOARD_TWILIO_API_BASE"] = twilio_api_base
    return env


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the children when uvicorn supervises workers."""
        children = psutil.Process(self.pid).children(recursive=True)
        return [c.pid for c in children if "spawn_main" in " ".join(c.cmdline())] or [self.pid]

    def rss_mb(self) -> float:
        """Resident memory of the whole process tree (supervisor and workers)."""
        try:
            root = psutil.Process(self.pid)
            return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20
        except psutil.NoSuchProcess:
            return 0.0

    def wait_until_idle(self, busy_share: float = 0.15, timeout: float = 60.0) -> None:
        """Until the process tree uses under `busy_share` of a core: a load driver that stops
        leaves requests in flight, and the server finishes them after it has gone."""
        try:
            root = psutil.Process(self.pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = sum(cpu_seconds(p) for p in tree)
            time.sleep(0.25)
            if sum(cpu_seconds(p) for p in tree) - before < busy_share * 0.25:
                return

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def cpu_seconds(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def _start(name: str, command: list[str], env: dict[str, str], port: int) -> Server:
    log = Path(tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")[1])
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{name} did not become healthy:\n{log.read_text()[-3000:]}")


def start_switchboard(env: dict[str, str], workers: int) -> Server:
    port = free_port()
    return _start("switchboard", [SWITCHBOARD, "serve", "--port", str(port), "--workers", str(workers)], env, port)


def start_reference(env: dict[str, str], workers: int) -> Server:
    port = free_port()
    return _start("reference", [sys.executable, "-m", "bench.reference", "--port", str(port), "--workers", str(workers)], env, port)


@contextmanager
def running(start: Callable[[dict[str, str], int], Server], env: dict[str, str], workers: int) -> Iterator[Server]:
    server = start(env, workers)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class RssSampler:
    """Samples a server's RSS every 0.2 s in a thread while in use; keeps the peak."""

    server: Server
    peak_mb: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "RssSampler":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self.server.rss_mb())
            self._stop.wait(0.2)

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.server.rss_mb())


class FakeTwilio:
    """tests/fakes' Twilio, knowing the organization's accounts and the numbers the write mix
    binds, served by uvicorn in a thread of the bench process."""

    def __init__(self, accounts: dict[str, str], numbers: list[tuple[str, str]]) -> None:
        from tests.fakes.twilio import TwilioFake

        self.fake = TwilioFake()
        for sid, token in accounts.items():
            self.fake.add_account(sid, token)
        for sid, e164 in numbers:
            self.fake.add_number(sid, e164)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.fake.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=lambda: asyncio.run(self._server.serve()), daemon=True)

    def __enter__(self) -> "FakeTwilio":
        self._thread.start()
        while not self._server.started:
            time.sleep(0.02)
        return self

    def forget_requests(self) -> None:
        self.fake.requests.clear()

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
