"""WSGI entry point for the benchmark: the real application, plus /bench/ceiling when
LIAISON_BENCH_CEILING=1. Served by `gunicorn bench.wsgi_bench:app` (see bench/run.py)."""

import os

from app import create_app

app = create_app()

if os.environ.get("LIAISON_BENCH_CEILING") == "1":
    from bench.ceiling import bp as ceiling_bp

    app.register_blueprint(ceiling_bp)
