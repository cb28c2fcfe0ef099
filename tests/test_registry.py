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


def test_lazy_entries_are_imported_on_first_get_only(monkeypatch):
    import rewardbench.registry as registry_module

    imported = []
    real = registry_module.import_object
    monkeypatch.setattr(registry_module, "import_object", lambda path: imported.append(path) or real(path))
    reg = Registry("thing", {"ordered-dict": "collections:OrderedDict"})
    assert "ordered-dict" in reg and reg.ids() == ["ordered-dict"] and imported == []
    from collections import OrderedDict

    assert reg.get("ordered-dict") is OrderedDict and reg.get("ordered-dict") is OrderedDict
    assert imported == ["collections:OrderedDict"]


def test_in_order_keeps_registration_order_while_ids_sort():
    reg = Registry("thing", {"zeta": 1, "alpha": 2})
    reg.register("mid", 3)
    assert reg.in_order() == ["zeta", "alpha", "mid"]
    assert reg.ids() == ["alpha", "mid", "zeta"]


def test_override_replaces_then_restores_or_removes():
    reg = Registry("thing", {"a": 1})
    with reg.override("a", 10), reg.override("b", 20):
        assert reg.get("a") == 10 and reg.get("b") == 20
    assert reg.get("a") == 1 and "b" not in reg
    with pytest.raises(RuntimeError), reg.override("a", 30):
        raise RuntimeError("restored even when the block fails")
    assert reg.get("a") == 1


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
