"""rewardbench.stats on hand-worked inputs."""

from __future__ import annotations

import math

import pytest

from rewardbench.stats import (
    best_of_n_bound,
    best_of_n_kl,
    best_of_n_kl_estimate,
    bootstrap_ci,
    bootstrap_diff_ci,
    cluster_bootstrap_ci,
    fit_gao,
    gao_curve,
    interpolate_at,
    paired_cluster_diff_ci,
    pairwise_outcomes,
    seeds_and_prompts_diff_ci,
    summary,
    t_interval,
)


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


def _exact_cluster_quantiles(values, clusters, level=0.95):
    """Every equally likely resample of the clusters, enumerated: the exact bootstrap distribution's quantiles."""
    import itertools

    import numpy as np

    keys = sorted(set(clusters))
    groups = [[v for v, c in zip(values, clusters) if c == k] for k in keys]
    means = [
        sum(sum(groups[i]) for i in pick) / sum(len(groups[i]) for i in pick)
        for pick in itertools.product(range(len(keys)), repeat=len(keys))
    ]
    alpha = (1 - level) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def test_cluster_bootstrap_against_the_enumerated_resamples():
    # five prompts of 1 to 3 samples each, with very different means
    values = [1.0, 0.9, 1.0, 0.0, 0.5, 0.4, 0.2, 0.8, 0.7, 0.1, 0.3]
    clusters = [0, 0, 0, 1, 2, 2, 3, 4, 4, 4, 3]
    lo, hi = cluster_bootstrap_ci(values, clusters, n_resamples=20000, seed=1)
    exact_lo, exact_hi = _exact_cluster_quantiles(values, clusters)
    assert lo == pytest.approx(exact_lo, abs=0.02) and hi == pytest.approx(exact_hi, abs=0.02)
    naive_lo, naive_hi = bootstrap_ci(values, n_resamples=20000, seed=1)
    assert hi - lo > naive_hi - naive_lo  # treating samples of one prompt as independent understates the interval


def test_cluster_bootstrap_with_one_sample_per_prompt_is_the_plain_bootstrap():
    values = [0.1, 0.5, 0.9, 0.3]
    assert cluster_bootstrap_ci(values, [0, 1, 2, 3], seed=4) == pytest.approx(bootstrap_ci(values, seed=4))


def test_paired_difference_by_prompt():
    a, b = [1.5, 2.5, 10.0, 11.0], [0.5, 1.5, 9.0, 10.0]  # every prompt: a is b + 1; prompts differ a lot
    mean, lo, hi = paired_cluster_diff_ci(a, [0, 0, 1, 1], b, [0, 0, 1, 1])
    assert (mean, lo, hi) == pytest.approx((1.0, 1.0, 1.0))
    mean, lo, hi = paired_cluster_diff_ci([1.0, 3.0], [0, 1], [0.0, 0.0, 5.0], [0, 0, 2])  # only prompt 0 shared
    assert mean == 1.0
    with pytest.raises(ValueError, match="share no prompt"):
        paired_cluster_diff_ci([1.0], [0], [1.0], [1])


def test_seeds_and_prompts_bootstrap_against_the_enumerated_resamples():
    import itertools

    import numpy as np

    # two seeds x three prompts; per-prompt gains differ by prompt and by seed; seed 1 has two samples on prompt 2
    pairs = [
        ([0.3, 0.1, 0.6], [0, 1, 2], [0.0, 0.0, 0.0], [0, 1, 2]),
        ([0.5, 0.0, 0.2, 0.4], [0, 1, 2, 2], [0.1, 0.1, 0.0], [0, 1, 2]),
    ]
    gains = [[0.3, 0.1, 0.6], [0.4, -0.1, 0.3]]  # by hand: prompt means of a minus b
    every = [
        np.mean([gains[s][p] for s in seeds for p in prompts])
        for seeds in itertools.product(range(2), repeat=2)
        for prompts in itertools.product(range(3), repeat=3)
    ]
    mean, lo, hi = seeds_and_prompts_diff_ci(pairs, n_resamples=20000, seed=3)
    assert mean == pytest.approx(np.mean(gains))
    # the exact distribution has 108 equally likely atoms: its quantiles are atoms, as the 20000 draws' are
    assert lo == pytest.approx(np.quantile(every, 0.025, method="inverted_cdf"), abs=0.01)
    assert hi == pytest.approx(np.quantile(every, 0.975, method="inverted_cdf"), abs=0.01)


