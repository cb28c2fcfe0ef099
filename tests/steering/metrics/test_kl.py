"""steering.metrics.kl: the k1/k3 estimators, the block and the leaderboard cells."""

from __future__ import annotations

import math

import pytest

from rewardbench.steering.metrics import kl
from tests.steering.metrics.helpers import context, run


@pytest.mark.parametrize(
    "lp, lq, k1, k3",
    [
        ([[-1.0, -2.0]], [[-1.0, -2.0]], [0.0], [0.0]),  # same distribution
        ([[-0.5]], [[-1.5]], [1.0], [math.expm1(-1.0) + 1.0]),  # r = q/p = e^-1: k3 = (r - 1) - log r
        ([[-2.0], []], [[-1.0], []], [-1.0, 0.0], [math.expm1(1.0) - 1.0, 0.0]),  # k1 may be negative; k3 never
    ],
)
def test_kl_estimates_hand_computed(lp, lq, k1, k3):
    got1, got3 = kl.kl_estimates(lp, lq)
    assert got1 == pytest.approx(k1) and got3 == pytest.approx(k3)
    assert all(v >= 0 for v in got3)


def test_kl_estimates_refuse_mismatched_token_counts():
    with pytest.raises(ValueError, match="token counts differ"):
        kl.kl_estimates([[-1.0, -1.0]], [[-1.0]])


def test_a_stated_kl_is_kept_as_stated_and_placed_at_its_estimate():
    stated = {"bound": 0.75, "estimate": 0.6, "note": "best-of-n"}
    block = kl.compute(context(["p"], [(0, "x", 1)], [1.0], stated=stated))["kl"]
    assert block == {"kind": "stated", **stated}
    assert kl.kl_value(block) == 0.6 and kl.kl_value({**block, "estimate": None}) == 0.75
    assert kl.kl_value({"kind": "measured", "k1": {"mean": 2.5}}) == 2.5


def test_cells_show_a_bound_without_an_interval_and_a_measurement_with_one():
    k1, k3 = kl.columns([])
    assert (k1.title, k3.title) == ("KL k1 ↓", "KL k3 ↓")
    assert k1.cell([run("best-of-n", 0, train=[1.0], kl=0.6, kind="stated")], []) == "0.600 est. (bound 1.100)"
    assert k1.cell([run("trl-ppo", 0, train=[1.0], kl=3.0)], []) == "3.000 [2.000, 4.000]"
    assert k3.cell([run("trl-ppo", 0, train=[1.0], kl=3.0)], []) == "1.500"
    two = [run("trl-ppo", 0, train=[1.0], kl=2.0), run("trl-ppo", 1, train=[1.0], kl=4.0)]
    assert k1.cell(two, []) == f"3.000 ± {12.706:.3f}"  # sd sqrt(2), df 1
