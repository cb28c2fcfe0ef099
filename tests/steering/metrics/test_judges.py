"""steering.metrics.judges: which judges score a run, their columns and their differences from the reference."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rewardbench.rewards import RewardCard
from rewardbench.steering.metrics import judges
from tests.steering.metrics.helpers import run


def _spec(label, reward=None, error=None):
    def load():
        if error:
            raise error
        return reward

    return SimpleNamespace(label=label, load=load)


def test_load_judges_skips_the_training_reward_unloadable_and_hub_judges():
    offline = SimpleNamespace(card=RewardCard(id="vader", version=1, measures="m", range="r"))
    hub = SimpleNamespace(card=RewardCard(id="h", version=1, measures="m", range="r", checkpoint="org/model"))
    task = SimpleNamespace(
        judges=(
            _spec("train:neg"),
            _spec("vader", offline),
            _spec("hub", hub),
            _spec("broken", error=OSError("no file")),
        )
    )
    usable, skipped = judges.load_judges(task, "embedded", "train:neg")
    assert [label for label, _ in usable] == ["vader"]
    assert skipped == [
        {"reward": "hub", "reason": "needs the hub (org/model)"},
        {"reward": "broken", "reason": "OSError: no file"},
    ]


def test_columns_and_deltas_per_judge():
    runs = [
        run("reference", 0, train=[0.0], judges={"b": [0.5], "a": [0.2]}),
        run("trl-ppo", 0, train=[1.0], judges={"b": [0.1], "a": [0.4]}),
    ]
    assert judges.labels(runs) == ["a", "b"]
    cols = judges.columns(runs)
    assert [c.title for c in cols] == ["judge a ↑", "judge b ↑"]
    assert [c.cell(runs[1:], runs[:1]) for c in cols] == ["0.400", "0.100"]
    deltas = judges.judge_deltas(runs[1:], runs[:1], runs)
    assert list(deltas) == ["a", "b"] and [d[0] for d in deltas.values()] == pytest.approx([0.2, -0.4])


def test_selections_sharing_samples_score_each_sample_once():
    from tests.steering.metrics.helpers import context

    texts = []

    def judge(*, prompts, completions):
        texts.extend(completions)
        return [float(len(c)) for c in completions]

    first = context(["p0", "p1"], [(0, "aa", 2), (1, "bbb", 3)], [0.0, 0.0])
    second = context(["p0", "p1"], [(1, "bbb", 3), (0, "c", 1), (0, "aa", 2)], [0.0, 0.0, 0.0])
    second.cache = first.cache  # two selections of one evaluation (best-of-n's n=1 and n=2)
    assert first.score(judge) == [2.0, 3.0]
    assert second.score(judge) == [3.0, 1.0, 2.0]
    assert texts == ["aa", "bbb", "c"]  # the second selection scored only its new sample
