"""py-spy on a server worker under load, summarized: where the event-loop thread spends its
time (self and total, by function) and how much the database driver's threads take."""

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PY_SPY = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
_LINE = re.compile(r":\d+\)$")


def available() -> bool:
    return Path(PY_SPY).exists()


def record(pid: int, seconds: int, out: Path, rate: int = 250) -> subprocess.Popen:
    """Start sampling `pid` in the background: collapsed stacks, one a line, each starting with
    its thread ("thread (id): name")."""
    command = [PY_SPY, "record", "-p", str(pid), "-d", str(seconds), "-r", str(rate), "-f", "raw", "--threads", "--nonblocking", "-o", str(out)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@dataclass
class Summary:
    samples: int
    loop_samples: int  # on the thread running the event loop
    own: Counter  # function -> samples where it is the innermost frame (event-loop thread)
    total: Counter  # function -> samples where it is on the stack (event-loop thread)

    def text(self, top: int = 30) -> str:
        share = lambda n: f"{100 * n / max(1, self.loop_samples):5.1f}%"  # noqa: E731
        lines = [
            f"{self.samples} samples; {self.loop_samples} on the event-loop thread "
            f"({100 * self.loop_samples / max(1, self.samples):.0f}%), the rest on driver/worker threads.",
            "",
            "self time (event-loop thread):",
            *(f"  {share(n)}  {name}" for name, n in self.own.most_common(top)),
            "",
            "total time (event-loop thread):",
            *(f"  {share(n)}  {name}" for name, n in self.total.most_common(top * 2)),
        ]
        return "\n".join(lines)


def summarize(raw: Path) -> Summary:
    own, total, samples, loop = Counter(), Counter(), 0, 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        samples += n
        thread, *frames = stack.split(";")
        if "MainThread" not in thread or not frames:  # uvicorn runs the event loop on the main thread
            continue
        frames = [_LINE.sub(")", frame) for frame in frames]
        loop += n
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    return Summary(samples, loop, own, total)
