"""Prints bench/run.sh's figures as one table: each figure beside its target, for SQLite and
PostgreSQL, and the API's throughput as a fraction of the bare axum + SQLite endpoint
measured in the same run. Usage: table.py RESULTS SMOKE SMALL BIG BIG_EVENTS CONNECTIONS DURATION
"""
import os
import platform
import sys

results_path, smoke, small, big, big_events, connections, duration = sys.argv[1:8]
smoke = smoke == "1"
figures = {}
for line in open(results_path):
    key, backend, value = line.rstrip("\n").split("\t")
    figures[(key, backend)] = value


def n(v):
    return f"{int(v):,}"


# (key, what, unit, target text, check(value) -> met?)
ROWS = [
    ("gen_small", f"bench-data: {n(small)} risks", "ms", "", None),
    ("gen_big", f"bench-data: {n(big)} risks, {n(big_events)} events", "ms", "", None),
    ("one_rps", "GET /api/v1/risks/{ref}, token", "req/s", ">= 20,000", lambda v: v >= 20_000),
    ("one_p99", "  p99", "ms", "< 5", lambda v: v < 5),
    ("list_rps", "GET list of 50, token", "req/s", ">= 5,000", lambda v: v >= 5_000),
    ("list_p99", "  p99", "ms", "< 10", lambda v: v < 10),
    ("list_fresh_rps", "  the same with Cache-Control: no-cache (read and written afresh)", "req/s", "", None),
    ("list_fresh_p99", "  p99", "ms", "", None),
    ("amend_rps", "PATCH amend (write + event + hash)", "/s", ">= 2,000", lambda v: v >= 2_000),
    ("amend_p99", "  p99", "ms", "", None),
    ("amend_errors", "  refused with 412 (a stale If-Match)", "", "", None),
    ("bare_rps", "bare axum + SQLite, one row, no auth", "req/s", "", None),
    ("bare_p99", "  p99", "ms", "", None),
    ("rss_mb", "server peak RSS after the load runs", "MB", "< 64", lambda v: v < 64),
    ("start_ms", "start to first response", "ms", "< 200", lambda v: v < 200),
    ("asat", f"register as at 2022-06-30, {n(big)} risks / {n(big_events)} events: risk list, all as JSON", "ms", "< 500", lambda v: v < 500),
    ("asat_api", "  the same through the API: the register read, one page returned", "ms", "< 500", lambda v: v < 500),
    ("paper_html", f"paper HTML, {n(small)} risks", "ms", "< 1,000", lambda v: v < 1_000),
    ("paper_html_rss", "  peak RSS", "MB", "", None),
    ("paper_docx", f"paper DOCX, {n(small)} risks", "ms", "< 2,000", lambda v: v < 2_000),
    ("paper_docx_rss", "  peak RSS", "MB", "", None),
    ("paper_pdf", f"paper PDF, {n(small)} risks", "ms", "< 5,000", lambda v: v < 5_000),
    ("paper_pdf_rss", "  peak RSS", "MB", "", None),
    ("export_xlsx", f"XLSX export, {n(big)} risks", "ms", "< 3,000", lambda v: v < 3_000),
    ("import_xlsx", f"XLSX import, {n(big)} risks", "ms", "< 5,000", lambda v: v < 5_000),
    ("export_json", f"JSON export, {n(big)} risks with history", "ms", "", None),
    ("verify", f"audit verify, {n(big_events)} events", "ms", "< 5,000", lambda v: v < 5_000),
    ("verify_rss", "  peak RSS", "MB", "", None),
]


def cell(key, backend, check):
    v = figures.get((key, backend))
    if v is None:
        return "-"
    try:
        x = float(v)
    except ValueError:
        return v
    text = f"{x:,.2f}" if x < 100 and not x.is_integer() else f"{x:,.0f}"
    if check and not smoke:
        text += " ok" if check(x) else " MISSED"
    return text


def ratio(key):
    """The SQLite figure as a fraction of the bare endpoint's (throughput rows only)."""
    if not key.endswith("_rps") or key == "bare_rps":
        return ""
    try:
        return f"{float(figures[(key, 'sqlite')]) / float(figures[('bare_rps', 'sqlite')]):.2f}"
    except (KeyError, ValueError, ZeroDivisionError):
        return ""


cpu = "?"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
print(f"riskreg benchmarks{' (SMOKE: tiny data, debug build, no targets)' if smoke else ''}")
print(f"machine: {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}")
print(f"HTTP: wrk -t2 -c{connections} -d{duration}s on loopback; commands: mean of hyperfine runs")
print()
header = ("measurement", "unit", "target", "SQLite", "PostgreSQL", "x bare")
rows = [(what, unit, target, cell(k, "sqlite", c), cell(k, "postgres", c), ratio(k)) for k, what, unit, target, c in ROWS]
crit = sorted((k[0].split(":", 1)[1], v) for k, v in figures.items() if k[0].startswith("criterion:"))
for name, v in crit:
    rows.append((f"criterion {name}", "ns" if v.replace(".", "").isdigit() else "", "", f"{int(v):,}" if v.isdigit() else v, "", ""))
widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
fmt = "  ".join(f"{{:<{w}}}" if i < 3 else f"{{:>{w}}}" for i, w in enumerate(widths))
print(fmt.format(*header))
print("  ".join("-" * w for w in widths))
for r in rows:
    print(fmt.format(*r))
