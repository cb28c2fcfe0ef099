"""steering.verdicts: Gao fits only where they are in the form's regime; points a matched reading rests on."""

from __future__ import annotations

import math

import pytest

from rewardbench.stats import gao_curve
from rewardbench.steering import verdicts
from rewardbench.steering.report import _fit_lines


def _run(seed: int, kls: list[float], gains: list[float], base: float = 0.2) -> dict:
    return {
        "seed": seed,
        "policy": {"id": "trl-grpo", "kl_kind": "measured"},
        "points": [
            {
                "label": f"step {i}",
                "metrics": {"kl": {"kind": "measured", "k1": {"mean": k}}, "train_reward": {"mean": base + g}},
            }
            for i, (k, g) in enumerate(zip(kls, gains))
        ],
    }


def _groups(gain_of) -> dict:
    kls = [0.3, 1.0, 2.0, 4.0, 8.0]
    ref = {
        "seed": 0,
        "policy": {"id": "reference", "kl_kind": "measured"},
        "points": [
            {
                "final": True,
                "metrics": {"kl": {"kind": "measured", "k1": {"mean": 0.0}}, "train_reward": {"mean": 0.2}},
            }
        ],
    }
    return {("reference", "r"): [ref], ("trl-grpo", "r"): [_run(0, kls, [gain_of(k) for k in kls])]}


def test_an_over_optimisation_curve_is_a_fit_and_is_tabled():
    fits = verdicts.fits(_groups(lambda k: gao_curve(k, 0.3, 0.1, "rl")))
    fit = fits[("trl-grpo", "r")]
    assert fit["shaped"] and fit["alpha"] == pytest.approx(0.3) and fit["beta"] == pytest.approx(0.1)
    lines = "\n".join(_fit_lines(fits, [("trl-grpo", "r")]))
    assert "| `trl-grpo` | `r`" in lines and "Not Gao-shaped" not in lines


def test_reward_accelerating_with_kl_is_not_gao_shaped_and_not_tabled():
    # gain ~ KL: d(alpha - beta log d) fits it only with beta < 0
    fits = verdicts.fits(_groups(lambda k: 0.05 * k))
    fit = fits[("trl-grpo", "r")]
    assert not fit["shaped"] and fit["beta"] < 0 and "beta = " in fit["reason"] and "<= 0" in fit["reason"]
    lines = "\n".join(_fit_lines(fits, [("trl-grpo", "r")]))
    assert "| `trl-grpo` |" not in lines
    assert "- `trl-grpo` on `r`: " in lines and "outside the form's over-optimisation regime" in lines


def test_a_falling_reward_gives_a_negative_alpha_and_no_fit():
    fit = verdicts.fits(_groups(lambda k: -0.02 * math.sqrt(k)))[("trl-grpo", "r")]
    assert not fit["shaped"] and fit["reason"].startswith("alpha = ")


def test_a_fit_on_fewer_distinct_kls_than_parameters_is_refused():
    assert verdicts.fit_regime({"alpha": 0.1, "beta": 0.1}, distinct_kls=1) == (
        "1 distinct measured KL(s) above 0, fewer than its 2 parameters"
    )
    assert verdicts.fit_regime({"alpha": 0.1, "beta": 0.1}, distinct_kls=2) is None


def test_points_below_count_measured_points_in_the_open_closed_interval():
    run = _run(0, [0.0, 0.5, 1.5, 1.6, 3.0], [0.0] * 5)
    assert verdicts.points_below(run, 1.5) == 2


def _bon(seed: int, kls: dict[int, float]) -> dict:
    return {
        "seed": seed,
        "points": [
            {"label": f"n={n}", "final": n == 4, "metrics": {"kl": {"kind": "stated", "bound": kl, "estimate": kl}}}
            for n, kl in kls.items()
        ],
    }


def test_serving_cost_is_the_best_of_n_on_either_side_of_the_matched_kl():
    runs = [_bon(0, {1: 0.0, 2: 0.3, 4: 0.8, 8: 1.2, 16: 1.8}), _bon(1, {1: 0.0, 2: 0.3, 4: 0.9, 8: 1.3, 16: 1.9})]
    assert verdicts.serving_samples(runs, 1.5) == "8-16"
    assert verdicts.serving_samples(runs, 5.0) == "16 (KL 5 not reached)"
    assert verdicts.serving_samples([_run(0, [0.5, 1.0], [0.0, 0.0])], 1.5) == "1"


def test_training_cost_names_seconds_and_the_completions_the_curve_recorded():
    run = {**_run(0, [0.5], [0.0]), "timing": {"train_seconds": 120.0}, "curve": [{"completions": 32.0}] * 3}
    other = {**run, "timing": {"train_seconds": 180.0}}
    assert verdicts.training_cost([run, other]) == "150 s, 96 completions"
    older = {**run, "curve": [{"reward": 0.1}]}  # run files from before completions were recorded
    assert verdicts.training_cost([older]) == "120 s"
    untrained = {**run, "policy": {"id": "best-of-n"}, "timing": {"train_seconds": 1e-6}, "curve": []}
    assert verdicts.training_cost([untrained]) == "-"
