#!/usr/bin/env bash
# riskreg's benchmark suite, end to end, printing one table: in-process benchmarks
# (criterion), the HTTP API under load (wrk, token auth on, SQLite and PostgreSQL) beside a
# bare axum + SQLite baseline measured in the same run, whole-command timings (hyperfine),
# peak memory and start-up time. See bench/README.md for the method and the latest figures.
#
#   bench/run.sh            the full run: release build, 10,000 and 100,000 risks (~25 min)
#   bench/run.sh --smoke    seconds: debug build, tiny data, one pass of everything, no targets
#
# Options: --runs N (hyperfine runs per command, default 3), --no-postgres (SQLite only), --no-postgres-big (PostgreSQL on the 10,000-risk
# organisation only: generating a million events there takes several minutes), --no-criterion,
# --duration SECONDS (wrk, default 10), --connections N (default 16), --data DIR (keep the
# generated databases in DIR and reuse them in later runs; PostgreSQL's are kept too). PostgreSQL is used when RISKREG_TEST_POSTGRES_URL (or
# RISKREG_BENCH_POSTGRES_URL) names a server where the user may create databases.
# Needs wrk and hyperfine for the full run (apt-get install -y wrk hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

RUNS_OPT="" SMOKE=0 POSTGRES=1 POSTGRES_BIG=1 CRITERION=1 DURATION=10 CONNECTIONS=16 DATA=""
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) SMOKE=1 ;;
        --no-postgres) POSTGRES=0 ;;
        --no-postgres-big) POSTGRES_BIG=0 ;;
        --no-criterion) CRITERION=0 ;;
        --data) DATA="$2"; shift ;;
        --runs) RUNS_OPT="$2"; shift ;;
        --duration) DURATION="$2"; shift ;;
        --connections) CONNECTIONS="$2"; shift ;;
        *) echo "bench/run.sh: unknown option $1 (see the comment at the top)" >&2; exit 2 ;;
    esac
    shift
done

if [ "$SMOKE" = 1 ]; then
    PROFILE=debug; CARGO_PROFILE=(); SMALL=(200 1000); BIG=(400 3000); DURATION=1; RUNS=1
else
    PROFILE=release; CARGO_PROFILE=(--release); SMALL=(10000 100000); BIG=(100000 1000000); RUNS=3
fi
RUNS="${RUNS_OPT:-$RUNS}"
PG_BASE="${RISKREG_BENCH_POSTGRES_URL:-${RISKREG_TEST_POSTGRES_URL:-}}"
[ -n "$PG_BASE" ] || POSTGRES=0

echo "building ($PROFILE)..." >&2
if [ "$SMOKE" = 1 ]; then
    # The build `cargo test --workspace` makes (features unified alike, the binaries
    # included), so the smoke run in CI compiles nothing of its own. That build also runs
    # each criterion benchmark once, so the smoke run leaves them to it.
    cargo test --workspace --no-run --quiet 2>/dev/null
    CRITERION=0
else
    cargo build -q "${CARGO_PROFILE[@]}" --workspace --bins
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/$PROFILE/riskreg"
BARE="$TARGET/$PROFILE/bare-server"

WORK="$(mktemp -d)"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
SERVER="" PG_DBS=()
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    for db in "${PG_DBS[@]}"; do psql -q "$PG_BASE" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
export RISKREG_ACTOR=bench RISKREG_LOG=warn

# record KEY BACKEND VALUE: one figure for the table.
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; }
now_ns() { date +%s%N; }

