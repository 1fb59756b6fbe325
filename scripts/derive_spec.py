#!/usr/bin/env python
"""Derive the project's facts-only copy of the V3 spec from ../shared/spec/.

Kept: names, types, formats, enums, limits, required, defaults, security, operation ids,
``x-authorization-privileges``. Dropped: descriptions, summaries, titles, examples and other
prose. Swagger 2.0 requires a description on every response, so those become empty strings.

Usage: python scripts/derive_spec.py [SOURCE.yml] [DEST.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "spec" / "constant-contact-v3-openapi.yml"
DEST = ROOT / "apps" / "v3" / "contract" / "v3-facts.json"

PROSE_KEYS = {"description", "summary", "title", "example", "examples", "x-example", "externalDocs"}
KEPT_EXTENSIONS = {"x-authorization-privileges", "x-sdk-methodName", "x-nullable"}
# Inside these mappings the keys are names chosen by the spec (a property called
# "description", a definition called "Example"), never prose.
NAMED_MAPPINGS = {"properties", "definitions", "paths", "responses", "securityDefinitions", "parameters", "scopes"}


def strip(node: Any, parent_key: str | None = None) -> Any:
    """Return ``node`` without prose; keys of named mappings are kept as names."""
    if isinstance(node, list):
        return [strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    if parent_key in NAMED_MAPPINGS:
        return {key: strip(value, key if parent_key == "paths" else None) for key, value in node.items()}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in PROSE_KEYS:
            continue
        if key.startswith("x-") and key not in KEPT_EXTENSIONS:
            continue
        if parent_key == "scopes":
            continue
        out[key] = strip(value, key)
    return out


def derive(spec: dict[str, Any]) -> dict[str, Any]:
    """The facts-only copy of ``spec``."""
    facts = strip(spec)
    facts["info"] = {"title": spec["info"]["title"], "version": spec["info"]["version"]}
    facts["tags"] = [{"name": tag["name"]} for tag in spec.get("tags", [])]
    for definition in facts.get("securityDefinitions", {}).values():
        # Scope names are facts; what they are for is prose.
        if "scopes" in definition:
            definition["scopes"] = {name: "" for name in definition["scopes"]}
    for response in _responses(facts):
        response["description"] = ""
    return facts


def _responses(facts: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(facts.get("responses", {}).values())
    for item in facts["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                found.extend(operation["responses"].values())
    return found


def render(facts: dict[str, Any]) -> str:
    """Serialise stably, so the committed copy diffs cleanly."""
    return json.dumps(facts, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else SOURCE
    dest = Path(argv[2]) if len(argv) > 2 else DEST
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    dest.write_text(render(derive(spec)), encoding="utf-8")
    print(f"wrote {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
