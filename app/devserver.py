"""`make run`: start the scheduler process beside the development web server and print the logins."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from app.accounts.demo import DEMO_LOGINS, DEMO_PASSWORD

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "5000"))


def _wait_for_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)


def main() -> int:
    env = {**os.environ, "FLASK_APP": "wsgi"}
    flask = [sys.executable, "-m", "flask"]
    scheduler = subprocess.Popen(flask + ["scheduler", "run"], env=env)
    web = subprocess.Popen(flask + ["run", "--host", HOST, "--port", str(PORT)], env=env)
    _wait_for_port(HOST, PORT, timeout=30)
    banner = ["", f"  Liaison is running at http://{HOST}:{PORT}/", ""]
    banner.append(f"  Demo logins (password {DEMO_PASSWORD}):")
    banner += [f"    {role:<12} {email}" for email, role in DEMO_LOGINS]
    banner += ["", "  Emails are written to instance/mail/*.eml. The scheduler runs beside the web server.",
               "  Press Ctrl+C to stop.", ""]
    print("\n".join(banner), flush=True)
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
