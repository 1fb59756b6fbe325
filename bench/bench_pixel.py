#!/usr/bin/env python
"""Open pixel under load: requests/s and latency through gunicorn and wrk, beside a bare view.

Seeds one campaign activity and its recipients in a throwaway database next to DATABASE_URL's,
renders a copy to get real signed pixel URLs, then serves the project with gunicorn (2 workers x 4
threads: the machine's two cores) and runs ``wrk -c16`` first against a bare Django view behind the
same middleware on the same server (``bench/pixel_site.py``, ``bench/pixel_urls.py``), then
against the pixel. Each pixel load inserts an open row; the table prints both rates, their ratio
(target >= 0.7) and p50s, and the rows written beside the requests wrk counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/bench_pixel.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctctdash.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from apps.v3.account.models import Account  # noqa: E402
from apps.v3.campaigns.models import (  # noqa: E402
    ActivityRole,
    CampaignActivity,
    EmailCampaign,
    EventKind,
    TrackingEvent,
)
from apps.v3.campaigns.rendering.copy import Renderer  # noqa: E402
from apps.v3.contacts.models import Contact  # noqa: E402

MOBILE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"


def pixel_paths(recipients: int) -> list[str]:
    """Signed pixel paths of ``recipients`` contacts' copies (wrk cycles through them)."""
    account = Account.objects.create(organization_name="Bench")
    campaign = EmailCampaign.objects.create(account=account, name="Bench")
    activity = CampaignActivity.objects.create(
        campaign=campaign, role=ActivityRole.PRIMARY_EMAIL, subject="Hi", html_content="<p>Hi</p>[[trackingImage]]"
    )
    Contact.objects.bulk_create(
        Contact(account=account, email_address=f"p{i}@example.com", first_name=f"P{i}") for i in range(recipients)
    )
    copies = Renderer(activity).copies(list(Contact.objects.filter(account=account).order_by("pk")))
    paths = [re.search(r'/m/o/[^"]+', copy.html) for copy in copies]
    return [found.group() for found in paths if found]


def serve(database_name: str, port: int) -> subprocess.Popen[bytes]:
    """gunicorn on the bench database with the bench site's settings (the project plus a bare view)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.pixel_site", PORT=str(port))
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{database_name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{database_name}"
    command = [str(ROOT / ".venv/bin/gunicorn"), "ctctdash.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"]
    command += ["--threads", "4", "--access-logfile", "/dev/null"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/bare", timeout=5).status_code == 200:
                return server
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)  # still starting: poll until it answers or the deadline passes
    server.kill()
    raise SystemExit("gunicorn did not start")


# wrk's Lua: cycle through the recipients' pixel paths, with a phone's User-Agent.
LUA = """
paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["User-Agent"] = "%s"})
end
"""


def wrk(url: str, seconds: float, connections: int, script: Path | None = None) -> tuple[float, float, int]:
    """requests/s, p50 in ms and the request count of one wrk run against ``url``."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    count = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} failed responses\n{out}")
    return rate, float(p50) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    setup_test_environment()
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(Path(settings.VAR_DIR) / "bench-pixel.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        paths = pixel_paths(args.recipients)
        listing = Path(settings.VAR_DIR) / "bench-pixel-paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        script = Path(settings.VAR_DIR) / "bench-pixel.lua"
        script.write_text(LUA % (listing, MOBILE))
        connection.close()  # the server's workers open their own connections
        server = serve(str(connection.settings_dict["NAME"]), args.port)
        try:
            base = f"http://127.0.0.1:{args.port}"
            wrk(f"{base}/bare", 2, args.connections)  # warm both workers' code paths and connections
            wrk(base, 2, args.connections, script)
            before = TrackingEvent.objects.filter(kind=EventKind.OPEN).count()
            bare_rate, bare_p50, _ = wrk(f"{base}/bare", args.seconds, args.connections)
            pixel_rate, pixel_p50, pixel_count = wrk(base, args.seconds, args.connections, script)
            written = TrackingEvent.objects.filter(kind=EventKind.OPEN).count() - before
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(
            f"\n{connection.vendor}: gunicorn 2 workers x 4 threads, "
            f"wrk -c{args.connections} for {args.seconds:g} s each"
        )
        print(f"{'view':<12} {'req/s':>10} {'p50 ms':>8}")
        print(f"{'bare':<12} {bare_rate:>10,.0f} {bare_p50:>8.2f}")
        print(f"{'open pixel':<12} {pixel_rate:>10,.0f} {pixel_p50:>8.2f}")
        print(f"pixel / bare: {pixel_rate / bare_rate:.2f}  (target >= 0.70)")
        # wrk counts completed requests; a few in flight at its stop may land too.
        print(f"open rows written: {written:,} for {pixel_count:,} requests wrk completed")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
