"""steering.metrics.train_reward: the block and the difference from the reference."""

from __future__ import annotations

import pytest

from rewardbench.steering.metrics import train_reward
from tests.steering.metrics.helpers import context, run


def test_block_keeps_every_value():
    block = train_reward.compute(context(["p"], [(0, "a", 1), (0, "b", 1)], [0.25, 0.75]))["train_reward"]
    assert block["mean"] == 0.5 and block["values"] == [0.25, 0.75] and block["n"] == 2


def test_delta_is_paired_by_seed_across_seeds():
    refs = [run("reference", 0, train=[0.0, 0.2]), run("reference", 1, train=[0.4, 0.4])]
    group = [run("trl-ppo", 0, train=[1.0, 1.2]), run("trl-ppo", 1, train=[1.4, 1.4])]
    mean, lo, hi = train_reward.reward_delta(group, refs)
    assert mean == pytest.approx(1.0) and lo == pytest.approx(1.0) and hi == pytest.approx(1.0)  # same diff both seeds


def test_delta_of_the_reference_itself_and_without_a_reference():
    ref = [run("reference", 0, train=[0.0])]
    assert train_reward.reward_delta(ref, ref) is None
    assert train_reward.reward_delta([run("trl-ppo", 0, train=[1.0])], []) is None


def test_columns_write_mean_interval_and_signed_delta():
    reward, delta = train_reward.columns([])
    assert (reward.title, delta.title) == ("train reward ↑", "Δ vs reference ↑")
    group, refs = [run("trl-ppo", 0, train=[1.0, 1.0])], [run("reference", 0, train=[0.5, 0.5])]
    assert reward.cell(group, refs) == "1.000 [0.900, 1.100]"
    assert delta.cell(group, refs) == "+0.500 [+0.500, +0.500]"
    assert delta.cell(refs, refs) == "-"
