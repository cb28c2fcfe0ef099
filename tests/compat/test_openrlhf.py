"""OpenRLHF 0.11.2's own ``SingleTurnAgentExecutor`` scoring a rollout: the reward file, and ``rewardbench serve``
over loopback. Only generation is stood in for (a fixed response instead of vLLM); tokenising, decoding the query
with special tokens kept, loading the file and posting the request are OpenRLHF's code."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from rewardbench.rewards import load_reward
from tests.serve.test_process import serving

PROMPT = "i think dogecoin is"
EXPECTED = load_reward("vader", target="negative")(prompts=[PROMPT], completions=[" a scam and a hoax "])


class Engine:
    """vLLM's ``generate`` as the executor awaits it: a fixed response ending in the tokenizer's [SEP] (its eos)."""

    def __init__(self, tokenizer) -> None:
        self.ids = tokenizer("a scam and a hoax", add_special_tokens=False)["input_ids"] + [tokenizer.sep_token_id]

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        output = SimpleNamespace(token_ids=self.ids, text="", finish_reason="stop", logprobs=None)
        return SimpleNamespace(outputs=[output])


def _rollout(remote_rm_url: str, tokenizer) -> dict:
    from openrlhf.utils.agent import SingleTurnAgentExecutor

    executor = SingleTurnAgentExecutor(remote_rm_url)
    params = SimpleNamespace(max_tokens=16, logprobs=None)
    return asyncio.run(executor.execute(PROMPT, None, params, 64, tokenizer, Engine(tokenizer)))


def test_reward_file_loaded_and_called_by_openrlhf(tmp_path, tiny_tokenizer):
    reward_file = tmp_path / "reward.py"
    reward_file.write_text(
        "from rewardbench.integrations.openrlhf import reward_func_for\n"
        'reward_func = reward_func_for("vader", target="negative", strip=["[SEP]"])\n'
    )
    out = _rollout(str(reward_file), tiny_tokenizer)
    assert out["reward"] == pytest.approx(EXPECTED) and out["scores"] == pytest.approx(EXPECTED)
    assert out["extra_logs"] == {"vader": pytest.approx(EXPECTED)}


def test_openrlhf_posts_to_rewardbench_serve_on_loopback(tiny_tokenizer):
    args = ("--reward", "vader", "--option", "vader:target=negative", "--strip", "[SEP]")
    with serving(*args) as (_, url):
        out = _rollout(f"{url}/get_reward", tiny_tokenizer)
    assert out["reward"] == pytest.approx(EXPECTED) and out["scores"] == pytest.approx(EXPECTED)
