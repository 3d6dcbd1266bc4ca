"""`make mutation`: mutation testing of the domain rules and the security checks against
tests/unit, with mutmut, and the score of each file.

mutmut mutates a package inside the directory it runs in, and this repository is a flat layout
(its root is the `switchboard` package), so the run happens in `.mutation/`: a copy of the
package under `switchboard/`, the unit tests, and the settings below. mutmut keeps its results
there between runs and only tests again the functions that changed.

A mutant counts as killed when a test failed or timed out with it. Mutants listed in
tests/mutation/equivalent.toml, each with why no test can tell it apart, leave the score.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGE = ROOT / ".mutation"
EQUIVALENT = Path(__file__).with_name("equivalent.toml")
GOAL = 95.0

# The modules whose every behaviour a unit test must pin down.
MUTATED = [
    "resolvers/rules/accounts.py",
    "resolvers/rules/addresses.py",
    "resolvers/rules/audit.py",
    "resolvers/rules/inbound.py",
    "resolvers/rules/names.py",
    "resolvers/rules/readiness.py",
    "resolvers/rules/roles.py",
    "resolvers/rules/sync.py",
    "resolvers/rules/text.py",
    "resolvers/rules/warnings.py",
    "providers/credentials.py",
    "providers/url_guard.py",
    "providers/twilio_signature.py",
    "providers/signalwire_signature.py",
    "providers/plivo/signature.py",
    "providers/telnyx/signature.py",
    "providers/vonage/signature.py",
    "server/rate_limit.py",
]
PACKAGE_DIRS = ["schema", "resolvers", "db", "providers", "server"]
KILLED = {1, 3, 36, -24, 24, 152, 255}

SETTINGS = {
    "tool": {
        "mutmut": {
            "source_paths": ["switchboard"],
            "only_mutate": [f"switchboard/{path}" for path in MUTATED],
            "pytest_add_cli_args_test_selection": ["tests/unit"],
            # Hypothesis draws the same examples in every run, so a verdict does not depend on luck.
            "pytest_add_cli_args": ["-p", "no:cacheprovider", "-x", "--hypothesis-seed=0"],
            "also_copy": ["tests/"],
        },
        "pytest": {
            "ini_options": {
                "pythonpath": [".", "tests"],
                "asyncio_mode": "auto",
                "asyncio_default_fixture_loop_scope": "session",
                "asyncio_default_test_loop_scope": "session",
            }
        },
    }
}


def toml(data: dict, prefix: str = "") -> str:
    """The few TOML shapes SETTINGS uses: tables of strings and lists of strings."""
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append(toml(value, f"{prefix}{key}."))
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    header = [f"[{prefix.rstrip('.')}]"] if lines else []
    return "\n".join(header + lines + [""] + tables)


def stage() -> None:
    """The package and the unit tests, copied afresh; mutmut's own results (mutants/) stay."""
    package = STAGE / "switchboard"
    shutil.rmtree(package, ignore_errors=True)
    shutil.rmtree(STAGE / "tests", ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules")
    package.mkdir(parents=True)
    shutil.copy2(ROOT / "__init__.py", package / "__init__.py")
    for directory in PACKAGE_DIRS:
        shutil.copytree(ROOT / directory, package / directory, ignore=ignore)
    # The unit tests with what they import (fakes, signers) and the suite's conftest.
    shutil.copytree(
        ROOT / "tests", STAGE / "tests", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "integration", "clients", "mutation")
    )
    # It drives the bench harness, which is not staged.
    (STAGE / "tests" / "unit" / "test_bench_inbound_reference.py").unlink()
    (STAGE / "pyproject.toml").write_text(toml(SETTINGS))


def equivalent_mutants() -> dict[str, str]:
    if not EQUIVALENT.exists():
        return {}
    return {name: entry["why"] for name, entry in tomllib.loads(EQUIVALENT.read_text()).items()}


def scores() -> list[tuple[str, int, int, list[str]]]:
    """Per mutated file: killed, counted (all but the equivalent ones), and the survivors."""
    equivalent = equivalent_mutants()
    rows = []
    for path in MUTATED:
        meta = STAGE / "mutants" / "switchboard" / f"{path}.meta"
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
        counted = {name: code for name, code in exit_codes.items() if name not in equivalent}
        survivors = sorted(name for name, code in counted.items() if code not in KILLED)
        rows.append((path, len(counted) - len(survivors), len(counted), survivors))
    return rows


def report(rows: list[tuple[str, int, int, list[str]]]) -> bool:
    print(f"{'file':<40} {'killed':>7} {'of':>5} {'score':>7}")
    below = False
    for path, killed, counted, _ in rows:
        score = 100.0 * killed / counted if counted else 100.0
        below |= score < GOAL
        print(f"{path:<40} {killed:>7} {counted:>5} {score:>6.1f}%")
    killed, counted = sum(row[1] for row in rows), sum(row[2] for row in rows)
    print(f"{'all':<40} {killed:>7} {counted:>5} {100.0 * killed / max(counted, 1):>6.1f}%")
    print(f"equivalent mutants left out: {len(equivalent_mutants())} (tests/mutation/equivalent.toml)")
    for _, _, _, survivors in rows:
        for name in survivors:
            print(f"survived: {name}   (`cd .mutation && mutmut show {name}`)")
    return not below


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--report-only", action="store_true", help="print the scores of the last run")
    parser.add_argument("files", nargs="*", choices=[[], *MUTATED], metavar="FILE", help="only these of the files (default all)")
    args = parser.parse_args()
    files = args.files or MUTATED
    if not args.report_only:
        stage()
        mutmut = Path(sys.executable).with_name("mutmut")
        patterns = [] if not args.files else [f"switchboard.{path.removesuffix('.py').replace('/', '.')}.*" for path in files]
        run = subprocess.run([str(mutmut), "run", "--max-children", str(args.max_children), *patterns], cwd=STAGE)
        if run.returncode != 0:
            return run.returncode
    return 0 if report([row for row in scores() if row[0] in files]) else 1


if __name__ == "__main__":
    sys.exit(main())
