"""Every dashboard app is held to the contract keeping the V3 service out of the dashboard, a new one too."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.apps import apps

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
# The service and its client are the two parts of the project that are not the dashboard.
NOT_DASHBOARD = ("apps.v3", "apps.ctct")


def contract(name: str) -> dict[str, Any]:
    """The import-linter contract called ``name``."""
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    (found,) = [c for c in contracts if c["name"] == name]
    return dict(found)


def within(module: str, packages: list[str]) -> bool:
    """Whether ``module`` is one of ``packages`` or inside one."""
    return any(module == package or module.startswith(package + ".") for package in packages)


def dashboard_apps() -> list[str]:
    """The installed apps under ``apps.`` that are neither the V3 service nor its client."""
    names = [config.name for config in apps.get_app_configs() if config.name.startswith("apps.")]
    return [name for name in names if not within(name, list(NOT_DASHBOARD))]


def test_every_dashboard_app_is_forbidden_the_v3_service() -> None:
    forbidden = contract("Dashboard apps never import the V3 service")
    assert forbidden["forbidden_modules"] == ["apps.v3"]
    missing = [name for name in dashboard_apps() if not within(name, forbidden["source_modules"])]
    assert not missing, f"add {missing} to the contract's source_modules in pyproject.toml"


def test_the_dashboard_apps_found_are_the_known_ones() -> None:
    # The check above means something only if it sees the apps: these three at least.
    assert {"apps.accounts", "apps.contacts", "apps.jobs"} <= set(dashboard_apps())
