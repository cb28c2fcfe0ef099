"""verl 0.9.1's own reward managers with the adapter loaded as verl loads a ``custom_reward_function``.

verl is installed ``--no-deps`` in the compat venv (its declared transformers<5.11 and ray[default] do not resolve
beside the newest TRL); its reward path needs only what ``make compat`` adds (tensordict, ray, hydra-core...)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import rewardbench.integrations.verl as verl_adapter
from rewardbench.rewards import load_reward

PROMPTS = ["i think dogecoin is", "i think"]
RESPONSES = ["a scam and a hoax", "wonderful i loved it"]


def _data(tokenizer, extra_infos):
    from verl import DataProto

    prompts = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in PROMPTS]
    responses = [tokenizer(r, add_special_tokens=False)["input_ids"] for r in RESPONSES]
    width_p, width_r, pad = max(map(len, prompts)), max(map(len, responses)), tokenizer.pad_token_id
    prompt_ids = torch.tensor([[pad] * (width_p - len(p)) + p for p in prompts])  # verl left-pads prompts
    response_ids = torch.tensor([r + [pad] * (width_r - len(r)) for r in responses])
    mask = torch.tensor(
        [
            [0] * (width_p - len(p)) + [1] * len(p) + [1] * len(r) + [0] * (width_r - len(r))
            for p, r in zip(prompts, responses)
        ]
    )
    return DataProto.from_dict(
        tensors={"prompts": prompt_ids, "responses": response_ids, "attention_mask": mask},
        non_tensors={
            "data_source": np.array(["tweets", "tweets"], dtype=object),
            "reward_model": np.array([{"ground_truth": None}] * 2, dtype=object),
            "extra_info": np.array(extra_infos, dtype=object),
        },
    ), [len(r) for r in responses]


@pytest.mark.parametrize("manager", ["NaiveRewardManager", "BatchRewardManager"])
def test_verls_reward_manager_scores_with_the_custom_reward_function(manager, tiny_tokenizer):
    import verl.workers.reward_manager as managers
    from omegaconf import OmegaConf
    from verl.trainer.ppo.reward import get_custom_reward_fn

    config = OmegaConf.create(
        {
            "reward": {
                "custom_reward_function": {
                    "path": verl_adapter.__file__,
                    "name": "compute_score",
                    "reward_kwargs": {"reward": "vader", "options": {"target": "negative"}},
                }
            }
        }
    )
    compute_score = get_custom_reward_fn(config)
    data, lengths = _data(tiny_tokenizer, [{"prompt": PROMPTS[0]}, {"index": 1}])
    out = getattr(managers, manager)(tokenizer=tiny_tokenizer, num_examine=0, compute_score=compute_score)(
        data, return_dict=True
    )
    scores = [float(out["reward_tensor"][i, n - 1]) for i, n in enumerate(lengths)]
    responses = [tiny_tokenizer.decode(tiny_tokenizer(r)["input_ids"], skip_special_tokens=True) for r in RESPONSES]
    expected = load_reward("vader", target="negative")(prompts=[PROMPTS[0], ""], completions=responses)
    assert scores == pytest.approx(expected, abs=1e-6)
