"""A missing optional dependency is one line naming the extra that installs it."""

from __future__ import annotations

import pytest

from rewardbench import extras
from rewardbench.errors import ConfigError


def test_optional_import_names_the_extra():
    assert extras.optional_import("json", "bench", "x").dumps([]) == "[]"
    with pytest.raises(ConfigError, match=r"^lora needs no_such_module_x: pip install 'rewardbench\[bench\]'$"):
        extras.optional_import("no_such_module_x.sub", "bench", "lora")


def test_require_extra_lists_what_is_missing(monkeypatch):
    monkeypatch.setitem(extras.EXTRAS, "serve", ("json", "no_such_module_y"))
    with pytest.raises(
        ConfigError, match=r"^rewardbench serve needs no_such_module_y: pip install 'rewardbench\[serve\]'$"
    ):
        extras.require_extra("serve", "rewardbench serve")
    monkeypatch.setitem(extras.EXTRAS, "serve", ("json",))
    extras.require_extra("serve", "rewardbench serve")
