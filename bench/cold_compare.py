"""Cold pages (every cache off) of two checkouts served side by side: today's code against another
(issue 19's before/after), one request at a time and at a small concurrency.

    python -m bench.cold_compare --before-root /work/wt/baseline \
        --before-url postgresql://postgres@127.0.0.1:5432/liaison_bench_base \
        --after-url postgresql://postgres@127.0.0.1:5432/liaison_bench

Each checkout is served by its own gunicorn (2 workers, CACHE_TYPE=NullCache,
REPORTS_CACHE_SECONDS=0), each on its database URL (the same database when the schema allows: the
migrations of issue 19 keep the code of 39982d4 working on a migrated one). The bench users sign in
to each; then every page is measured on A, B, B, A (`--seconds` per checkout, in two slices, at
concurrency 1 and `--concurrency`; `--rounds` times), so that the machine's drift during the run
weighs on both alike, and the slices are added up. Errors (anything but 200) are listed.

The "after" checkout answers with a Server-Timing header (SERVER_TIMING=1, app/cache/timing.py): the last
column is its own time per request (p50, from the header's `app;dur`), the figure the issue's "server time"
targets name; the header's SQL hooks cost the "after" side a little, never the "before" side.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

from bench import generate, loadgen, run

PAGES = ("event_page", "participants", "public_feed", "event_ics", "lessons_search", "personal_feed",
         "my_events", "events_list", "dashboard")
EVENT_ICS = run.PageSpec("event_ics", "Event .ics", "member", ("calendar.event_ics",),
                         args=lambda ctx: {"event_id": ctx.typical_event_id})


def _paths(app, ctx) -> dict[str, tuple[str, str, tuple]]:
    """page key -> (who, path, headers)."""
    specs = {s.key: s for s in [*run.PAGES, EVENT_ICS]}
    found = {}
    for key in PAGES:
        spec = specs[key]
        path = run.discover(app, spec, ctx)
        if path is None:
            continue
        if spec.refine is not None:
            client = run.test_client_for(app, {"member": generate.MEMBER_EMAIL}.get(spec.who))
            path = f"{path}?{urlencode(spec.refine(client.get(path).get_data(as_text=True)))}"
        found[key] = (spec.who, path, spec.headers)
    return found


def _serve(root: str, database_url: str, name: str) -> run.Server:
    run.ROOT = Path(root)
    timing = {"SERVER_TIMING": "1"} if name == "after" else None
    server = run.Server(database_url, run.free_port(), 2, run.RESULTS_DIR / f"gunicorn-cold-{name}.log",
                        extra_env=timing)
    server.wait_ready()
    return server


def _add(results: list[loadgen.Result]) -> dict:
    requests = sum(r.requests for r in results)
    seconds = sum(r.seconds for r in results)
    p50 = sorted(r.p50_ms or 0 for r in results)[len(results) // 2]
    server = sorted(ms for r in results for ms in r.server_ms)
    return {"rps": round(requests / seconds, 1) if seconds else 0.0, "p50": p50,
            "server_p50": round(loadgen.percentile(server, 0.50), 2) if server else "–",
            "p95": max(r.p95_ms or 0 for r in results), "errors": sum(r.errors for r in results)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before-root", required=True)
    parser.add_argument("--before-url", required=True)
    parser.add_argument("--after-root", default=str(run.ROOT))
    parser.add_argument("--after-url", default=os.environ.get("DATABASE_URL") or "")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1, help="A B B A this many times per page")
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args(argv)
    os.environ.update({"CACHE_TYPE": "NullCache", "REPORTS_CACHE_SECONDS": "0"})
    app = generate.make_app(args.after_url)
    ctx = run.load_context(app)
    wanted = set(args.pages.split(","))
    paths = {k: v for k, v in _paths(app, ctx).items() if k in wanted}
    servers = {"before": _serve(args.before_root, args.before_url, "before"),
               "after": _serve(args.after_root, args.after_url, "after")}
    samplers = {name: run.RssSampler(server) for name, server in servers.items()}
    for sampler in samplers.values():
        sampler.start()
    try:
        cookies = {}
        for name, server in servers.items():
            cookies[name] = {"anonymous": ""}
            for who, email in (("member", generate.MEMBER_EMAIL), ("organiser", generate.ORGANISER_EMAIL),
                               ("coordinator", generate.COORDINATOR_EMAIL)):
                cookies[name][who] = loadgen.sign_in(server.port, email, generate.BENCH_PASSWORD).cookie_header()
        load = [run.load_average()]
        print("| page | c | before req/s | after req/s | after/before | before p50 / p95 ms | after p50 / p95 ms "
              "| after server ms p50 |")
        print("|---|---:|---:|---:|---:|---|---|---:|")
        for key, (who, path, headers) in paths.items():
            for concurrency in (1, args.concurrency):
                measured = {"before": [], "after": []}
                for name in ("before", "after", "after", "before") * args.rounds:
                    request = loadgen.PreparedRequest("GET", path, cookie=cookies[name][who], headers=headers)
                    loadgen.run_python(servers[name].port, request, concurrency=concurrency, max_requests=3,
                                       max_seconds=5)  # warm
                    measured[name].append(loadgen.run_python(servers[name].port, request, concurrency=concurrency,
                                                             max_requests=100000, max_seconds=args.seconds / 2))
                b, a = _add(measured["before"]), _add(measured["after"])
                ratio = a["rps"] / b["rps"] if b["rps"] else 0
                errors = f" (errors {b['errors']}/{a['errors']})" if b["errors"] or a["errors"] else ""
                print(f"| {key} `{path[:40]}` | {concurrency} | {b['rps']} | {a['rps']} | {ratio:.2f}× | "
                      f"{b['p50']} / {b['p95']} | {a['p50']} / {a['p95']} | {a['server_p50']} |{errors}",
                      flush=True)
        load.append(run.load_average())
        print(f"\n1-min load average {load[0]} before, {load[1]} after")
        for name, sampler in samplers.items():
            sampler.stop()
            print(f"{name}: worker RSS max {sampler.max_mb()} MB")
    finally:
        for server in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
