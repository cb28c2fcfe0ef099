"""On the newest TRL: zoo rewards as GRPOTrainer/RLOOTrainer reward_funcs, and the trl-grpo/trl-rloo policies."""

from __future__ import annotations

import pytest
import torch

from rewardbench.policies import POLICIES, RunContext
from rewardbench.rewards import load_reward
from rewardbench.runtime import models
from rewardbench.tasks import GenerationSpec, Preset
from rewardbench.tasks.prompts import Prompt
from tests.conftest import TINY_PROMPTS, contains_word_reward

PROMPTS = [Prompt(t) for t in TINY_PROMPTS[:8]]


def _changed(before: dict, model) -> list[str]:
    return [k for k, v in model.state_dict().items() if k in before and not torch.equal(v, before[k])]


@pytest.mark.parametrize("trainer", ["GRPO", "RLOO"])
def test_zoo_rewards_as_reward_funcs_of_trls_own_trainer(trainer, tiny_policy, tiny_bert_3class, tmp_path):
    import trl
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer

    vader = load_reward("vader", target="negative")
    clf = load_reward("sentiment-minilm-tweets", model=tiny_bert_3class, target="negative")
    config = getattr(trl, f"{trainer}Config")(
        output_dir=str(tmp_path),
        max_steps=2,
        per_device_train_batch_size=4,
        num_generations=4,
        max_completion_length=6,
        learning_rate=1e-2,
        report_to="none",
        save_strategy="no",
        use_cpu=True,
        logging_steps=1,
    )
    model = AutoModelForCausalLM.from_pretrained(tiny_policy)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    trainer_obj = getattr(trl, f"{trainer}Trainer")(
        model=model,
        reward_funcs=[vader, clf],
        args=config,
        train_dataset=Dataset.from_dict({"prompt": list(TINY_PROMPTS[:8])}),
        processing_class=AutoTokenizer.from_pretrained(tiny_policy),
    )
    trainer_obj.train()
    assert _changed(before, trainer_obj.model), "training left every parameter unchanged"
    logged = {k for row in trainer_obj.state.log_history for k in row}
    assert {"rewards/vader/mean", "rewards/sentiment-minilm-tweets/mean"} <= logged, sorted(logged)


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
