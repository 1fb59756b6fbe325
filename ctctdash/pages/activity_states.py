"""A bulk activity's state (the API's ``state`` word) in the words every page shows it in."""

from __future__ import annotations

__all__ = ["FINISHED_STATES", "STATE_LABELS", "state_label"]

# The activity states after which nothing changes any more (the spec's enum without "processing";
# "initialized" is the state of an activity not yet picked up).
FINISHED_STATES = frozenset({"completed", "failed", "cancelled", "timed_out"})
STATE_LABELS = {
    "initialized": "Queued",
    "processing": "Running",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "timed_out": "Timed out",
}


def state_label(state: str) -> str:
    """An activity state in words (an unknown one as the API spells it)."""
    return STATE_LABELS.get(state, state.replace("_", " ").capitalize())
