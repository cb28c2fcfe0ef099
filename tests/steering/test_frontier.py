"""steering.frontier.matched on hand-built runs: the reward at a matched KL, its gain and their prompt intervals."""

from __future__ import annotations

import pytest

from rewardbench.steering.frontier import matched


def _run(seed: int, rewards: list[float], kl: float | None, prompts: list[int]) -> dict:
    """A run of one final point: a reward per completion and, for a policy, the same k1 for every completion."""
    block = {"kind": "measured", "k1": {"mean": kl or 0.0, "values": [kl or 0.0] * len(rewards)}}
    point = {
        "step": 0,
        "final": True,
        "prompt_index": prompts,
        "metrics": {"train_reward": {"mean": sum(rewards) / len(rewards), "values": rewards}, "kl": block},
    }
    return {"seed": seed, "points": [point]}


def test_matched_gain_is_paired_by_seed_and_its_interval_resamples_prompts():
    # each seed's reference differs (0.1, 0.5, 0.9), and the policy at KL 2 gains +0.2 on prompt 0, 0 on prompt 1;
    # at KL 1 the curve is halfway: a gain of 0.05 whatever the seed
    prompts = [0, 0, 1, 1]
    refs = [_run(s, [b] * 4, None, prompts) for s, b in enumerate((0.1, 0.5, 0.9))]
    group = [_run(s, [b + 0.2, b + 0.2, b, b], 2.0, prompts) for s, b in enumerate((0.1, 0.5, 0.9))]
    m = matched(group, refs, 1.0, n_resamples=2000)
    assert m.mean == pytest.approx(0.55) and m.gain == pytest.approx(0.05)
    # the seeds agree exactly on the gain; the held-out prompts do not: only prompt 0 drawn gives 0.1, only 1 gives 0
    assert (m.gain_low, m.gain_high) == pytest.approx((0.0, 0.1))
    assert m.unit == "seeds, prompts" and m.reached == 3
    # the reward's own interval carries the seeds' spread of reference rewards (0.1 to 0.9), the paired gain does not
    assert m.high - m.low > 0.5


def test_a_seed_that_never_reaches_the_kl_is_left_out_of_the_gain():
    prompts = [0, 1]
    refs = [_run(s, [0.0, 0.0], None, prompts) for s in range(2)]
    group = [_run(0, [0.4, 0.4], 2.0, prompts), _run(1, [9.0, 9.0], 0.5, prompts)]
    m = matched(group, refs, 1.0)
    assert m.reached == 1 and m.gain == pytest.approx(0.2) and (m.gain_low, m.gain_high) == pytest.approx((0.2, 0.2))
    none = matched([_run(0, [1.0, 1.0], 0.5, prompts)], refs, 1.0)
    assert none.mean is None and none.gain is None and none.max_kl == 0.5


def _placed(seed: int, points: list[tuple[int, float, float, list]]) -> dict:
    """A run of points (step, KL, reward, why): one completion each."""
    made = []
    for step, kl, reward, why in points:
        made.append(
            {
                "step": step,
                "label": "",
                "final": False,
                "prompt_index": [0],
                "why": why,
                "metrics": {
                    "train_reward": {"mean": reward, "values": [reward], "ci95": [reward, reward]},
                    "kl": {"kind": "measured", "k1": {"mean": kl, "values": [kl]}},
                },
            }
        )
    made[-1]["final"] = True
    return {"seed": seed, "points": made}


def test_the_drawn_curve_pairs_seeds_by_kl_target_not_by_point_index():
    from rewardbench.steering.frontier import mean_curve

    def target(*ts):
        return [{"reason": "kl-target", "targets": list(ts), "probe_k3": 0.0}]

    end = [{"reason": "end of training"}]
    # seed 0 measured 0.25, 0.5 and 1.0 at separate steps; seed 1 jumped past 0.25 and 0.5 in one step, and its
    # last point (step 12) came at a lower KL than seed 0's: index by index, seed 1's end would meet seed 0's 1.0
    a = _placed(0, [(1, 0.3, 0.10, target(0.25)), (2, 0.6, 0.20, target(0.5)), (4, 1.1, 0.3, target(1.0)),
                    (12, 3.0, 0.5, end)])  # fmt: skip
    b = _placed(1, [(1, 0.7, 0.12, target(0.25, 0.5)), (3, 1.3, 0.32, target(1.0)), (12, 2.0, 0.4, end)])
    rows = mean_curve([a, b], [])
    assert [(round(kl, 6), round(r, 6)) for kl, r, _, _ in rows] == [(0.5, 0.11), (0.6, 0.2), (1.2, 0.31), (2.5, 0.45)]
