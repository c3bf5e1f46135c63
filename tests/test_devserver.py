"""`make run` (app/devserver.py, issue 23): the URL and the demo logins come LAST, after the web server and the
scheduler have started; the scheduler's routine lines go to a log file under the instance folder, not the terminal."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(tmp_path: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"BASE_URL", "SCHEDULER_LOG_FILE", "LIAISON_ENV", "FLASK_DEBUG"}}
    env.update({"LIAISON_ENV": "development", "LIAISON_INSTANCE_DIR": str(tmp_path), "HOST": "127.0.0.1",
                "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'liaison.db'}",
                "MAIL_FILE_DIR": str(tmp_path / "mail"), "FLASK_APP": "wsgi", "LIAISON_DEMO": "1"})
    return env


def test_make_run_prints_its_banner_last_and_keeps_scheduler_lines_in_a_file(tmp_path):
    port = _free_port()
    env = _environment(tmp_path, port)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    server = subprocess.Popen([sys.executable, "-m", "app.devserver"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[tuple[float, str]] = []
    threading.Thread(target=lambda: [lines.append((time.monotonic(), line)) for line in server.stdout],
                     daemon=True).start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not any("Press Ctrl+C to stop." in line for _t, line in lines):
            assert server.poll() is None, "".join(line for _t, line in lines)
            time.sleep(0.2)
        time.sleep(2)  # anything the scheduler or the web server would still say at start-up
        output = [line for _t, line in lines]
        text = "".join(output)
        assert "Press Ctrl+C to stop." in text, text
        start = next(i for i, line in enumerate(output) if "Liaison is running at" in line)
        before, after = "".join(output[:start]), "".join(output[start:])
        # Both had started when the banner came: the web server said so, the scheduler's loop runs.
        assert "Running on" in before
        log = (tmp_path / "scheduler.log").read_text()
        assert "running (active)" in log and "is now ACTIVE" in log
        # The banner is what the terminal ends with: its own lines, nothing after its last one.
        assert f"Liaison is running at http://127.0.0.1:{port}/" in after
        assert "coordinator@liaison.example" in after
        assert after.rstrip().endswith("Press Ctrl+C to stop."), after
        # The scheduler's routine lines are in its file, not on the terminal.
        assert "is now ACTIVE" not in text and "apscheduler" not in text.lower()
        assert "INFO" in log
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
