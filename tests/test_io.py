"""rewardbench.io: the schema checker's messages name the file and the dotted key."""

from __future__ import annotations

from typing import Any, TypedDict

import pytest

from rewardbench.errors import ConfigError
from rewardbench.io import check_schema, read_json


class Inner(TypedDict):
    x: float
    tags: list[str]


class _OuterRequired(TypedDict):
    name: str
    inner: Inner
    by_key: dict[str, int]
    maybe: Inner | None


class Outer(_OuterRequired, total=False):
    extra: Any


GOOD = {"name": "a", "inner": {"x": 1, "tags": ["t"]}, "by_key": {"k": 2}, "maybe": None}


@pytest.mark.parametrize(
    "doc, message",
    [
        ({**GOOD, "name": 3}, "f.json: name: expected a string, got 3"),
        ({k: v for k, v in GOOD.items() if k != "inner"}, "f.json: inner: required key is missing"),
        ({**GOOD, "inner": {"x": "1", "tags": []}}, "f.json: inner.x: expected a number, got '1'"),
        ({**GOOD, "inner": {"x": True, "tags": []}}, "f.json: inner.x: expected a number, got True"),
        ({**GOOD, "inner": {"x": 1.0, "tags": ["a", 2]}}, r"f.json: inner.tags\[1\]: expected a string, got 2"),
        ({**GOOD, "by_key": {"k": 1.5}}, "f.json: by_key.k: expected an integer, got 1.5"),
        ({**GOOD, "maybe": {"x": 1.0}}, "f.json: maybe.tags: required key is missing"),
        ([], r"f.json:: expected a mapping, got \[\]"),
    ],
)
def test_schema_errors_name_the_key(doc, message):
    with pytest.raises(ConfigError, match=message):
        check_schema(doc, Outer, "f.json:")


@pytest.mark.parametrize(
    "doc",
    [
        GOOD,
        {**GOOD, "extra": {"anything": [1, None]}, "unknown_key": 1},  # keys a schema does not describe are allowed
        {**GOOD, "maybe": {"x": 0.5, "tags": ()}},  # a tuple is written as a JSON list
    ],
)
def test_schema_accepts_valid_documents(doc):
    check_schema(doc, Outer, "f.json:")


def test_read_json_names_a_broken_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="broken.json is not valid JSON"):
        read_json(path)
    with pytest.raises(ConfigError, match="cannot read"):
        read_json(tmp_path / "missing.json")
