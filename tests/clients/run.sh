#!/usr/bin/env bash
# Switchboard against real GraphQL clients and tools, on a live server:
#   1. Apollo Client 4 (typed operations from graphql-codegen, type-checked with tsc)
#   2. graphql-http's GraphQL-over-HTTP server audits (a warning fails like an error)
#   3. graphql-inspector: no breaking change between the contract and schema.graphql
#   4. Apollo Client's live updates (GraphQLWsLink over graphql-ws, a split link)
# Installs with `npm ci` from package-lock.json, serves `switchboard serve` on a free loopback port
# with a fresh SQLite database in a temporary directory, stops it, exits non-zero if any check fails.
# With SWITCHBOARD_CLIENTS_POSTGRES_URL it serves two `switchboard serve` processes on a fresh
# PostgreSQL database made next to that one instead (dropped at the end), and the live-update check
# subscribes on one and sends its mutation to the other.
#
# Environment: CONTRACT_SCHEMA (default ../shared/contract.graphql; relative paths are taken from the
# repository root), SWITCHBOARD (the switchboard command; default .venv/bin/switchboard),
# SWITCHBOARD_CLIENTS_POSTGRES_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test).
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
START=$SECONDS
FAILED=()

step() { echo; echo "== $*"; }
fail() { echo "FAILED: $*" >&2; FAILED+=("$1"); }

