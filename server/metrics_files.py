"""Where the workers of `switchboard serve` keep their metrics.

prometheus_client's multiprocess mode: each worker writes its values to memory-mapped files in
one directory, and whichever worker answers a scrape adds up every worker's files. The library
reads PROMETHEUS_MULTIPROC_DIR once, when first imported, so the directory is chosen here,
before anything imports it (this module must not), and the workers inherit it.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .settings import Settings

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def metrics_directory(settings: Settings) -> Iterator[Path | None]:
    """The workers' metrics directory while the block runs, exported as PROMETHEUS_MULTIPROC_DIR
    (None, and nothing exported, when metrics are off). `SWITCHBOARD_METRICS_DIR` is emptied of
    an earlier run's files first, or else a temporary directory is made and removed at the end:
    counts start from zero with each start of the server either way."""
    if not settings.metrics_enabled:
        yield None
        return
    if settings.metrics_dir:
        path, made = Path(settings.metrics_dir), False
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
    else:
        path, made = Path(tempfile.mkdtemp(prefix="switchboard-metrics-")), True
    previous = os.environ.get(MULTIPROCESS_DIRECTORY)
    os.environ[MULTIPROCESS_DIRECTORY] = str(path)
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop(MULTIPROCESS_DIRECTORY, None)
        else:
            os.environ[MULTIPROCESS_DIRECTORY] = previous
        if made:
            shutil.rmtree(path, ignore_errors=True)
