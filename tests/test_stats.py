"""rewardbench.stats on hand-worked inputs."""

from __future__ import annotations

import math

import pytest

from rewardbench.stats import bootstrap_ci, bootstrap_diff_ci, pairwise_outcomes, summary, t_interval


@pytest.mark.parametrize(
    "chosen, rejected, expected",
    [
        ([1.0, 0.2, 0.5, 3.0], [0.0, 0.7, 0.5, 1.0], [1.0, 0.0, 0.5, 1.0]),
        ([], [], []),
        ([-1.0], [-2.0], [1.0]),
    ],
)
def test_pairwise_outcomes_count_ties_as_half(chosen, rejected, expected):
    assert pairwise_outcomes(chosen, rejected) == expected


def test_pairwise_outcomes_refuse_unequal_lengths():
    with pytest.raises(ValueError, match="same length"):
        pairwise_outcomes([1.0], [])


@pytest.mark.parametrize(
    "values, expected_mean, expected_half",
    [
        ([2.0], 2.0, None),  # one value: no interval
        ([1.0, 3.0], 2.0, 12.706 * math.sqrt(2) / math.sqrt(2)),  # sd sqrt(2), df 1: t 12.706
        ([1.0, 2.0, 3.0], 2.0, 4.303 * 1.0 / math.sqrt(3)),  # sd 1, df 2: t 4.303
        ([5.0] * 40, 5.0, 0.0),  # df 39 > 30 uses 1.96; zero spread
    ],
)
def test_t_interval_against_hand_computed_values(values, expected_mean, expected_half):
    mean, half = t_interval(values)
    assert mean == pytest.approx(expected_mean)
    assert half == (None if expected_half is None else pytest.approx(expected_half))


def test_t_interval_needs_a_value():
    with pytest.raises(ValueError, match="at least one"):
        t_interval([])


@pytest.mark.parametrize(
    "values, mean, std",
    [([1.0, 2.0, 3.0, 4.0], 2.5, math.sqrt(5 / 3)), ([7.0], 7.0, 0.0), ([0.0, 0.0], 0.0, 0.0)],
)
def test_summary_mean_std_count(values, mean, std):
    out = summary(values, seed=1)
    assert out["mean"] == pytest.approx(mean) and out["std"] == pytest.approx(std) and out["n"] == len(values)
    assert out["ci95"][0] <= mean <= out["ci95"][1]


def test_summary_of_nothing_has_no_numbers():
    assert summary([]) == {"mean": None, "std": None, "ci95": None, "n": 0}


def test_bootstrap_ci_matches_the_normal_interval_of_a_known_mean():
    assert bootstrap_ci([1.0] * 10) == (1.0, 1.0)
    assert bootstrap_ci([0.0, 1.0] * 200, seed=3) == bootstrap_ci([0.0, 1.0] * 200, seed=3)
    low, high = bootstrap_ci([0.0, 1.0] * 200, n_resamples=4000)
    # mean 0.5, standard error sqrt(0.25 / 400) = 0.025: the normal interval is 0.5 +- 0.049
    assert low == pytest.approx(0.451, abs=0.01) and high == pytest.approx(0.549, abs=0.01)


def test_bootstrap_diff_ci_of_two_known_samples():
    a, b = [1.0, 0.0] * 200, [0.0] * 400  # difference 0.5, standard error 0.025 (b has no spread)
    low, high = bootstrap_diff_ci(a, b, n_resamples=4000)
    assert low == pytest.approx(0.451, abs=0.01) and high == pytest.approx(0.549, abs=0.01)
    assert bootstrap_diff_ci([3.0] * 5, [1.0] * 7) == (2.0, 2.0)
    with pytest.raises(ValueError, match="both sides"):
        bootstrap_diff_ci([], [1.0])
