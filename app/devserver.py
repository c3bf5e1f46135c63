"""`make run`: start the scheduler process beside the development web server, then print the URL and
the demo logins LAST, once both have started, so they are the last thing on the screen. The
scheduler's routine log lines go to instance/scheduler.log (warnings and errors still reach the
terminal); the web server's lines are passed through as they come."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from app.accounts.demo import DEMO_LOGINS, DEMO_PASSWORD
from app.scheduler.logfile import READY_LINE
from config import DEFAULT_INSTANCE_DIR, development_base_url

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "5000"))


def _wait_for_port(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.2)
    return False


def _wait_for_scheduler(log_file: Path, offset: int, process: subprocess.Popen, timeout: float) -> bool:
    """Until the scheduler writes, after `offset` of its log file, that its loop runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if log_file.exists():
            with log_file.open(encoding="utf-8", errors="replace") as handle:
                handle.seek(offset)
                if any(READY_LINE.search(line) for line in handle):
                    return True
        time.sleep(0.2)
    return False


class Relay:
    """Copies a child's output to our terminal line by line, under one lock shared with the banner,
    and notes when the web server says it is serving."""

    def __init__(self, lock: threading.Lock):
        self.lock, self.serving = lock, threading.Event()

    def follow(self, stream) -> threading.Thread:
        def copy():
            for line in iter(stream.readline, ""):
                with self.lock:
                    sys.stdout.write(line)
                    sys.stdout.flush()
                if "Running on" in line or "Press CTRL+C" in line:
                    self.serving.set()
        thread = threading.Thread(target=copy, daemon=True, name="relay")
        thread.start()
        return thread


def banner(url: str, log_file: Path) -> str:
    lines = ["", f"  Liaison is running at {url}/", "", f"  Demo logins (password {DEMO_PASSWORD}):"]
    lines += [f"    {role:<19} {email}" for email, role in DEMO_LOGINS]
    lines += ["", "  Emails are written to instance/mail/*.eml. The scheduler runs beside the web server;",
              f"  its log: {log_file} (warnings and errors also appear here).", "  Press Ctrl+C to stop.", ""]
    return "\n".join(lines)


def main() -> int:
    log_file = Path(os.environ.get("SCHEDULER_LOG_FILE") or DEFAULT_INSTANCE_DIR / "scheduler.log")
    log_file.parent.mkdir(parents=True, exist_ok=True)
    offset = log_file.stat().st_size if log_file.exists() else 0
    env = {**os.environ, "FLASK_APP": "wsgi", "SCHEDULER_LOG_FILE": str(log_file), "PYTHONUNBUFFERED": "1"}
    flask = [sys.executable, "-m", "flask"]
    lock = threading.Lock()
    relay = Relay(lock)
    scheduler = subprocess.Popen(flask + ["scheduler", "run"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
    relay.follow(scheduler.stdout)
    web = subprocess.Popen(flask + ["run", "--host", HOST, "--port", str(PORT)], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    relay.follow(web.stdout)
    _wait_for_port(HOST if HOST not in ("0.0.0.0", "::") else "127.0.0.1", PORT, timeout=30)
    relay.serving.wait(timeout=5)
    _wait_for_scheduler(log_file, offset, scheduler, timeout=30)
    with lock:
        print(banner(os.environ.get("BASE_URL") or development_base_url(), log_file), flush=True)
    try:
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in (web, scheduler):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":
    sys.exit(main())
