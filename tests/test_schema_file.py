"""schema.graphql at the repository root is the exported SDL."""

from pathlib import Path

from switchboard.schema import export_sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_schema_graphql_matches_the_exported_schema():
    assert SCHEMA_FILE.read_text() == export_sdl(), (
        "schema.graphql is stale: run `switchboard export-schema > schema.graphql`"
    )
