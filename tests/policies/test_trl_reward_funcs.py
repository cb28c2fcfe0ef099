"""Zoo rewards as ``reward_funcs`` of TRL's own GRPOTrainer and RLOOTrainer: on TRL 1.12 here (``make test``) and on
the newest TRL in ``make compat``."""

from __future__ import annotations

import pytest
import torch

from rewardbench.rewards import load_reward
from tests.conftest import TINY_PROMPTS


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
