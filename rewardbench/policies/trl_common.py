"""Glue shared by the TRL-based policies: training-curve capture, LoRA configs, log noise."""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback


class CurveCallback(TrainerCallback):
    """Turns the trainer's per-step log dicts into the policy's training-curve rows.

    Args:
        policy: the policy whose ``record`` receives the rows.
        keys: trainer log key -> curve column (``{"objective/scores": "reward"}``).
    """

    def __init__(self, policy: Any, keys: dict[str, str]) -> None:
        self.policy = policy
        self.keys = keys

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        logs = logs or {}
        values = {col: logs[key] for key, col in self.keys.items() if key in logs}
        if values:
            self.policy.record(int(state.global_step), **values)


def peft_config(lora_r: int) -> Any:
    """A causal-LM LoRA config of rank ``lora_r`` on every linear layer, or None for full fine-tuning."""
    if not lora_r:
        return None
    from peft import LoraConfig

    return LoraConfig(r=lora_r, lora_alpha=2 * lora_r, lora_dropout=0.0, target_modules="all-linear",
                      task_type="CAUSAL_LM")


def quiet_trl() -> None:
    """Silence TRL's experimental-API warning: using the last PPO release on purpose is the point."""
    import os
    import warnings

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    warnings.filterwarnings("ignore", message=".*experimental.*")


def train_group_policy(policy: Any, trainer_name: str, extra: dict[str, Any]) -> Any:
    """Train a TRL ``GRPOTrainer`` / ``RLOOTrainer`` on the run's prompts with the zoo reward as ``reward_funcs``.

    The model goes in as a saved folder (with ``beta > 0`` TRL re-loads the reference from
    ``config._name_or_path``). Checkpoints are written to the run's work folder every ``save_steps`` and an
    interrupted run resumes from the last one.

    Returns:
        The trained causal LM (eval mode).
    """
    import torch
    import trl
    from datasets import Dataset

    from rewardbench import models
    from rewardbench.policies.base import freeze_below, load_trainable_lm, policy_tokenizer, seed_everything
    from rewardbench.prompts import columns_for

    ctx, o, gen = policy.ctx, policy.options, policy.ctx.generation
    seed_everything(ctx.seed)
    if policy.batch_size % o.num_generations:
        from rewardbench.errors import ConfigError

        raise ConfigError(f"{policy.id}: batch_size {policy.batch_size} must be a multiple of num_generations "
                          f"{o.num_generations} (TRL samples num_generations completions per prompt in a batch)")
    prompts = ctx.train_prompts
    dataset = Dataset.from_dict({"prompt": [p.text for p in prompts],
                                 **columns_for(prompts, list(range(len(prompts))))})
    output_dir = ctx.work_dir / policy.id
    config = getattr(trl, f"{trainer_name}Config")(
        output_dir=str(output_dir), seed=ctx.seed, learning_rate=policy.learning_rate, max_steps=policy.steps,
        per_device_train_batch_size=policy.batch_size, gradient_accumulation_steps=1,
        num_generations=o.num_generations, max_completion_length=gen.max_new_tokens, temperature=gen.temperature,
        top_k=gen.top_k or None, top_p=gen.top_p, repetition_penalty=gen.repetition_penalty, beta=o.beta,
        logging_steps=1, save_strategy="steps", save_steps=max(1, o.save_steps or policy.steps // 4),
        save_total_limit=1, report_to=[], disable_tqdm=not ctx.progress, use_cpu=not torch.cuda.is_available(),
        bf16=torch.cuda.is_available() and torch.cuda.is_bf16_supported(), **extra)
    model = load_trainable_lm(ctx.model)
    model.config._name_or_path = models.resolve(ctx.model)
    freeze_below(model, o.trainable_layers)
    trainer = getattr(trl, f"{trainer_name}Trainer")(
        model=model, reward_funcs=[ctx.reward_fn()], args=config, train_dataset=dataset,
        processing_class=policy_tokenizer(ctx.model), peft_config=peft_config(o.lora_r),
        callbacks=[CurveCallback(policy, {"reward": "reward", "kl": "kl", "loss": "loss",
                                          "completions/mean_length": "completion_length"})])
    resume = any(output_dir.glob("checkpoint-*")) if output_dir.is_dir() else False
    trainer.train(resume_from_checkpoint=True if resume else None)
    trained = trainer.accelerator.unwrap_model(trainer.model)
    if o.lora_r:
        trained = trained.merge_and_unload()
    return trained.eval()
