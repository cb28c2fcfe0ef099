"""TRL's conversational format end to end: GRPOTrainer on a chat data set hands the rewards message lists."""

from __future__ import annotations

from rewardbench.rewards import load_reward

CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}{{ '' }}{% endif %}"
)


def test_grpo_on_chat_prompts_scores_each_reply_as_its_plain_text(tiny_policy, tmp_path):
    import trl
    from datasets import Dataset
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_policy)
    tok.chat_template = CHAT_TEMPLATE
    vader = load_reward("vader", target="negative")
    calls = []

    def recording(*, prompts, completions, **columns):
        scores = vader(prompts=prompts, completions=completions, **columns)
        calls.append((prompts, completions, scores))
        return scores

    recording.__name__ = "vader"
    config = trl.GRPOConfig(
        output_dir=str(tmp_path),
        max_steps=1,
        per_device_train_batch_size=4,
        num_generations=4,
        max_completion_length=6,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
    )
    data = Dataset.from_dict({"prompt": [[{"role": "user", "content": "the movie was"}]] * 4})
    trl.GRPOTrainer(
        model=tiny_policy, reward_funcs=[recording], args=config, train_dataset=data, processing_class=tok
    ).train()

    prompts, completions, scores = calls[0]
    assert prompts[0] == [{"role": "user", "content": "the movie was"}]
    assert all(c[0]["role"] == "assistant" and isinstance(c[0]["content"], str) for c in completions)
    replies = [c[0]["content"] for c in completions]
    assert scores == vader(prompts=["the movie was\n"] * len(replies), completions=replies)
