#!/usr/bin/env bash
# Property-based tests of the HTTP API from its own OpenAPI document: schemathesis (PyPI)
# sends generated valid and invalid requests to every operation of a running
# `riskreg serve` holding the demo, as an admin, and runs every check schemathesis has
# (`all`): no response >= 500; every status, content type, header and body as documented;
# schema-valid requests accepted and invalid ones refused; a missing required header
# refused; unsupported methods 405 with `Allow`; credentials not ignored; and the stateful
# checks (what was deleted stays gone, what was created can be read).
# ci/schemathesis.toml tunes what a schema cannot state, each with its reason; no check is
# excluded.
#
#   ci/schemathesis.sh                 # SCHEMATHESIS_EXAMPLES (default 20) per operation
#   SCHEMATHESIS_SEED=1 ci/schemathesis.sh            # replay a run's seed (printed)
#   SCHEMATHESIS_CHECKS=not_a_server_error ci/schemathesis.sh  # only some checks
#   RISKREG_BIN=target/debug/riskreg ci/schemathesis.sh  # skip the build
#
# schemathesis is installed into a virtualenv under target/, pinned below.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-20}"
SEED="${SCHEMATHESIS_SEED:-$RANDOM}"
VENV=target/schemathesis/venv
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$VERSION"
fi

# The same build `cargo test --workspace` makes (features unified alike), so CI builds once.
# RISKREG_BIN runs an already built binary instead.
RISKREG="${RISKREG_BIN:-}"
if [ -z "$RISKREG" ]; then
    cargo test --workspace --no-run --quiet
    RISKREG="$PWD/target/debug/riskreg"
fi
export RISKREG_DB="sqlite:$WORK/riskreg.db" RISKREG_ACTOR=schemathesis
"$RISKREG" demo >/dev/null
echo "a long enough password for schemathesis" | "$RISKREG" user add fuzz-admin --role admin --password-stdin >/dev/null
# A member of every register, confidential ones included, so that nothing is out of reach.
for code in $("$RISKREG" register list --format csv | tail -n +2 | cut -d, -f1); do
    "$RISKREG" user grant fuzz-admin --register "$code" >/dev/null
done
TOKEN="$("$RISKREG" user token create fuzz-admin --label schemathesis | tail -n 1 | tr -d '[:space:]')"

RISKREG_LOG=warn "$RISKREG" serve --addr 127.0.0.1:0 >/dev/null 2>"$WORK/serve.log" &
SERVER_PID=$!
BASE=""
for _ in $(seq 600); do
    BASE="$(sed -n 's/^riskreg serving on \([^ ]*\).*/\1/p' "$WORK/serve.log")"
    [ -n "$BASE" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log"; exit 1; }
    sleep 0.1
done
[ -n "$BASE" ] || { echo "riskreg serve did not start"; cat "$WORK/serve.log"; exit 1; }

# The caller is an admin, so the fuzzer can revoke its own token, disable its own account
# or change its password, after which every request would be a 401 and test nothing. Those
# operations run in a second pass of their own, with a fresh token, after everything else.
CREDENTIALS=(
    'DELETE /api/v1/tokens/{id}'
    'PATCH /api/v1/users/{name}'
    'POST /api/v1/users/{name}/password'
    'POST /api/v1/auth/password'
)
exclude=()
for name in "${CREDENTIALS[@]}"; do exclude+=(--exclude-name "$name"); done
include=()
for name in "${CREDENTIALS[@]}"; do include+=(--include-name "$name"); done

run() {
    local token="$1"; shift
    "$VENV/bin/schemathesis" --config-file ci/schemathesis.toml run "$BASE/api/openapi.json" \
        --header "Authorization: Bearer $token" \
        --checks "${SCHEMATHESIS_CHECKS:-all}" \
        --max-examples "$EXAMPLES" \
        --seed "$SEED" \
        --workers 2 \
        --no-color \
        "$@"
}

echo "schemathesis $VERSION against $BASE: $EXAMPLES examples per operation, seed $SEED"
status=0
run "$TOKEN" "${exclude[@]}" || status=$?
SECOND="$("$RISKREG" user token create fuzz-admin --label schemathesis-credentials | tail -n 1 | tr -d '[:space:]')"
run "$SECOND" "${include[@]}" || status=$?
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "riskreg serve died during the run:"; cat "$WORK/serve.log"; exit 1
fi
if grep -q "panicked" "$WORK/serve.log"; then
    echo "riskreg serve panicked:"; grep -A5 panicked "$WORK/serve.log"; exit 1
fi
exit $status
