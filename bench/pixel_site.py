"""bench_pixel.py's server settings: the project's, routed through ``bench/pixel_urls.py`` (a bare view beside them)."""

from __future__ import annotations

from ctctdash.settings.test import *  # noqa: F403 - the project's settings, as the tests run them

ROOT_URLCONF = "bench.pixel_urls"

# As deployed (ctctdash/settings/production.py): persistent database connections. The test settings
# open one per request, which would measure PostgreSQL's connection set-up, not the pixel.
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