CONTRACT_SCHEMA="${CONTRACT_SCHEMA:-../shared/contract.graphql}"
[[ "$CONTRACT_SCHEMA" = /* ]] || CONTRACT_SCHEMA="$REPO/$CONTRACT_SCHEMA"

SWITCHBOARD="${SWITCHBOARD:-$REPO/.venv/bin/switchboard}"
if [[ ! -x "$SWITCHBOARD" ]]; then
  SWITCHBOARD="$(command -v switchboard || true)"
fi
if [[ -z "$SWITCHBOARD" ]]; then
  echo "FAILED: no switchboard command: run 'make install' in $REPO first (or set SWITCHBOARD)." >&2
  exit 1
fi

cd "$HERE" || exit 1

step "npm ci (tests/clients/package-lock.json)"
if ! npm ci --no-audit --no-fund --loglevel=error; then
  echo "FAILED: npm ci" >&2
  exit 1
fi

step "graphql-codegen: typed operations from schema.graphql and operations/*.graphql"
if ! npx --no -- graphql-codegen --config codegen.ts --silent; then
  echo "FAILED: graphql-codegen" >&2
  exit 1
fi

step "tsc --noEmit"
npx --no -- tsc --noEmit -p . || fail "tsc --noEmit"

# ---------------------------------------------------------------- a live server
WORK="$(mktemp -d "${TMPDIR:-/tmp}/switchboard-clients.XXXXXX")"
SERVER_PID=""
SECOND_PID=""
stop_process() {
  local pid="$1"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
}
stop_server() { stop_process "$SERVER_PID"; stop_process "$SECOND_PID"; SERVER_PID=""; SECOND_PID=""; }
POSTGRES_ADMIN=""
POSTGRES_DB=""
cleanup() {
  stop_server
  [[ -n "$POSTGRES_DB" ]] && psql -q "$POSTGRES_ADMIN" -c "DROP DATABASE IF EXISTS \"$POSTGRES_DB\" WITH (FORCE)" >/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
URL="http://127.0.0.1:$PORT"
export SWITCHBOARD_DATABASE_URL="sqlite+aiosqlite:///$WORK/switchboard.db"
export SWITCHBOARD_LOG_LEVEL=warning
if [[ -n "${SWITCHBOARD_CLIENTS_POSTGRES_URL:-}" ]]; then
  POSTGRES_DB="switchboard_clients_$(node -e 'console.log(require("node:crypto").randomBytes(6).toString("hex"))')"
  POSTGRES_ADMIN="$(echo "$SWITCHBOARD_CLIENTS_POSTGRES_URL" | sed 's#^postgresql+asyncpg://#postgresql://#')"
  psql -q "$POSTGRES_ADMIN" -c "CREATE DATABASE \"$POSTGRES_DB\"" >/dev/null || { echo "FAILED: CREATE DATABASE" >&2; exit 1; }
  export SWITCHBOARD_DATABASE_URL="${SWITCHBOARD_CLIENTS_POSTGRES_URL%/*}/$POSTGRES_DB"
  export SWITCHBOARD_SECRET_KEY="$(node -e 'console.log(require("node:crypto").randomBytes(32).toString("base64url") + "=")')"
fi

step "switchboard serve on $URL (database $SWITCHBOARD_DATABASE_URL)"
"$SWITCHBOARD" serve --host 127.0.0.1 --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!

KEY=""
for _ in $(seq 1 300); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "FAILED: switchboard serve exited:" >&2; cat "$WORK/serve.log" >&2; exit 1
  fi
  KEY="$(sed -n 's/^API key (shown once, store it now): \(sb_[^[:space:]]*\).*$/\1/p' "$WORK/serve.log" | head -n1)"
  if [[ -n "$KEY" ]] && node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$URL/healthz"; then
    break
  fi
  sleep 0.1
done
if [[ -z "$KEY" ]]; then
  echo "FAILED: no API key line from the first start:" >&2; cat "$WORK/serve.log" >&2; exit 1
fi
OTHER_KEY="$("$SWITCHBOARD" org create Other --json | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).api_key))')"
if [[ "$OTHER_KEY" != sb_* ]]; then
  echo "FAILED: switchboard org create Other --json" >&2; exit 1
fi
echo "serving; first organization's key read from the log, second organization 'Other' created"

SECOND_URL=""
if [[ -n "$POSTGRES_DB" ]]; then
  SECOND_PORT="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
  step "a second switchboard serve on http://127.0.0.1:$SECOND_PORT, same database"
  "$SWITCHBOARD" serve --host 127.0.0.1 --port "$SECOND_PORT" >"$WORK/second.log" 2>&1 &
  SECOND_PID=$!
  for _ in $(seq 1 300); do
    node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$SECOND_PORT/healthz" && break
    kill -0 "$SECOND_PID" 2>/dev/null || { echo "FAILED: the second switchboard serve exited:" >&2; cat "$WORK/second.log" >&2; exit 1; }
    sleep 0.1
  done
  SECOND_URL="http://127.0.0.1:$SECOND_PORT/graphql"
fi

step "node --test: Apollo Client, tenancy, graphql-http audits, live updates${SECOND_URL:+ across two servers}"
SWITCHBOARD_GRAPHQL_URL="$URL/graphql" SWITCHBOARD_API_KEY="$KEY" SWITCHBOARD_OTHER_API_KEY="$OTHER_KEY" \
  SWITCHBOARD_SECOND_GRAPHQL_URL="$SECOND_URL" \
  node --import tsx --test --test-reporter=spec test/apollo.test.ts test/tenancy.test.ts test/audit.test.ts test/live.test.ts \
  || fail "node --test (Apollo Client, tenancy, graphql-http audits, live updates)"

stop_server
for log in "$WORK/serve.log" "$WORK/second.log"; do
  if [[ -f "$log" ]] && grep -q "Traceback" "$log"; then
    echo "the server logged tracebacks:" >&2; cat "$log" >&2
    fail "server tracebacks"
  fi
done

# ---------------------------------------------------------------- schema contract
step "graphql-inspector diff $CONTRACT_SCHEMA schema.graphql"
if [[ ! -f "$CONTRACT_SCHEMA" ]]; then
  fail "contract schema not found at $CONTRACT_SCHEMA: set CONTRACT_SCHEMA to the contract's path (CI has it at ../shared/contract.graphql from the repository root)"
elif ! npx --no -- graphql-inspector diff "$CONTRACT_SCHEMA" "$REPO/schema.graphql" >"$WORK/inspector.log" 2>&1; then
  cat "$WORK/inspector.log"
  fail "graphql-inspector found breaking changes against the contract"
else
  grep -E "No breaking changes|success" "$WORK/inspector.log" || tail -n 3 "$WORK/inspector.log"
fi

echo
echo "client checks took $((SECONDS - START)) s"
if ((${#FAILED[@]})); then
  printf 'FAILED: %s\n' "${FAILED[@]}" >&2
  exit 1
fi
echo "all client checks passed"
