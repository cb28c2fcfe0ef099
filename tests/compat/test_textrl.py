"""TextRL 1.0's own code calling zoo rewards: ``textrl.compose`` with TextRL's rewards, and ``OnlineTrainer``."""

from __future__ import annotations

import torch

from rewardbench.integrations.textrl import textrl_reward
from rewardbench.rewards import load_reward
from rewardbench.rewards.compose import WeightedSum
from tests.conftest import TINY_PROMPTS

PROMPTS = ["i think dogecoin is", "the movie was"]
COMPLETIONS = [" a scam and a hoax.", " wonderful, I loved it."]


def test_compose_of_zoo_rewards_with_each_other_and_with_textrls_own(tiny_bert_3class):
    import textrl

    vader = textrl_reward("vader", target="negative")
    clf = textrl_reward("sentiment-minilm-tweets", model=tiny_bert_3class, target="negative")
    both = textrl.compose(vader, clf, weights=[0.5, 0.5])
    v = load_reward("vader", target="negative")(prompts=PROMPTS, completions=COMPLETIONS)
    c = clf.reward(prompts=PROMPTS, completions=COMPLETIONS)
    assert both(PROMPTS, COMPLETIONS) == [0.5 * a + 0.5 * b for a, b in zip(v, c)]
    assert both.name == "vader+sentiment-minilm-tweets"
    with_length = textrl.compose(clf, textrl.length_penalty, weights=[1.0, 0.1])
    expected = [a + 0.1 * float(b) for a, b in zip(c, textrl.length_penalty(PROMPTS, COMPLETIONS))]
    assert with_length(PROMPTS, COMPLETIONS) == expected
    total = textrl_reward(WeightedSum([(1.0, load_reward("vader")), (0.5, load_reward("afinn"))]))
    assert textrl.compose(total)(PROMPTS, COMPLETIONS) == total.reward(prompts=PROMPTS, completions=COMPLETIONS)


def test_online_trainer_grpo_trains_two_steps_on_zoo_rewards(tiny_policy, tiny_bert_3class, tmp_path):
    import textrl
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer

    vader = textrl_reward("vader", target="negative")
    clf = textrl_reward("sentiment-minilm-tweets", model=tiny_bert_3class, target="negative")
    model = AutoModelForCausalLM.from_pretrained(tiny_policy)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    config = textrl.TextRLConfig(
        algo="grpo",
        output_dir=str(tmp_path),
        max_steps=2,
        per_device_train_batch_size=4,
        num_generations=4,
        learning_rate=1e-2,
        logging_steps=1,
        save_steps=1000,
        extra={"max_completion_length": 6, "use_cpu": True},
    )
    trainer = textrl.OnlineTrainer(
        model=model,
        tokenizer=AutoTokenizer.from_pretrained(tiny_policy),
        config=config,
        reward=[clf, vader],
        train_dataset=Dataset.from_dict({"prompt": list(TINY_PROMPTS[:8])}),
    )
    trainer.train()
    trained = trainer.trl_trainer.model
    assert any(not torch.equal(v, before[k]) for k, v in trained.state_dict().items() if k in before)
    assert trainer.trl_trainer.state.global_step == 2
    logged = {k for row in trainer.trl_trainer.state.log_history for k in row}
    assert {"rewards/vader/mean", "rewards/sentiment-minilm-tweets/mean"} <= logged, sorted(logged)
