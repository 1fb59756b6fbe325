"""``{% load dates %}``: the one way dashboard pages show a moment, ``{{ value|when }}``.

Every page says a date and time the same way ("Dec 2, 2026, 21:22", in the site's time zone) inside
a ``<time>`` element whose ``datetime`` is the exact ISO 8601 value, so assistive technology and
scripts read the moment itself. A value may be a datetime, a date, or an ISO string as the API
sends it; nothing readable renders nothing. Registered in ``TEMPLATES["OPTIONS"]["libraries"]``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

__all__ = ["DATETIME_FORMAT", "DAY_FORMAT", "when", "when_text"]

register = template.Library()

# The dashboard's one format (Django's date-format characters); a day alone is its first part.
DATETIME_FORMAT = "M j, Y, H:i"
DAY_FORMAT = "M j, Y"


def _moment(value: Any) -> date | None:
    """``value`` as a datetime in the current time zone (or a date), None when it is none."""
    if isinstance(value, str):
        value = parse_datetime(value) or parse_date(value)
    if isinstance(value, datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value if isinstance(value, date) else None


def when_text(value: Any, day: str = "") -> str:
    """The moment in the dashboard's format as plain text (for attributes and labels); "" when none."""
    moment = _moment(value)
    if moment is None:
        return ""
    whole_day = bool(day) or not isinstance(moment, datetime)
    return date_format(moment, DAY_FORMAT if whole_day else DATETIME_FORMAT)


def when(value: Any, day: str = "") -> SafeString:
    """The moment as ``<time datetime="ISO">Dec 2, 2026, 21:22</time>``; ``|when:"day"`` shows the day only."""
    moment = _moment(value)
    if moment is None:
        return SafeString("")
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), when_text(moment, day))


register.filter("when", when, is_safe=True)
register.filter("when_text", when_text)
