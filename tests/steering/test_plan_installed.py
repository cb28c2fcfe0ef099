"""`plan` refuses a policy the installed packages cannot run, before anything loads, in one line."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from rewardbench.errors import ConfigError
from rewardbench.policies import POLICIES
from rewardbench.steering.harness import RunConfig, plan
from tests.conftest import write_tiny_task


@pytest.fixture()
def task_file(tmp_path: Path) -> Path:
    return write_tiny_task(tmp_path, "unused-model", policies=["reference", "trl-ppo", "trl-grpo", "trl-rloo"])


def _installed_trl(monkeypatch, version: str) -> None:
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: version if name == "trl" else real(name))


def test_trl_ppo_is_refused_on_a_trl_without_ppo_saying_why_and_what_to_install(task_file, monkeypatch):
    _installed_trl(monkeypatch, "1.16.0")
    with pytest.raises(ConfigError) as caught:
        plan(RunConfig(task=str(task_file), policies=("trl-ppo",)))
    message = str(caught.value)
    assert "\n" not in message
    assert "PPO left TRL in 1.13" in message and "TRL 1.16.0 is installed" in message
    assert "pip install 'trl>=1.12,<1.13'" in message
    for pid in ("trl-grpo", "trl-rloo"):  # the group trainers plan on the same TRL
        assert plan(RunConfig(task=str(task_file), policies=(pid,)))[1]


def test_trl_ppo_plans_on_trl_1_12(task_file, monkeypatch):
    _installed_trl(monkeypatch, "1.12.0")
    assert [s.policy for s in plan(RunConfig(task=str(task_file), policies=("trl-ppo",)))[1]] == ["trl-ppo"]


def test_a_policy_whose_extra_is_missing_names_the_extra(task_file, monkeypatch):
    import rewardbench.extras

    monkeypatch.setattr(rewardbench.extras.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match=r"'trl-grpo' needs trl, datasets: pip install 'rewardbench\[bench\]'"):
        plan(RunConfig(task=str(task_file), policies=("trl-grpo",)))
    assert POLICIES.get("reference").requires == ()
    assert plan(RunConfig(task=str(task_file), policies=("reference",)))[1]
