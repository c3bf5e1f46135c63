"""`make run`: start the scheduler process beside the development web server and print the logins."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "5000"))


def main() -> int:
    env = {**os.environ, "FLASK_APP": "wsgi"}
    flask = [sys.executable, "-m", "flask"]
    scheduler = None
    has_scheduler = subprocess.run(
        flask + ["scheduler", "--help"], env=env, capture_output=True
    ).returncode == 0
    if has_scheduler:
        scheduler = subprocess.Popen(flask + ["scheduler", "run"], env=env)
    from app.accounts.views import DEMO_LOGINS, DEMO_PASSWORD

    print("\n  Liaison is running at http://%s:%d/\n" % (HOST, PORT))
    print("  Demo logins (password %s):" % DEMO_PASSWORD)
    for email, role in DEMO_LOGINS:
        print(f"    {role:<12} {email}")
    print("\n  Emails are written to instance/mail/*.eml. Press Ctrl+C to stop.\n", flush=True)
    web = subprocess.Popen(flask + ["run", "--host", HOST, "--port", str(PORT)], env=env)
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