# db_url BACKEND NAME [scratch]: sets URL to a database per backend and name; with --data
# kept from one run to the next unless "scratch" is given. Not called in a subshell, so
# that the PostgreSQL databases it names are dropped at the end.
db_url() {
    local keep="$DATA"
    [ "${3:-}" = scratch ] && keep=""
    case "$1" in
        sqlite) URL="sqlite:${keep:-$WORK}/$2.db" ;;
        postgres)
            local name
            if [ -n "$keep" ]; then name="riskreg_bench_$2"; else name="riskreg_bench_$$_$2"; PG_DBS+=("$name"); fi
            URL="${PG_BASE%/*}/$name" ;;
    esac
}
[ -z "$DATA" ] || mkdir -p "$DATA"
# Whether a kept database already holds a generated organisation.
generated() { [ -n "$DATA" ] && "$BIN" --db "$1" risk show BENCH-1 >/dev/null 2>&1; }

BACKENDS=(sqlite)
[ "$POSTGRES" = 1 ] && BACKENDS+=(postgres)
declare -A SMALL_DB BIG_DB

# ---- data -------------------------------------------------------------------------------
for backend in "${BACKENDS[@]}"; do
    for size in small big; do
        if [ "$size" = small ]; then spec=("${SMALL[@]}"); else spec=("${BIG[@]}"); fi
        [ "$backend/$size" = postgres/big ] && [ "$POSTGRES_BIG" = 0 ] && continue
        db_url "$backend" "$size"; url="$URL"
        if generated "$url"; then
            echo "reusing $backend $size from $DATA" >&2
        else
            echo "generating $backend $size: ${spec[0]} risks, ${spec[1]} events..." >&2
            t0=$(now_ns)
            "$BIN" --db "$url" bench-data --risks "${spec[0]}" --events "${spec[1]}" --seed 1 >/dev/null 2>&1
            record "gen_$size" "$backend" "$(( ($(now_ns) - t0) / 1000000 ))"
        fi
        if [ "$backend" = postgres ]; then
            # What autovacuum does to a deployment's tables in their first minutes (it may be
            # off on the bench's server; it is here): without statistics the planner plans
            # for empty tables.
            psql -q "$url" -c "VACUUM ANALYZE" >/dev/null
        fi
        if [ "$size" = small ]; then SMALL_DB[$backend]="$url"; else BIG_DB[$backend]="$url"; fi
    done
done
# The generator puts half the risks in BENCH; the sample is the middle one.
SAMPLE="BENCH-$(( (SMALL[0] + 1) / 2 / 2 ))"

# ---- in-process (criterion) --------------------------------------------------------------
if [ "$CRITERION" = 1 ]; then
    echo "criterion benchmarks..." >&2
    cargo bench -q -p riskreg-bench -- --output-format bencher 2>/dev/null | tee "$WORK/criterion.txt" >&2
    # "test NAME ... bench:   1,234 ns/iter (+/- 56)"
    while IFS=$'\t' read -r name ns; do record "criterion:$name" sqlite "$ns"; done < <(
        sed -n 's/^test \(.*\) \.\.\. bench: *\([0-9,]*\) ns\/iter.*/\1\t\2/p' "$WORK/criterion.txt" | tr -d ,)
fi

# ---- HTTP ---------------------------------------------------------------------------------
PORT=18490
BASE="http://127.0.0.1:$PORT"
wait_up() {
    for _ in $(seq 2000); do
        curl -sf "$BASE$1" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER" 2>/dev/null || break
        sleep 0.005
    done
    echo "the server did not come up" >&2; cat "$WORK/serve.log" >&2; exit 1
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

# wrk_run KEY BACKEND PATH [wrk args...]: requests/s and p99 (ms) of one run.
wrk_run() {
    local key="$1" backend="$2" path="$3"; shift 3
    if ! command -v wrk >/dev/null; then
        curl -sf "$@" "$BASE$path" >/dev/null
        record "${key}_rps" "$backend" "n/a (no wrk)"
        return
    fi
    local out
    out="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$BASE$path")"
    local errors
    errors="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
    # Reads must never fail. Amendments that meet a 412 (the version the script last saw
    # is stale) are counted and shown beside the rate, which counts only successes.
    if [ -n "$errors" ]; then
        local total; total="$(awk '/requests in/ {print $1}' <<<"$out")"
        if [ "$key" != amend ]; then
            echo "$out" >&2; echo "wrk saw $errors errors on $path" >&2; exit 1
        fi
        record "${key}_errors" "$backend" "$errors"
    fi
    local good="${errors:-0}"
    record "${key}_rps" "$backend" "$(awk -v bad="$good" -v d="$DURATION" '/requests in/ {printf "%d", ($1 - bad) / d}' <<<"$out")"
    record "${key}_p99" "$backend" "$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}' <<<"$out")"
}

