"""Settings gunicorn reads by itself from the directory it is started in (`gunicorn wsgi:app` from the
checkout, as the README and bench/ run it); command-line options still win.

A worker's garbage collector: once the application is loaded, what loading it made (modules,
classes, SQLAlchemy's mappers, Jinja's environment: ~250,000 objects) never becomes garbage, yet a
full collection walked it all. In an in-process replay of the mix (bench.cache_replay's plan, 12,000
requests) the one full collection took 241 ms (26 ms once frozen: the caches' objects are left to
walk) and the collector 1.2% of the CPU against 0.8%. `gc.freeze` moves them out of the collector's
sight; everything made afterwards (cached pages, per-request objects) is collected as before."""

import gc


def post_worker_init(worker):
    gc.collect()
    gc.freeze()