def test_seeds_and_prompts_bootstrap_sees_prompt_spread_that_seed_means_hide():
    # every seed gains +0.4 on prompt 0 and -0.2 on prompt 1: the seeds' mean gains agree exactly (a t-interval over
    # seeds has zero width), but which prompts were held out decides the sign
    pairs = [([0.4, -0.2], [0, 1], [0.0, 0.0], [0, 1])] * 3
    mean, lo, hi = seeds_and_prompts_diff_ci(pairs, seed=0)
    assert mean == pytest.approx(0.1) and lo == pytest.approx(-0.2) and hi == pytest.approx(0.4)
    # completions of one prompt are not independent draws: repeating each one ten times changes nothing
    tenfold = [([0.4] * 10 + [-0.2] * 10, [0] * 10 + [1] * 10, [0.0, 0.0], [0, 1])] * 3
    assert seeds_and_prompts_diff_ci(tenfold, seed=0) == (mean, lo, hi)
    with pytest.raises(ValueError, match="share no prompt"):
        seeds_and_prompts_diff_ci([([1.0], [0], [0.0], [0]), ([1.0], [1], [0.0], [1])])


@pytest.mark.parametrize(
    "xs, ys, x, expected",
    [
        ([0, 2, 4], [0, 1, 3], 1.0, 0.5),
        ([0, 2, 4], [0, 1, 3], 3.0, 2.0),
        ([4, 0, 2], [3, 0, 1], 3.0, 2.0),  # sorted by KL first
        ([0, 2], [0, 1], 2.5, None),  # never reaches: no extrapolation
        ([1, 2], [0, 1], 0.5, None),
        ([0], [7], 0.0, 7),
    ],
)
def test_interpolate_at(xs, ys, x, expected):
    assert interpolate_at(xs, ys, x) == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("form, alpha, beta", [("rl", 0.4, 0.1), ("bon", 0.5, 0.08)])
def test_gao_fit_recovers_the_coefficients_of_synthetic_data(form, alpha, beta):
    import numpy as np

    rng = np.random.default_rng(0)
    kl = list(np.linspace(0.1, 20, 40))
    gain = [gao_curve(k, alpha, beta, form) + rng.normal(0, 0.005) for k in kl]
    fit = fit_gao(kl, gain, form)
    assert fit["alpha"] == pytest.approx(alpha, abs=0.01) and fit["beta"] == pytest.approx(beta, abs=0.01)
    assert fit["r2"] > 0.99 and fit["n"] == 40


def test_gao_fit_needs_points_away_from_zero():
    with pytest.raises(ValueError, match="at least 2 points"):
        fit_gao([0.0, 1.0], [0.0, 0.2], "rl")


def _brute_force_bon_kl(probs, rewards, n):
    """Enumerate every n-tuple of reference draws; the best is the highest reward, ties broken uniformly."""
    import itertools

    bon = [0.0] * len(probs)
    for draw in itertools.product(range(len(probs)), repeat=n):
        p = math.prod(probs[i] for i in draw)
        top = max(rewards[i] for i in draw)
        winners = [i for i in draw if rewards[i] == top]
        for i in winners:
            bon[i] += p / len(winners)
    return sum(b * math.log(b / p) for b, p in zip(bon, probs) if b > 0)


@pytest.mark.parametrize(
    "probs, rewards, n",
    [
        ([0.5, 0.3, 0.2], [1.0, 2.0, 3.0], 2),
        ([0.5, 0.3, 0.2], [1.0, 3.0, 3.0], 3),  # a tie between two outcomes
        ([0.1, 0.6, 0.2, 0.1], [4.0, 1.0, 2.0, 4.0], 4),
        ([0.25] * 4, [1.0, 2.0, 3.0, 4.0], 1),  # n = 1 is the reference
    ],
)
def test_best_of_n_kl_equals_brute_force_enumeration(probs, rewards, n):
    assert best_of_n_kl(probs, rewards, n) == pytest.approx(_brute_force_bon_kl(probs, rewards, n), abs=1e-12)
    assert best_of_n_kl(probs, rewards, n) <= best_of_n_bound(n) + 1e-12


def test_best_of_n_kl_estimate_from_samples_approaches_the_exact_kl():
    import random

    probs, rewards = [0.5, 0.3, 0.2], [1.0, 3.0, 3.0]
    rng = random.Random(0)
    draws = rng.choices(range(3), weights=probs, k=20000)
    texts = [f"text {i}" for i in draws]
    estimate = best_of_n_kl_estimate(texts, [rewards[i] for i in draws], 3)
    assert estimate == pytest.approx(best_of_n_kl(probs, rewards, 3), abs=0.01)
    # all-distinct samples: the estimate of a continuous reward's KL, close to the analytic bound
    many = best_of_n_kl_estimate([str(i) for i in range(2000)], list(range(2000)), 8)
    assert many == pytest.approx(best_of_n_bound(8), abs=0.01)
