"""The core install beside the newest TRL: what it holds, what it refuses, and what says which extra to add."""

from __future__ import annotations

import importlib.metadata
import importlib.util

import pytest
from packaging.version import Version

from rewardbench.cli import main
from rewardbench.errors import ConfigError
from rewardbench.policies import POLICIES

HEAVY = ["pfrl", "gym", "spacy", "matplotlib", "peft", "sacrebleu", "rouge_score"]


def test_the_heavy_stack_is_absent_and_trl_is_newer_than_1_12():
    assert [m for m in HEAVY if importlib.util.find_spec(m)] == []
    assert Version(importlib.metadata.version("trl")) >= Version("1.13")


def test_trl_ppo_is_refused_in_one_line_and_the_group_trainers_are_not():
    with pytest.raises(
        ConfigError, match=r"needs TRL < 1\.13 \(PPO left TRL in 1\.13; TRL 1\.\d+\.\d+ is installed\)"
    ):
        POLICIES.get("trl-ppo").check_installed()
    for pid in ("trl-grpo", "trl-rloo"):
        POLICIES.get(pid).check_installed()


def test_core_verbs_work_and_a_bench_verb_names_the_extra(capsys):
    assert main(["list", "rewards"]) == 0
    assert main(["score", "--reward", "vader", "--target", "negative", "what a scam"]) == 0
    capsys.readouterr()
    assert main(["run", "--task", "dogecoin_negative"]) == 2
    assert "pip install 'rewardbench[bench]'" in capsys.readouterr().err
