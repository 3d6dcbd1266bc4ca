"""Switchboard as a real process: `switchboard serve` started the way the README says."""

import re
import subprocess
import sys
import threading
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
    lines: list[str]  # all it printed so far, to the end once it has stopped


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"switchboard serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not become healthy")


@contextmanager
def switchboard_serve(env: dict[str, str], cwd: Path, port: int, *args: str) -> Iterator[ServedProcess]:
    """Start `switchboard serve`, wait until /healthz answers, and stop it afterwards."""
    process = subprocess.Popen(
        [SWITCHBOARD, "serve", "--port", str(port), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}"
    failure = None
    try:
        try:
            _wait_healthy(url, process)
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {''.join(lines)}") from None
        output = "".join(lines)  # the key is printed before the server starts listening
        match = KEY_LINE.search(output)
        try:
            yield ServedProcess(process, url, match.group(1) if match else None, output, lines)
        except BaseException as error:
            failure = error
            raise
    finally:
        process.terminate()
        process.wait(timeout=15)
        reader.join(timeout=5)
        if failure is not None:
            # All the server logged (a 500's traceback, say) goes with the test's failure.
            failure.add_note(f"output of switchboard serve:\n{''.join(lines)}")
