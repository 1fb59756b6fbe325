"""``{{ value|when }}``: the dashboard's one way of showing a moment."""

from __future__ import annotations

import datetime as dt

from django.template import engines
from django.test import override_settings


def render(source: str, **context: object) -> str:
    """``source`` rendered with the ``dates`` library loaded."""
    return engines["django"].from_string("{% load dates %}" + source).render(context)


def test_a_datetime_a_string_and_nothing() -> None:
    moment = dt.datetime(2026, 12, 2, 21, 22, 5, tzinfo=dt.UTC)
    expected = '<time datetime="2026-12-02T21:22:05+00:00">Dec 2, 2026, 21:22</time>'
    assert render("{{ m|when }}", m=moment) == expected
    assert render("{{ m|when }}", m="2026-12-02T21:22:05Z") == expected
    assert render('{{ m|when:"day" }}', m=moment) == '<time datetime="2026-12-02T21:22:05+00:00">Dec 2, 2026</time>'
    assert render("{{ m|when_text }}", m=moment) == "Dec 2, 2026, 21:22"
    assert render("{{ m|when }}|{{ m|when_text }}", m=None) == "|"
    assert render("{{ m|when }}", m="not a date") == ""
    assert render("{{ m|when }}", m=dt.date(2026, 5, 4)) == '<time datetime="2026-05-04">May 4, 2026</time>'


@override_settings(TIME_ZONE="America/New_York")
def test_shown_in_the_sites_time_zone_with_the_exact_value_kept() -> None:
    moment = dt.datetime(2026, 12, 2, 1, 30, tzinfo=dt.UTC)
    assert render("{{ m|when }}", m=moment) == '<time datetime="2026-12-01T20:30:00-05:00">Dec 1, 2026, 20:30</time>'
