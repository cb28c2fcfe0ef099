"""On the newest TRL: the trl-grpo/trl-rloo policies (TRL's own trainers: tests/policies/test_trl_reward_funcs.py)."""

from __future__ import annotations

import pytest
import torch

from rewardbench.policies import POLICIES, RunContext
from rewardbench.runtime import models
from rewardbench.tasks import GenerationSpec, Preset
from rewardbench.tasks.prompts import Prompt
from tests.conftest import TINY_PROMPTS, contains_word_reward

PROMPTS = [Prompt(t) for t in TINY_PROMPTS[:8]]


def _changed(before: dict, model) -> list[str]:
    return [k for k, v in model.state_dict().items() if k in before and not torch.equal(v, before[k])]


TRAINING = {
    "trl-grpo": {"steps": 10, "learning_rate": 1e-2, "batch_size": 8, "num_generations": 4},
    "trl-rloo": {"steps": 16, "learning_rate": 1e-2, "batch_size": 8, "num_generations": 4, "beta": 0.0},
}


@pytest.mark.parametrize("policy_id", sorted(TRAINING))
def test_group_policy_trains_and_raises_a_learnable_reward(policy_id, tiny_policy, tmp_path):
    from rewardbench.policies.training import policy_tokenizer
    from rewardbench.steering.sampling import sample

    reward = contains_word_reward("scam")
    reference = models.load_causal_lm(tiny_policy)
    before = {k: v.clone() for k, v in reference.state_dict().items()}
    ctx = RunContext(
        model=tiny_policy,
        reward=reward,
        train_prompts=PROMPTS,
        generation=GenerationSpec(max_new_tokens=6),
        preset=Preset(policies=("reference",), batch_size=8, steps=2),
        seed=0,
        work_dir=tmp_path,
        options=TRAINING[policy_id],
        progress=False,
    )
    policy = POLICIES.get(policy_id)(ctx)
    policy.train()
    assert _changed(before, policy.model())

    def mean_reward(model) -> float:
        tok = policy_tokenizer(tiny_policy)
        samples = sample(model, tok, [p.text for p in PROMPTS], n=16, gen=ctx.generation, seed=123)
        scores = reward(prompts=[PROMPTS[s.prompt_index].text for s in samples], completions=[s.text for s in samples])
        return sum(scores) / len(scores)

    base, after = mean_reward(reference), mean_reward(policy.model())
    assert after > base + 0.02, f"{policy_id}: reward {base:.3f} -> {after:.3f}"
