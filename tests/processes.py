"""Switchboard as a real process: `switchboard serve` started the way the README says."""

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SWITCHBOARD = str(Path(sys.executable).with_name("switchboard"))
KEY_LINE = re.compile(r"API key \(shown once, store it now\): (sb_\S+)")


@dataclass
class ServedProcess:
    process: subprocess.Popen
    url: str
    key: str | None  # printed only on the first start of an empty database
    output: str


def _wait_healthy(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not become healthy")


@contextmanager
def switchboard_serve(env: dict[str, str], cwd: Path, port: int, *args: str) -> Iterator[ServedProcess]:
    process = subprocess.Popen(
        [SWITCHBOARD, "serve", "--port", str(port), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        output, key = "", None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "Uvicorn running" not in output and "Started server process" not in output:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                raise AssertionError(f"switchboard serve exited: {output}")
            output += line
            if match := KEY_LINE.search(line):
                key = match.group(1)
        _wait_healthy(url)
        yield ServedProcess(process, url, key, output)
    finally:
        process.terminate()
        process.wait(timeout=15)
