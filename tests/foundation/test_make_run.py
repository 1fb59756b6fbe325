"""``make run``'s console, as a person reads it: summaries, no routine noise, a clean Ctrl-C.

``scripts/run_all.py`` (what ``make run`` runs) is started on a free port in a throwaway ``var/``
with the embedded defaults (SQLite, the file broker), read until it says where the product is,
then stopped the way Ctrl-C stops it: SIGINT to its whole process group.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from .support import ROOT

READY = "ctctdash is running at "
# Stands in for a person waiting at the terminal: start-up migrates a fresh database first.
START_SECONDS = 120
STOP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_console_says_where_the_product_is_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="ctctdash.settings.local", CTCTDASH_VAR_DIR=str(tmp_path / "var"), PORT=str(port))
    env.pop("CTCTDASH_SITE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "scripts/run_all.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job is
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if READY in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(START_SECONDS), "".join(lines)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends
        code = process.wait(STOP_SECONDS)
        reader.join(STOP_SECONDS)
    console = "".join(lines)
    assert code == 0, console
    assert f"{READY}http://127.0.0.1:{port}/ — sign in as demo / " in console
    assert "[run] database: " in console and "migrations applied" in console
    assert "Applying " not in console  # one summary, not a line per migration
    assert "superuser privileges" not in console
    assert "No hostname was supplied" not in console
    assert "Starting development server" not in console
    assert "signal 15" not in console and "ERROR" not in console and "Traceback" not in console
    assert console.rstrip().endswith("[run] stopped"), console
