"""The verl adapter, called exactly as verl 0.9.1's naive and batch reward managers call a custom function.

verl's ``get_custom_reward_fn`` wraps the function as ``partial(_call_with_kwargs, fn, reward_kwargs)``, merging
``reward_kwargs`` into every call (the same wrapper is reproduced here, since verl does not install beside this
stack: see README). The naive manager passes ``data_source, solution_str, ground_truth, extra_info`` per sample
(its ``extra_info`` gains ``num_turns`` and ``rollout_reward_scores``); the batch manager passes the plural names."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from rewardbench.errors import ConfigError
from rewardbench.integrations.verl import compute_score
from rewardbench.rewards import load_reward

VADER = load_reward("vader", target="negative")
RESPONSES = [" a scam and a hoax.", " wonderful, I loved it."]


def _call_with_kwargs(raw_fn, extra_kwargs, *args, **kwargs):  # verl/trainer/ppo/reward.py, verbatim
    merged_kwargs = {**kwargs, **extra_kwargs}
    return raw_fn(*args, **merged_kwargs)


def _custom(reward_kwargs):
    return partial(_call_with_kwargs, compute_score, reward_kwargs)


def test_naive_manager_per_sample_call_scores_the_response_with_the_prompt_from_extra_info():
    fn = _custom({"reward": "vader", "options": {"target": "negative"}})
    info = {"prompt": "i think dogecoin is", "num_turns": None, "rollout_reward_scores": {}}
    score = fn(data_source="tweets", solution_str=RESPONSES[0], ground_truth=None, extra_info=info)
    assert isinstance(score, float)
    assert score == VADER(prompts=["i think dogecoin is"], completions=RESPONSES[:1])[0]
    no_prompt = fn(data_source="tweets", solution_str=RESPONSES[0], ground_truth=None, extra_info={"index": 3})
    assert no_prompt == VADER(prompts=[""], completions=RESPONSES[:1])[0]


def test_batch_manager_one_call_for_the_batch_with_numpy_arrays_as_verl_passes_them():
    fn = _custom({"reward": "vader", "options": {"target": "negative"}})
    chat = np.array([{"role": "user", "content": "the movie was"}], dtype=object)  # parquet gives arrays
    infos = [{"prompt": "i think dogecoin is", "rollout_reward_scores": {}}, {"prompt": chat}]
    scores = fn(
        data_sources=np.array(["a", "b"], dtype=object),
        solution_strs=RESPONSES,
        ground_truths=[None, None],
        extra_infos=infos,
    )
    expected = VADER(
        prompts=["i think dogecoin is", [{"role": "user", "content": "the movie was"}]], completions=RESPONSES
    )
    assert scores == expected


def test_an_explicit_prompt_key_missing_from_a_sample_is_refused():
    fn = _custom({"reward": "vader", "prompt_key": "question"})
    assert fn(data_source="d", solution_str="ok", ground_truth=None, extra_info={"question": "q?"}) == pytest.approx(
        load_reward("vader")(prompts=["q?"], completions=["ok"])[0]
    )
    with pytest.raises(ConfigError, match="no 'question'"):
        fn(data_source="d", solution_str="ok", ground_truth=None, extra_info={"prompt": "p"})


def test_reward_kwargs_are_checked():
    with pytest.raises(ConfigError, match="needs the reward id"):
        _custom({})(data_source="d", solution_str="x", ground_truth=None, extra_info={})
    with pytest.raises(ConfigError, match="unknown keys"):
        _custom({"reward": "vader", "target": "negative"})(data_source="d", solution_str="x", extra_info={})
    with pytest.raises(ConfigError, match="vader target must be"):
        _custom({"reward": "vader", "options": {"target": "sideways"}})(solution_str="x", extra_info={})
