"""The device type of an open or a click, as the reports count them (``em_opens_all_computer`` ...)."""

from __future__ import annotations

from functools import lru_cache

import ua_parser

COMPUTER = "computer"
MOBILE = "mobile"
TABLET = "tablet"
OTHER = "other"
NONE = "none"  # no User-Agent: the device was not captured

_DESKTOP_SYSTEMS = frozenset({"Windows", "Mac OS X", "Linux", "Ubuntu", "Fedora", "Chrome OS", "FreeBSD", "Debian"})
_MOBILE_SYSTEMS = frozenset({"iOS", "Android", "Windows Phone", "BlackBerry OS", "Symbian OS", "KaiOS"})


@lru_cache(maxsize=2048)
def device_type(user_agent: str) -> str:
    """``computer``, ``mobile``, ``tablet``, ``other`` (consoles, bots, tools) or ``none`` (no User-Agent).

    Cached: mail is opened from a few dozen clients, and parsing takes about a millisecond.
    """
    if not user_agent.strip():
        return NONE
    system = ua_parser.parse_os(user_agent)
    device = ua_parser.parse_device(user_agent)
    system_family = system.family if system else ""
    device_family = device.family if device else ""
    lowered = user_agent.lower()
    if device_family == "iPad" or "tablet" in lowered or "kindle" in lowered or "silk/" in lowered:
        return TABLET
    # Android phones say "Mobile"; Android tablets' browsers leave it out.
    if system_family == "Android" and "mobile" not in lowered:
        return TABLET
    if system_family in _MOBILE_SYSTEMS or device_family == "iPhone":
        return MOBILE
    if system_family in _DESKTOP_SYSTEMS:
        return COMPUTER
    return OTHER
