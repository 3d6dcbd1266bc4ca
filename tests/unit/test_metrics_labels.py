"""server/metrics.py: operation names become labels only within a bound, and what the CLI does
with the workers' metrics directory (server/metrics_files.py)."""

import os

import pytest
from pydantic import ValidationError
from switchboard.server.metrics import ANONYMOUS, MAX_OPERATION_NAME_LENGTH, OTHER, OperationLabels
from switchboard.server.metrics_files import MULTIPROCESS_DIRECTORY, metrics_directory
from switchboard.server.settings import Settings


def test_a_well_formed_name_is_its_own_label() -> None:
    labels = OperationLabels()
    assert labels("Dashboard") == "Dashboard"
    assert labels("_private_2") == "_private_2"
    assert labels("Dashboard") == "Dashboard"


def test_an_anonymous_operation_has_a_fixed_label() -> None:
    assert OperationLabels()(None) == ANONYMOUS


def test_names_that_are_not_graphql_names_are_other() -> None:
    labels = OperationLabels()
    for name in (
        "",
        "2fast",
        "with space",
        "query { organization { name } }",
        "naïve",
        "a-b",
        "x" * (MAX_OPERATION_NAME_LENGTH + 1),
    ):
        assert labels(name) == OTHER, name
    assert labels("x" * MAX_OPERATION_NAME_LENGTH) == "x" * MAX_OPERATION_NAME_LENGTH


def test_past_the_limit_new_names_are_other_and_known_ones_stay() -> None:
    labels = OperationLabels(limit=3)
    assert [labels(f"Op{i}") for i in range(5)] == ["Op0", "Op1", "Op2", OTHER, OTHER]
    assert labels("Op1") == "Op1"
    assert labels(None) == ANONYMOUS


def test_a_flood_of_distinct_names_yields_at_most_the_bound() -> None:
    labels = OperationLabels()
    produced = {labels(f"Flood{i}") for i in range(1000)}
    assert len(produced) == labels.limit + 1 and OTHER in produced


def test_no_directory_without_metrics() -> None:
    with metrics_directory(Settings()) as path:
        assert path is None and MULTIPROCESS_DIRECTORY not in os.environ


def test_a_temporary_directory_is_exported_and_removed(monkeypatch) -> None:
    monkeypatch.delenv(MULTIPROCESS_DIRECTORY, raising=False)
    with metrics_directory(Settings(metrics_public=True)) as path:
        assert path.is_dir() and os.environ[MULTIPROCESS_DIRECTORY] == str(path)
    assert not path.exists() and MULTIPROCESS_DIRECTORY not in os.environ


def test_a_configured_directory_loses_an_earlier_runs_files_and_stays(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(MULTIPROCESS_DIRECTORY, raising=False)
    (tmp_path / "counter_123.db").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("the operator's")
    with metrics_directory(Settings(metrics_token="t" * 32, metrics_dir=str(tmp_path))) as path:
        assert path == tmp_path and os.environ[MULTIPROCESS_DIRECTORY] == str(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert tmp_path.is_dir()


def test_a_short_token_stops_the_start_without_showing_it() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(metrics_token="guessable-9f")
    assert "SWITCHBOARD_METRICS_TOKEN must be at least 16 characters" in str(raised.value)
    assert "guessable-9f" not in str(raised.value)
