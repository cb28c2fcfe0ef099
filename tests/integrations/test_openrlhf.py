"""The OpenRLHF reward file: query splitting, the reply's keys, and the module as a reward file itself.

OpenRLHF's own ``SingleTurnAgentExecutor`` loads the file and posts to the server in tests/compat."""

from __future__ import annotations

import importlib.util

import pytest

import rewardbench.integrations.openrlhf as openrlhf_module
from rewardbench.errors import ConfigError
from rewardbench.integrations.openrlhf import reward_func_for, split_queries
from rewardbench.rewards import load_reward

PROMPT = "<|im_start|>user\ni think dogecoin is<|im_end|>\n<|im_start|>assistant\n"


def test_the_response_is_split_off_the_query_and_trailing_special_tokens_stripped():
    queries = [PROMPT + "a scam.<|im_end|><|endoftext|>", PROMPT + "great<|im_end|>"]
    assert split_queries(queries, [PROMPT, PROMPT], strip=["<|im_end|>", "<|endoftext|>"]) == ["a scam.", "great"]
    assert split_queries(queries[1:], [PROMPT]) == ["great<|im_end|>"]  # nothing stripped unless asked


def test_a_query_that_does_not_start_with_its_prompt_is_refused():
    with pytest.raises(ConfigError, match="sample 0: the query does not start with its prompt"):
        split_queries(["ink dogecoin is a scam"], ["i think dogecoin is"])
    with pytest.raises(ConfigError, match="1 queries and 2 prompts"):
        split_queries(["a"], ["a", "b"])


def test_reward_func_returns_what_openrlhf_reads():
    func = reward_func_for("vader", target="negative", strip=["<|im_end|>"])
    out = func([PROMPT + "a scam and a hoax<|im_end|>"], [PROMPT], [None])
    expected = load_reward("vader", target="negative")(prompts=[PROMPT], completions=["a scam and a hoax"])
    assert out == {"rewards": expected, "scores": expected, "extra_logs": {"vader": expected}}


def test_the_module_loaded_as_a_reward_file_reads_the_reward_from_the_environment(monkeypatch):
    # exactly how SingleTurnAgentExecutor loads --remote_rm_url FILE.py
    spec = importlib.util.spec_from_file_location("reward_func", openrlhf_module.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("REWARDBENCH_REWARD", "vader")
    monkeypatch.setenv("REWARDBENCH_OPTIONS", '{"target": "negative", "strip": ["</s>"]}')
    out = module.reward_func(["hi what a scam</s>"], ["hi "], [None])
    assert out["rewards"] == load_reward("vader", target="negative")(prompts=["hi "], completions=["what a scam"])
    monkeypatch.delenv("REWARDBENCH_REWARD")
    with pytest.raises(ConfigError, match="set REWARDBENCH_REWARD"):
        module.reward_func(["q"], ["q"], [None])
