"""The mixed benchmark's Markdown: a summary row per mode and checkout, a per-kind table for each, and
the cross-instance check; written between the mixed-results markers of bench/README.md with --readme."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
MARK_START = "<!-- mixed-results:start -->"
MARK_END = "<!-- mixed-results:end -->"

MODE_LABELS = {
    "on": "1 instance, caches on (per worker)",
    "off": "1 instance, caches off",
    "redis": "1 instance, cache in Redis",
    "two": "2 instances + HAProxy, cache in Redis",
    "two-local": "2 instances + HAProxy, caches per worker",
}


def _threads(threads: int) -> str:
    return f" of {threads} threads each (gthread)" if threads > 1 else " (sync)"


def _f(value, suffix="") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}{suffix}" if value >= 10 else f"{value:g}{suffix}"
    return f"{value:,}{suffix}"


def _pct(value) -> str:
    return "–" if value is None else f"{value:.0%}"


def _lat(row: dict) -> str:
    return f"{_f(row['p50_ms'])} / {_f(row['p95_ms'])} / {_f(row['p99_ms'])}"


def _bad(row: dict) -> str:
    bad = {s: n for s, n in row["statuses"].items() if not (s.isdigit() and int(s) in (200, 201, 204, 302, 303, 304))}
    return "0" if not bad else ", ".join(f"{n}×{s}" for s, n in sorted(bad.items()))


def _mode(run: dict) -> str:
    label = MODE_LABELS.get(run["mode"], run["mode"])
    if run.get("pinned"):
        label += ", one core per instance (" + " / ".join(
            ",".join(map(str, cores)) for cores in run.get("worker_cores", [])) + ")"
    return f"{label}; only {run['only'].replace(',', ', ')}" if run.get("only") else label


def summary_table(runs: list[dict]) -> list[str]:
    lines = ["| code | mode | req/s | p50 / p95 / p99 ms | non-2xx/304 | cache hit (requests / lookups) | "
             "server ms (mean) | db share | ceiling req/s (before / between slices / after) | vs ceiling | worker RSS max | load 1-min (before / mean during / max) |",
             "|---|---|---:|---|---:|---|---:|---:|---|---:|---:|---|"]
    for run in runs:
        o = run["overall"]
        mean_ceiling = _mean_ceiling(run)
        rss = max(run["rss_mb"].values()) if run["rss_mb"] else None
        load = run["load"]
        lines.append(
            f"| {run['label']} | {_mode(run)} | {_f(o['rps'])} | {_lat(o)} | {o['bad']} | "
            f"{_pct(o['cache_hit_rate'])} / {_pct(o['lookup_hit_rate'])} | {_f(o['server_ms_mean'])} | "
            f"{_pct(o['db_share'])} | {_ceilings(run)} | "
            f"{_pct(o['rps'] / mean_ceiling) if mean_ceiling else '–'} | {_f(rss, ' MB')} | "
            f"{load['before']} / {load['during']['mean']} / {load['during']['max']} |")
    return lines


P95_OVERALL_MS, P95_KIND_MS, CEILING_SHARE, RSS_MB = 100.0, 250.0, 0.25, 150.0


def _ceiling_readings(run: dict) -> list[float]:
    """Every reading of the ceiling in a run: before, after each slice but the last (--ceiling-between), after."""
    found = [run["ceiling"].get("before"), *run.get("ceiling_between", []), run["ceiling"].get("after")]
    return [c["rps"] for c in found if c and c["rps"]]


def _ceilings(run: dict) -> str:
    between = [c["rps"] for c in run.get("ceiling_between", []) if c and c["rps"]]
    ends = [_f(c["rps"]) if c and c["rps"] else "–" for c in (run["ceiling"].get("before"), run["ceiling"].get("after"))]
    if not between:
        return " / ".join(ends)
    return f"{ends[0]} / {_f(sum(between) / len(between))} ({_f(min(between))}–{_f(max(between))}, {len(between)}) / {ends[1]}"


def _mean_ceiling(run: dict) -> float | None:
    found = _ceiling_readings(run)
    return sum(found) / len(found) if found else None


def targets(run: dict) -> dict[str, str]:
    """Issue 19's targets for the mix, each PASS or FAIL with the figure."""
    o = run["overall"]
    worst_kind, worst = max(((k, r["p95_ms"] or 0) for k, r in run["kinds"].items()), key=lambda kv: kv[1],
                            default=("–", 0))
    ceiling = _mean_ceiling(run)
    rss = max(run["rss_mb"].values()) if run["rss_mb"] else None
    verdict = lambda ok, text: f"{'PASS' if ok else '**FAIL**'} ({text})"  # noqa: E731
    found = {
        "p95 < 100 ms": verdict((o["p95_ms"] or 1e9) < P95_OVERALL_MS, f"{_f(o['p95_ms'])} ms"),
        "every kind's p95 < 250 ms": verdict(worst < P95_KIND_MS, f"worst: {worst_kind} {_f(worst)} ms"),
        "≥ 1/4 of the ceiling": verdict(bool(ceiling) and o["rps"] >= CEILING_SHARE * ceiling,
                                        _pct(o["rps"] / ceiling) if ceiling else "no ceiling"),
        "worker RSS < 150 MB": verdict(rss is not None and rss < RSS_MB, _f(rss, " MB")),
        "every answer 2xx/304": verdict(o["bad"] == 0, f"{o['bad']} others"),
    }
    if run.get("checks"):
        found["cross-instance check"] = verdict(run["checks"]["passed"], "see below")
    return found