for backend in "${BACKENDS[@]}"; do
    url="${SMALL_DB[$backend]}"
    echo "HTTP on $backend..." >&2
    # (With --data the user may exist from an earlier run.)
    echo "a long benchmark password" | "$BIN" --db "$url" user add bench --role admin --password-stdin >/dev/null 2>&1 || true
    TOKEN="$("$BIN" --db "$url" user token create bench --label bench | tail -1)"
    AUTH=(-H "Authorization: Bearer $TOKEN")

    t0=$(now_ns)
    "$BIN" --db "$url" serve --addr "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
    SERVER=$!
    wait_up /healthz
    record start_ms "$backend" "$(( ($(now_ns) - t0) / 1000000 ))"

    wrk_run one "$backend" "/api/v1/risks/$SAMPLE" "${AUTH[@]}"
    wrk_run list "$backend" "/api/v1/risks?register=BENCH&limit=50&offset=100" "${AUTH[@]}"
    # The same page made from the records every time, as after each write: the server keeps
    # finished pages until the next write, unless asked not to.
    wrk_run list_fresh "$backend" "/api/v1/risks?register=BENCH&limit=50&offset=100" "${AUTH[@]}" -H "Cache-Control: no-cache"

    # Amendments: each request changes the notes of the next of 2,000 live risks, with the
    # If-Match of the version the last response for that risk returned.
    : >"$WORK/amend.txt"
    for offset in 0 500 1000 1500; do
        curl -sf "${AUTH[@]}" "$BASE/api/v1/risks?register=BENCH&limit=500&offset=$offset" \
            | python3 -c 'import json,sys; [print(r["ref"], r["version"]) for r in json.load(sys.stdin)["items"]]' >>"$WORK/amend.txt"
    done
    # One line per risk, even if a page boundary moved between the reads.
    sort -u -k1,1 -o "$WORK/amend.txt" "$WORK/amend.txt"
    if command -v wrk >/dev/null; then
        AMEND_FILE="$WORK/amend.txt" wrk_run amend "$backend" / -s "$ROOT/bench/amend.lua" "${AUTH[@]}"
    else
        record amend_rps "$backend" "n/a (no wrk)"
    fi
    record rss_mb "$backend" "$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER/status")"
    stop
done

if [ -x "$BARE" ]; then
    "$BARE" "${DATA:-$WORK}/small.db" "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
    SERVER=$!
    wait_up "/risks/$SAMPLE"
    wrk_run bare sqlite "/risks/$SAMPLE"
    stop
fi

# ---- whole commands ---------------------------------------------------------------------
# time_cmd KEY BACKEND COMMAND...: mean wall time (ms) over $RUNS runs, and peak RSS (MB).
time_cmd() {
    local key="$1" backend="$2"; shift 2
    if [ ! -x /usr/bin/time ]; then
        # Without GNU time (Debian's package `time`) the command is timed, its memory not.
        local t0; t0=$(now_ns)
        "$@" >/dev/null 2>"$WORK/cmd.err" || { cat "$WORK/cmd.err" >&2; exit 1; }
        record "$key" "$backend" "$(( ($(now_ns) - t0) / 1000000 ))"
        return
    fi
    if [ "$RUNS" = 1 ]; then
        /usr/bin/time -f '%e %M' -o "$WORK/rss" "$@" >/dev/null 2>"$WORK/cmd.err" || { cat "$WORK/cmd.err" >&2; exit 1; }
        record "$key" "$backend" "$(awk 'END {printf "%d", $1 * 1000}' "$WORK/rss")"
        record "${key}_rss" "$backend" "$(awk 'END {printf "%d", $2 / 1024}' "$WORK/rss")"
        return
    fi
    if command -v hyperfine >/dev/null; then
        hyperfine -N -r "$RUNS" --warmup 0 --export-json "$WORK/h.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1 \
            || { echo "failed: $*" >&2; "$@" >/dev/null; exit 1; }
        record "$key" "$backend" "$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["results"][0]["mean"]*1000))' "$WORK/h.json")"
    else
        local t0; t0=$(now_ns); "$@" >/dev/null; record "$key" "$backend" "$(( ($(now_ns) - t0) / 1000000 ))"
    fi
    /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >/dev/null 2>&1 && record "${key}_rss" "$backend" "$(( $(tail -1 "$WORK/rss") / 1024 ))"
}

