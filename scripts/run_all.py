#!/usr/bin/env python
"""``make run``: prepare the database and the demo, then run the web server and a Celery worker.

One foreground command whose console a person can read: routine start-up output becomes one
summary line each (migrations, the demo account), the servers' banners are left out, warnings
and errors still show, and the last start-up line says where the product is and how to sign in.
Ctrl-C (or SIGTERM) stops both children cleanly; if either exits, the other is stopped too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import IO

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Lines of runserver's start-up banner: routine, and the summary line says the same.
BANNER = (
    "Performing system checks",
    "System check identified no issues",
    "Django version ",
    "Starting development server at ",
    "Quit the server with ",
    "WARNING: This is a development server.",
    "For more information on production servers",
)
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def say(message: str) -> None:
    """One line of this script's own, marked so it stands out from the servers' lines."""
    print(f"[run] {message}", flush=True)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``manage.py`` with ``args``, its output captured (printed by the caller only if it failed)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate and create the demo; the demo's credentials. Exits, showing the output, if either fails."""
    for args in (("migrate", "--noinput"), ("bootstrap_demo", "--json")):
        result = manage(*args, env=env)
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            say(f"manage.py {args[0]} failed (exit {result.returncode}); see above")
            raise SystemExit(result.returncode)
        if args[0] == "migrate":
            applied = result.stdout.count("Applying ")
            say(f"database: {applied} migrations applied" if applied else "database: up to date")
    demo: dict[str, str] = json.loads(result.stdout)
    say(f"demo account {demo['account_id']} ready (manage.py bootstrap_demo --json prints every credential)")
    return demo


def relay(stream: IO[str], out: IO[str]) -> None:
    """Copy a child's output line by line, leaving out the start-up banner."""
    for line in stream:
        if line.strip() and not line.lstrip().startswith(BANNER) and not _is_date_line(line):
            out.write(line)
            out.flush()


def _is_date_line(line: str) -> bool:
    # runserver's banner opens with the date, e.g. "December 02, 2026 - 19:25:25".
    head = line.strip()
    return " - " in head and head[:3].isalpha() and head.rsplit(" - ", 1)[-1].count(":") == 2 and len(head) < 40


def wait_until_answering(url: str, children: dict[str, subprocess.Popen[str]]) -> bool:
    """Poll the web server until it answers (any status); False if a child exits or time runs out."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children.values()):
            return False
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own loopback server
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.2)  # polling interval while the server starts
    return False


def main() -> int:
    """Run until Ctrl-C; the exit code of the child that failed, or 0."""
    port = os.environ.get("PORT", "8000")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "ctctdash.settings.local")}
    env["PYTHONUNBUFFERED"] = "1"
    # The worker runs as whoever runs `make run` (root in a container): celery's warning about it
    # repeats at every start and says nothing a developer can act on here.
    env["PYTHONWARNINGS"] = "ignore:You're running the worker with superuser privileges"
    demo = prepare(env)
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        # WARNING: the per-task and per-beat INFO lines (one a minute for the stale-activity sweep)
        # are routine; problems still show. -q leaves out the banner.
        "worker": [sys.executable, "-m", "celery", "-q", "-A", "ctctdash", "worker", "--loglevel", "WARNING"]
        + ["--concurrency", "2", "-B"],
    }
    # Each child in a session of its own: Ctrl-C reaches only this script, which then stops them
    # in order (a worker whose pool processes all got SIGINT logs their deaths as errors).
    children = {
        name: subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        for name, cmd in commands.items()
    }
    for child in children.values():
        assert child.stdout is not None
        threading.Thread(target=relay, args=(child.stdout, sys.stdout), daemon=True).start()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if wait_until_answering(f"http://127.0.0.1:{port}/", children):
        say(
            f"ctctdash is running at {demo['dashboard_url']} — sign in as {demo['username']} / {demo['password']}."
            " Ctrl-C stops it."
        )
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            code = child.poll()
            if code is not None:
                say(f"{name} exited with {code}; stopping the rest")
                exit_code = code or 1
                stopping = True
        time.sleep(0.2)  # supervising loop, not synchronisation
    say("stopping…")
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)  # celery: warm shutdown; runserver: exits
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    say("stopped")
    return exit_code


if __name__ == "__main__":
    raise SystemExit(main())
