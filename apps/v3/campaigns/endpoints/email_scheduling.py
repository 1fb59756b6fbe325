"""Email Scheduling: schedule and unschedule an activity, its send history, test sends and previews."""

from __future__ import annotations
