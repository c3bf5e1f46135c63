"""Instructions per request of one kind of the mix, counted by callgrind: steady where CPU time on a
shared machine is not (issue 19: two runs of the same code differed by 30% in thread CPU).

    createdb -T liaison_bench liaison_copy   # a copy: the replay writes (registrations, agenda, lessons)
    valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no --callgrind-out-file=/tmp/ep.out \
        python -m bench.instructions --database-url postgresql://postgres@127.0.0.1:5432/liaison_copy \
        --kind event_page --warm 600 --count 500
    callgrind_annotate /tmp/ep.out | head -20     # "PROGRAM TOTALS" / the requests measured

The mix's seeded plan (bench.cache_replay.plan, with its writes) is replayed on two apps (two
workers, each its own cache); after `--warm` steps callgrind instruments the process and counts
only while a request of `--kind` is answered (the client's work included), so both the requests
that find the event page's entries and those that build them count, as often as the mix asks them.
Compare two checkouts on two fresh copies of the same dataset. Counting is switched by a tiny C
helper (valgrind's client requests; gcc and valgrind's headers needed), built on first use.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import tempfile

from bench.cache_replay import Replay, make_app, plan
from bench.mixed_people import load_population

_HELPER = r"""
#include <valgrind/callgrind.h>
void start(void) { CALLGRIND_START_INSTRUMENTATION; }
void toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
"""


def _helper() -> ctypes.CDLL:
    directory = os.path.join(tempfile.gettempdir(), "liaison-callgrind-helper")
    library = os.path.join(directory, "toggle.so")
    if not os.path.exists(library):
        os.makedirs(directory, exist_ok=True)
        source = os.path.join(directory, "toggle.c")
        with open(source, "w") as out:
            out.write(_HELPER)
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", library, source], check=True)
    return ctypes.CDLL(library)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--kind", default="event_page", help="an action of bench.mixed_traffic.MIX")
    parser.add_argument("--warm", type=int, default=600, help="steps replayed before counting")
    parser.add_argument("--count", type=int, default=500, help="steps replayed while counting --kind")
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args(argv)
    helper = _helper()
    population = load_population(args.database_url)
    replay = Replay([make_app(args.database_url, True) for _ in range(2)], population)
    steps = plan(population, args.warm + args.count, args.seed, True)
    for step in steps[: args.warm]:
        replay.step(*step)
    helper.start()
    measured = 0
    for step in steps[args.warm:]:
        if step[0] == args.kind:
            helper.toggle()
            replay.step(*step)
            helper.toggle()
            measured += 1
        else:
            replay.step(*step)
    print(f"{measured} requests of {args.kind} counted; statuses {dict(replay.statuses)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
