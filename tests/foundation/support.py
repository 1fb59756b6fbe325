"""Helpers for the foundation tests: the repository, its documented environment, and Python
in a fresh process.

Settings are read once per process, so a test that starts Django under other variables does it
in a subprocess with exactly the environment it names, leaving the test process alone.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "docker" / ".env.example"


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run this virtualenv's Python with ``args`` from the repository root under exactly ``env``."""
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def documented_variables() -> set[str]:
    """Every variable docker/.env.example lists, set or commented out as optional."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))


def required_variables() -> list[str]:
    """The variables docker/.env.example marks "Required.", in the order it lists them."""
    required, marked = [], False
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.startswith("#"):
            marked = marked or line.startswith("# Required.")
        elif "=" in line:
            if marked:
                required.append(line.split("=", 1)[0])
            marked = False
    return required
