"""The committed facts-only spec is exactly what the derivation script makes from shared/spec."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from openapi_spec_validator import validate

from apps.v3.contract.spec import SPEC_PATH, load_spec, operations
from scripts.derive_spec import SOURCE, derive, render


def test_committed_copy_matches_a_fresh_derivation() -> None:
    assert SOURCE.exists(), f"the shared spec is expected at {SOURCE}"
    fresh = render(derive(yaml.safe_load(SOURCE.read_text(encoding="utf-8"))))
    assert SPEC_PATH.read_text(encoding="utf-8") == fresh, "run `make spec` and commit the result"


def test_copy_is_valid_swagger_and_keeps_the_facts() -> None:
    spec = load_spec()
    validate(spec)
    assert len(operations()) == 120
    contacts_get = spec["paths"]["/contacts"]["get"]
    limit = next(p for p in contacts_get["parameters"] if p["name"] == "limit")
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 500, 50)
    assert contacts_get["x-authorization-privileges"] == ["contacts:read"]
    assert "ContactResource" in spec["definitions"]
    assert spec["info"] == {"title": "AppConnect V3", "version": "3.0.149"}


def test_copy_holds_no_prose() -> None:
    def walk(node: object, parent: str | None = None) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if parent not in {"properties", "info"}:
                    assert key not in {"summary", "example", "x-example", "title"}, key
                    if key == "description":
                        assert value == "", value
                walk(value, key)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(Path(SPEC_PATH).read_text(encoding="utf-8")))
