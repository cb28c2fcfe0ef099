"""The TextRL adapter: TextRL's positional call reaches the zoo's keyword call; names, caching, pickling.

TextRL's own ``compose`` and ``OnlineTrainer`` drive it in tests/compat (textrl installs there)."""

from __future__ import annotations

import pickle

import pytest

from rewardbench.integrations.textrl import textrl_reward
from rewardbench.rewards import load_reward
from rewardbench.rewards.compose import WeightedSum

PROMPTS = ["i think dogecoin is", "the movie was"]
COMPLETIONS = [" a scam and a hoax.", " wonderful, I loved it."]


def test_positional_call_scores_as_the_zoo_keyword_call():
    fn = textrl_reward("vader", target="negative")
    expected = load_reward("vader", target="negative")(prompts=PROMPTS, completions=COMPLETIONS)
    assert fn(PROMPTS, COMPLETIONS) == expected
    assert fn(PROMPTS, COMPLETIONS, completion_ids=[[1], [2]]) == expected  # TRL's extra columns pass through
    assert fn.name == fn.__name__ == "vader"


def test_the_zoo_reward_itself_stays_keyword_only():
    with pytest.raises(TypeError, match="keyword arguments only"):
        load_reward("vader")(PROMPTS, COMPLETIONS)


def test_same_id_and_options_build_once_other_options_build_another():
    assert textrl_reward("vader", target="negative").reward is textrl_reward("vader", target="negative").reward
    assert textrl_reward("vader").reward is not textrl_reward("vader", target="negative").reward


def test_a_weighted_sum_and_a_pickled_copy_score_alike():
    total = WeightedSum([(0.5, load_reward("vader")), (0.5, load_reward("afinn"))])
    fn = textrl_reward(total)
    scores = fn(PROMPTS, COMPLETIONS)
    assert scores == total(prompts=PROMPTS, completions=COMPLETIONS)
    assert pickle.loads(pickle.dumps(fn))(PROMPTS, COMPLETIONS) == scores