for backend in "${BACKENDS[@]}"; do
    small="${SMALL_DB[$backend]}" big="${BIG_DB[$backend]:-}"
    echo "commands on $backend..." >&2
    "$BIN" --db "$small" meeting add --body BENCH --date 2026-01-15 >/dev/null 2>&1 || true
    for fmt in html docx pdf; do
        time_cmd "paper_$fmt" "$backend" "$BIN" --db "$small" paper --meeting BENCH/2026-01-15 --author "Benchmark secretariat" --team Benchmarks --format "$fmt" --out "$WORK/paper.$fmt"
    done
    [ -n "$big" ] || continue
    # Commands are timed warm, with the database in the page cache as a running server's
    # would be: its first read from disk is the disk's speed (a 4 GB file here), not riskreg's.
    if [ "$backend" = sqlite ]; then cat "${big#sqlite:}" >/dev/null; fi
    time_cmd asat "$backend" "$BIN" --db "$big" risk list --register BENCH --as-at 2022-06-30 --format json
    # The same register as at the date through the API, as the register page asks for it:
    # the whole register is read and ordered as at that date, and one page of it returned.
    # With no-cache, so that every run reads it rather than the page kept by the first.
    echo "a long benchmark password" | "$BIN" --db "$big" user add bench --role admin --password-stdin >/dev/null 2>&1 || true
    big_token="$("$BIN" --db "$big" user token create bench --label bench | tail -1)"
    "$BIN" --db "$big" serve --addr "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
    SERVER=$!
    wait_up /healthz
    time_cmd asat_api "$backend" curl -sf -H "Authorization: Bearer $big_token" -H "Cache-Control: no-cache" \
        "$BASE/api/v1/risks?register=BENCH&as_at=2022-06-30&limit=50"
    stop
    time_cmd verify "$backend" "$BIN" --db "$big" audit verify
    time_cmd export_json "$backend" "$BIN" --db "$big" export --format json --out "$WORK/export-$backend-$$.json"
    rm -f "$WORK/export-$backend-$$.json"
    if "$BIN" export --help 2>/dev/null | grep -q xlsx; then
        time_cmd export_xlsx "$backend" "$BIN" --db "$big" export --format xlsx --out "$WORK/big-$backend.xlsx"
        # A scratch database each run, even with --data: an import must start from empty.
        db_url "$backend" import scratch; import_url="$URL"
        "$BIN" --db "$import_url" init >/dev/null
        # The import must start from an empty database every run, so it is timed once.
        t0=$(now_ns)
        "$BIN" --db "$import_url" import "$WORK/big-$backend.xlsx" >/dev/null
        record import_xlsx "$backend" "$(( ($(now_ns) - t0) / 1000000 ))"
    else
        record export_xlsx "$backend" "pending"
        record import_xlsx "$backend" "pending"
    fi
done

# ---- the table --------------------------------------------------------------------------
python3 "$ROOT/bench/table.py" "$RESULTS" "$SMOKE" "${SMALL[0]}" "${BIG[0]}" "${BIG[1]}" "$CONNECTIONS" "$DURATION"