def targets_table(runs: list[dict]) -> list[str]:
    names = list(dict.fromkeys(name for run in runs for name in targets(run)))
    lines = ["| code | mode | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for run in runs:
        found = targets(run)
        lines.append(f"| {run['label']} | {_mode(run)} | "
                     + " | ".join(found.get(name, "") for name in names) + " |")
    return lines


def kinds_table(run: dict) -> list[str]:
    lines = [f"**{run['label']}, {_mode(run)}** ({_f(run['seconds'])} s recorded, "
             f"{_f(run.get('people_active'))} distinct signed-in people acted):",
             "",
             "| kind | requests | req/s | p50 / p95 / p99 ms | non-2xx/304 | cache hit | server ms mean / p95 | share of server time | db ms mean | statements | statuses |",
             "|---|---:|---:|---|---|---:|---|---:|---:|---:|---|"]
    total = run["overall"].get("server_ms_total") or 0
    for kind, row in sorted(run["kinds"].items(), key=lambda item: -item[1]["requests"]):
        lines.append(f"| {kind} | {_f(row['requests'])} | {_f(row['rps'])} | {_lat(row)} | {_bad(row)} | "
                     f"{_pct(row['cache_hit_rate'])} | {_f(row['server_ms_mean'])} / {_f(row.get('server_p95_ms'))} | "
                     f"{_pct(row.get('server_ms_total', 0) / total) if total else '–'} | "
                     f"{_f(row['db_ms_mean'])} | {_f(row.get('statements_mean'))} | "
                     + ", ".join(f"{s}: {n}" for s, n in row["statuses"].items()) + " |")
    return lines


def database_line(run: dict) -> list[str]:
    d = run.get("database")
    if not d:
        return []
    written = sum(d[k] or 0 for k in ("rows_inserted_per_s", "rows_updated_per_s", "rows_deleted_per_s"))
    lines = [f"Database: {_f(d['commits_per_s'])} transactions/s (a read outside a write transaction "
            f"runs in autocommit: one per statement), {_f(written)} rows written/s "
            f"({_f(d['stamp_row_writes_per_s'])}/s of them change-stamp rows), {_f(d['rows_fetched_per_s'])} rows "
            f"fetched/s, buffer hits {_pct(d['buffer_hit_rate'])}; {d['connections_max']} connections at most, "
            f"{d['active_mean']} active on average; a backend waited for a lock in {_pct(d['lock_wait_samples'])} "
            f"of the samples (on a change stamp in {_pct(d['stamp_lock_wait_samples'])}), deadlocks {d['deadlocks']}."]
    if run.get("writes_found"):
        lines.append("Writes found in the database afterwards (the state each redirect-answered write left): " + ", ".join(
            f"{kind} {found}/{expected}" for kind, (found, expected) in run["writes_found"].items()) + ".")
        lines += [f"- not found: {missed}" for missed in run.get("writes_missed", [])]
    return lines


def entries_line(run: dict, top: int = 8) -> list[str]:
    entries = run.get("cache_entries")
    if not entries:
        return []
    shown = [f"{name} {e['built']:,} built / {e['found']:,} found" for name, e in list(entries.items())[:top]]
    return ["Cache entries built most often (each lookup that missed built one): " + "; ".join(shown) + "."]


def cpu_line(run: dict) -> list[str]:
    cpu = run.get("cpu")
    if not cpu:
        return []
    parts = [f"{part} {c['ms_per_request']} ms ({c['cores']} cores)" for part, c in cpu.items() if c["seconds"]]
    return ["CPU per request (and cores busy on average): " + ", ".join(parts) + "."]


def checks_lines(run: dict) -> list[str]:
    checks = run.get("checks")
    if not checks:
        return []
    lines = [f"Cross-instance check ({run['label']}, {_mode(run)}): "
             f"**{'PASS' if checks['passed'] else 'FAIL'}**", ""]
    lines += [f"- {'ok' if c['ok'] else 'FAILED'}: {c['what']} — {c['detail']}" for c in checks["items"]]
    return lines


def markdown(meta: dict, runs: list[dict], detailed: set[tuple[str, str]] | None = None) -> str:
    """The report; per-kind tables for every run, or for the (label, mode) pairs in `detailed`."""
    machine = meta["machine"]
    first = runs[0] if runs else {}
    lines = [
        f"Run **{meta['started']} UTC** on `{meta['database']}`: {machine['nproc']} CPUs ({machine['cpu']}), "
        f"{machine['database']}; {first.get('people', 0):,} signed-in people {first.get('roles', {})}, "
        f"{first.get('upcoming_events')} upcoming events (Zipf), {first.get('open_events')} open for registration; "
        f"concurrency {first.get('concurrency')}, {first.get('workers_per_instance')} gunicorn workers per instance"
        f"{_threads(first.get('threads_per_worker', 1))}; "
        "load generator (Python threads) on the same machine.",
        "",
    ]
    lines += summary_table(runs)
    lines += ["", "Targets of issue 19 for the mix (PostgreSQL, 2 workers, concurrency 8):", ""] + targets_table(runs)
    for run in runs:
        if detailed is not None and (run["label"], run["mode"]) not in detailed:
            if run.get("checks"):
                lines += [""] + checks_lines(run)
            continue
        lines += [""] + kinds_table(run)
        if run.get("database"):
            lines += [""] + database_line(run)
        if run.get("cpu"):
            lines += [""] + cpu_line(run)
        if run.get("cache_entries"):
            lines += [""] + entries_line(run)
        if run.get("checks"):
            lines += [""] + checks_lines(run)
    return "\n".join(lines) + "\n"


def write_readme(report: str) -> None:
    text = README.read_text()
    if MARK_START not in text:
        raise SystemExit(f"bench/README.md has no {MARK_START} marker")
    before, rest = text.split(MARK_START, 1)
    after = rest.split(MARK_END, 1)[1] if MARK_END in rest else ""
    README.write_text(f"{before}{MARK_START}\n{report}{MARK_END}{after}")


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.mixed_report results/mixed-A.json results/mixed-B.json [--readme]`: one report
    of the runs of several invocations (each keeps its own load figures)."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--readme", action="store_true")
    parser.add_argument("--detail", help="per-kind tables only for these label:mode pairs, e.g. this:on,this:off")
    args = parser.parse_args(argv)
    detailed = {tuple(item.split(":", 1)) for item in args.detail.split(",")} if args.detail else None
    loaded = [json.loads(path.read_text()) for path in args.files]
    meta = dict(loaded[0]["meta"], started=" / ".join(d["meta"]["started"] for d in loaded))
    text = markdown(meta, [run for data in loaded for run in data["runs"]], detailed)
    print(text)
    if args.readme:
        write_readme(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
