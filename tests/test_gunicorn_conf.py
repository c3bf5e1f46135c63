"""gunicorn.conf.py, which gunicorn reads by itself from the checkout: its worker hook is one gunicorn
calls, and it leaves the loaded application out of the garbage collector's walks."""

import subprocess
import sys
from pathlib import Path

from gunicorn.config import Config

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "gunicorn.conf.py"


def _loaded_config() -> Config:
    """The settings as gunicorn loads the file (gunicorn.app.base.Application.load_config_from_file)."""
    namespace = {"__file__": str(CONF), "__name__": "__config__"}
    exec(compile(CONF.read_text(), str(CONF), "exec"), namespace)  # noqa: S102 - gunicorn does the same
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_gunicorn_takes_the_worker_hook_from_the_file():
    config = _loaded_config()
    assert config.post_worker_init.__module__ == "__config__"  # ours, not gunicorn's default no-op


def test_a_worker_freezes_what_loading_the_application_made():
    script = (
        "import gc, runpy; from app import create_app; app = create_app(); "
        f"hook = runpy.run_path({str(CONF)!r})['post_worker_init']; "
        "before = gc.get_freeze_count(); hook(None); "
        "print(before, gc.get_freeze_count(), len(gc.get_objects()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LIAISON_ENV": "development", "DATABASE_URL": "sqlite://"},
        check=True,
    ).stdout.split()
    before, frozen, still_walked = map(int, out[-3:])
    assert before == 0
    assert frozen > 50_000  # the modules, mappers and templates' environment
    assert still_walked < frozen / 5
