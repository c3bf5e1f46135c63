"""A real Dovecot IMAP server (Debian's dovecot-imapd) for the calendar-reply tests: started as a
foreground process in a temporary folder with a generated configuration, on a free port of
127.0.0.1, plain-text login (no TLS), any user name with the password "secret", Maildir storage."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PASSWORD = "secret"
BINARY = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accounts() -> dict:
    """Who Dovecot's processes run as: root may not run its login processes nor own mail, so as
    root the package's own users (dovenull, dovecot) are used; anyone else runs it all as themself."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return {"login_user": me.pw_name, "internal_user": me.pw_name, "internal_group": me.pw_name,
                "mail_uid": me.pw_uid, "mail_gid": me.pw_gid}
    mail = pwd.getpwnam("dovecot")
    return {"login_user": "dovenull", "internal_user": "dovecot", "internal_group": "dovecot",
            "mail_uid": mail.pw_uid, "mail_gid": mail.pw_gid}


class Dovecot:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="liaison-dovecot-"))
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        accounts = _accounts()
        os.chmod(self.root, 0o755)
        for name in ("run", "state", "mail", "home"):
            (self.root / name).mkdir()
        for name in ("mail", "home"):
            os.chown(self.root / name, accounts["mail_uid"], accounts["mail_gid"])
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(root=self.root, port=self.port, password=PASSWORD, **accounts))
        self.process = subprocess.Popen([BINARY, "-F", "-c", str(config)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # bounded wait for the listener, not a fixed sleep
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stdout.read().decode()} {self.log()}")
            try:
                imaplib.IMAP4("127.0.0.1", self.port, timeout=2).logout()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def connect(self, user: str) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(user, PASSWORD)
        return imap

    def deliver(self, user: str, raw: bytes) -> None:
        """Put a message in the user's INBOX, unseen (as the mail server would on delivery)."""
        imap = self.connect(user)
        try:
            status, data = imap.append("INBOX", None, None, raw)
            assert status == "OK", data
        finally:
            imap.logout()

    def flags(self, user: str) -> list[str]:
        """The flags of each message in the user's INBOX, in order."""
        imap = self.connect(user)
        try:
            imap.select("INBOX")
            status, data = imap.fetch("1:*", "(FLAGS)")
            return [item.decode() for item in data if item]
        finally:
            imap.logout()
