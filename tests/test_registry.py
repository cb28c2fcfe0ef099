from __future__ import annotations

import pytest

from rewardbench.errors import UnknownIdError
from rewardbench.registry import Registry
from rewardbench.rewards import REWARDS, load_reward


def test_unknown_id_lists_close_matches():
    with pytest.raises(UnknownIdError, match=r"reward 'vadr' not found; did you mean 'vader'"):
        load_reward("vadr")


def test_unknown_id_without_match_lists_known_ids():
    with pytest.raises(UnknownIdError, match="known rewards: .*sentiment-minilm-tweets"):
        load_reward("zzzz")


def test_lazy_entries_are_imported_on_first_get():
    reg = Registry("thing", {"ordered-dict": "collections:OrderedDict"})
    assert isinstance(reg._entries["ordered-dict"], str)
    from collections import OrderedDict

    assert reg.get("ordered-dict") is OrderedDict
    assert reg._entries["ordered-dict"] is OrderedDict


def test_register_refuses_silent_overwrite():
    reg = Registry("thing", {"a": 1})
    with pytest.raises(ValueError, match="already registered"):
        reg.register("a", 2)
    reg.register("a", 2, overwrite=True)
    assert reg.get("a") == 2


def test_plugins_come_from_entry_points(monkeypatch):
    from importlib.metadata import EntryPoint

    import rewardbench.registry as registry_module

    def fake_entry_points(group):
        assert group == "test.plugins"
        return [EntryPoint("plugin-thing", "collections:Counter", group)]

    monkeypatch.setattr(registry_module, "entry_points", fake_entry_points)
    reg = Registry("thing", {}, entry_point_group="test.plugins")
    from collections import Counter

    assert reg.get("plugin-thing") is Counter
    assert reg.ids() == ["plugin-thing"]


def test_reward_ids_are_kebab_case():
    for rid in REWARDS.ids():
        assert rid == rid.lower() and " " not in rid and "_" not in rid, rid
