#!/usr/bin/env bash
# The web UI's register page and risk page: time to first byte and bytes transferred (the
# HTML, and the stylesheet and script it links), on the SEC Panel demo and on a generated
# 10,000-risk register. Each figure is the median of RUNS requests over loopback with a
# signed-in session. Usage: bench/ui.sh [RUNS] [debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-15}"
PROFILE="${2:-release}"
RISKS=10000
PORT=18482
# RISKREG_BIN names an already built binary (and PROFILE then only labels the output).
if [ -n "${RISKREG_BIN:-}" ]; then
    BIN="$RISKREG_BIN"
else
    if [ "$PROFILE" = release ]; then cargo build --release -q -p riskreg; else cargo build -q -p riskreg; fi
    BIN="$PWD/target/$PROFILE/riskreg"
fi
WORK="$(mktemp -d)"
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
export RISKREG_ACTOR=bench RISKREG_LOG=warn
PASSWORD="a long benchmark password"

python3 - "$RISKS" > "$WORK/bench.json" <<'PY'
import json, sys
n = int(sys.argv[1])
rags = ["RED", "AMBER", "GREEN"]
risks = [{
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
} for i in range(1, n + 1)]
json.dump({"format": "riskreg/1", "registers": [{
    "code": "BENCH", "name": "Benchmark register", "confidential": False,
    "recorded": {"at": "2024-01-01T09:00:00Z", "actor": "bench"}, "risks": risks, "issues": []}]},
    sys.stdout)
PY

# A database, a signed-in session, and the median "ttfb size" of RUNS GETs of each path.
run() {
    local label="$1" db="$2"; shift 2
    export RISKREG_DB="$db"
    echo "$PASSWORD" | "$BIN" user add bench --role admin --password-stdin >/dev/null
    "$BIN" serve --addr "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
    SERVER=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    local jar="$WORK/jar-$label"
    curl -s -c "$jar" -o /dev/null -d "name=bench" --data-urlencode "password=$PASSWORD" "http://127.0.0.1:$PORT/signin"
    for path in "$@"; do
        local page="http://127.0.0.1:$PORT$path"
        curl -s -b "$jar" -o "$WORK/page.html" "$page"
        local assets=0
        for a in $(grep -o '/assets/[^"]*' "$WORK/page.html" | sort -u); do
            assets=$((assets + $(curl -s -b "$jar" -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT$a")))
        done
        for _ in $(seq "$RUNS"); do
            curl -s -b "$jar" -o /dev/null -w '%{time_starttransfer} %{size_download}\n' "$page"
        done | sort -n | awk -v label="$label" -v path="$path" -v assets="$assets" -v runs="$RUNS" '
            { t[NR] = $1; s = $2 }
            END { printf "%-8s %-34s TTFB median %6.1f ms   HTML %8d B   HTML+CSS+JS %8d B\n",
                  label, path, t[int((runs + 1) / 2)] * 1000, s, s + assets }'
    done
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

echo "riskreg web UI on loopback ($PROFILE build, SQLite, $(nproc) cores), median of $RUNS requests"
RISKREG_DB="sqlite:$WORK/demo.db" "$BIN" demo >/dev/null
run demo "sqlite:$WORK/demo.db" /registers/PANEL /risks/PANEL-15 /
RISKREG_DB="sqlite:$WORK/bench.db" "$BIN" init >/dev/null
RISKREG_DB="sqlite:$WORK/bench.db" "$BIN" import "$WORK/bench.json" >/dev/null
run 10k "sqlite:$WORK/bench.db" /registers/BENCH "/registers/BENCH?page=100" "/registers/BENCH?rag=RED" /risks/BENCH-5000 /
