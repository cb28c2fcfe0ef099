"""Zoo rewards survive pickling before and after their model loads (TRL's async GRPO rollout worker hands reward
functions to a spawned process), and the copy holds no weights: the child loads the model on its first call."""

from __future__ import annotations

import multiprocessing
import pickle

import pytest

from rewardbench.rewards import load_reward
from rewardbench.rewards.base import Reward, RewardCard
from rewardbench.testing import ConformanceError, check_reward

TEXTS = [" a scam and a hoax.", " wonderful, I loved it.", ""]


def _score_in_child(blob: bytes, queue) -> None:
    reward = pickle.loads(blob)
    queue.put(reward(prompts=[""] * len(TEXTS), completions=TEXTS))


def test_a_model_reward_pickles_without_its_weights_and_scores_alike_in_a_spawned_process(tiny_bert_3class):
    reward = load_reward("sentiment-minilm-tweets", model=tiny_bert_3class, target="negative")
    before = pickle.dumps(reward)
    scores = reward(prompts=[""] * len(TEXTS), completions=TEXTS)  # loads the model
    after = pickle.dumps(reward)
    assert len(after) < 10_000, f"the pickled reward holds {len(after)} bytes: the model went with it"
    assert pickle.loads(before)(prompts=[""] * len(TEXTS), completions=TEXTS) == scores
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_score_in_child, args=(after, queue))
    child.start()
    child_scores = queue.get(timeout=120)
    child.join(timeout=60)
    assert child_scores == pytest.approx(scores, abs=1e-6)


def test_check_reward_fails_a_reward_that_cannot_be_pickled():
    class Unpicklable(Reward):
        def __init__(self) -> None:
            super().__init__(RewardCard(id="unpicklable", version=1, measures="length", range="[0, inf)"))
            self.scorer = lambda text: float(len(text))  # a lambda does not pickle

        def _score(self, prompts, completions, **_):
            return [self.scorer(c) for c in completions]

    with pytest.raises(ConformanceError, match="not picklable before its first call"):
        check_reward(Unpicklable())
