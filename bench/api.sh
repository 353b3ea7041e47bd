#!/usr/bin/env bash
# API throughput and latency on loopback: GET /api/v1/risks/{ref} and a list of 50, on a
# generated 10,000-risk register, with token authentication on and (for comparison) with
# the benchmark-only --insecure-no-auth switch. Needs wrk (apt-get install -y wrk) and
# python3. Usage: bench/api.sh [DURATION_SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-10}"
CONNECTIONS="${2:-32}"
RISKS=10000
PORT=18481

command -v wrk >/dev/null || { echo "bench/api.sh needs wrk: apt-get install -y wrk" >&2; exit 1; }
cargo build --release -q -p riskreg
BIN="$PWD/target/release/riskreg"
WORK="$(mktemp -d)"
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
export RISKREG_DB="sqlite:$WORK/bench.db" RISKREG_ACTOR=bench RISKREG_LOG=warn

# A register file with $RISKS risks, each with two mitigations, like the Panel's.
python3 - "$RISKS" > "$WORK/bench.json" <<'PY'
import json, sys
n = int(sys.argv[1])
rags = ["RED", "AMBER", "GREEN"]
risks = []
for i in range(1, n + 1):
    risks.append({
        "number": i,
        "statement": f"There is a risk that generated risk {i} materialises and delays a release.",
        "consequences": ["Delay to the release", "Cost to parties"],
        "impact": 1 + i % 5, "likelihood": 1 + (i // 5) % 5, "rag": rags[i % 3], "status": "open",
        "owner": f"Owner {i % 20}",
        "mitigations": [
            {"text": f"Mitigation A for risk {i}", "state": "ongoing"},
            {"text": f"Mitigation B for risk {i}", "state": "planned"},
        ],
        "recorded": {"at": "2024-01-01T09:00:00Z", "actor": "bench"},
    })
doc = {"format": "riskreg/1", "registers": [{
    "code": "BENCH", "name": "Benchmark register", "confidential": False,
    "recorded": {"at": "2024-01-01T09:00:00Z", "actor": "bench"}, "risks": risks, "issues": []}]}
json.dump(doc, sys.stdout)
PY
"$BIN" init >/dev/null
"$BIN" import "$WORK/bench.json" >/dev/null
echo "a long benchmark password" | "$BIN" user add bench --role admin --password-stdin >/dev/null
TOKEN="$("$BIN" user token create bench --label bench | tail -1)"

start() {
    "$BIN" serve --addr "127.0.0.1:$PORT" "$@" 2>"$WORK/serve.log" &
    SERVER=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    cat "$WORK/serve.log" >&2
    exit 1
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

# One wrk run: prints "requests/s p50 p99" for a path.
measure() {
    local path="$1"; shift
    local out
    out="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "http://127.0.0.1:$PORT$path")"
    local rps p50 p99 non2xx
    rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
    p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
    if [ -n "$non2xx" ]; then echo "wrk saw $non2xx non-2xx responses on $path" >&2; exit 1; fi
    printf '%-44s %10s req/s   p50 %8s   p99 %8s\n' "$path" "$rps" "$p50" "$p99"
}

ONE="/api/v1/risks/BENCH-5000"
LIST="/api/v1/risks?register=BENCH&limit=50"
echo "riskreg API on loopback: $RISKS risks, wrk -t2 -c$CONNECTIONS -d${DURATION}s, $(nproc) cores"
echo "-- token auth on"
start
measure "$ONE" -H "Authorization: Bearer $TOKEN"
measure "$LIST" -H "Authorization: Bearer $TOKEN"
stop
echo "-- auth off (--insecure-no-auth, benchmarks only)"
start --insecure-no-auth
measure "$ONE"
measure "$LIST"
stop
