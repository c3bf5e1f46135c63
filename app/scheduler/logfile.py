"""Where a scheduler process writes its log: with SCHEDULER_LOG_FILE set (`make run` sets
instance/scheduler.log), routine lines (INFO: jobs run, lease taken) go to that file and only warnings
and errors reach the terminal, so the terminal keeps what needs a person's attention."""

from __future__ import annotations

import logging
import re
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Logged once the scheduler's loop runs: `make run` (app/devserver.py) waits for it before its banner.
READY_MESSAGE = "scheduler %s running (%s)"
READY_LINE = re.compile(r"liaison\.scheduler: scheduler .+ running \(")


def send_routine_lines_to(path: str) -> logging.Handler | None:
    """INFO and above to `path` (appended); the terminal's handlers keep WARNING and above."""
    if not path:
        return None
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.WARNING)
    if not any(isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
               for h in root.handlers):
        terminal = logging.StreamHandler()
        terminal.setLevel(logging.WARNING)
        terminal.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(terminal)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setLevel(logging.INFO)
    to_file.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(to_file)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return to_file
