"""The TRL group-sampling loop shared by GRPO and RLOO: the zoo reward as ``reward_funcs``, resumable checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rewardbench.errors import ConfigError
from rewardbench.policies.base import Policy
from rewardbench.policies.checkpoints import atomic_saves, latest_valid
from rewardbench.policies.training import freeze_below, load_trainable_lm, policy_tokenizer, seed_everything
from rewardbench.policies.trl_common import (
    CurveCallback,
    EvalPointCallback,
    SaveAt,
    TrlOptions,
    peft_config,
    quiet_trl,
)
from rewardbench.runtime import models
from rewardbench.runtime.precision import fp32_logits
from rewardbench.tasks.prompts import columns_for


@dataclass(frozen=True)
class GroupOptions(TrlOptions):
    """Options shared by the group-sampling TRL trainers (GRPO, RLOO)."""

    num_generations: int = 4  #: completions per prompt in a group (must divide the batch size)
    beta: float = 0.0  #: KL coefficient against the reference
    save_steps: int = 0  #: checkpoint every this many steps for resuming (0: at the run's evaluation steps)


class TrlGroupPolicy(Policy):
    """A TRL ``GRPOTrainer`` / ``RLOOTrainer`` on the run's prompts with the zoo reward as ``reward_funcs``.

    The model goes in as a saved folder (with ``beta > 0`` TRL re-loads the reference from
    ``config._name_or_path``). Checkpoints are written to the run's work folder every ``save_steps`` and an
    interrupted run resumes from the last one. Subclasses name the trainer and add its own config fields.
    """

    trainer_name: ClassVar[str]  #: "GRPO" or "RLOO": TRL's ``{name}Trainer`` and ``{name}Config``
    curve_kl_unit = "nats per token"  # TRL logs the masked mean of the per-token KL
    options_class = GroupOptions

    @classmethod
    def disk_estimate(cls, weights_bytes: int) -> dict[str, int]:
        # a checkpoint holds the weights and Adam's two moments; the newest is written before the last is removed
        return {**super().disk_estimate(weights_bytes), "resumable checkpoints": 2 * 3 * weights_bytes}

    def save_steps(self) -> set[int]:
        """Steps after which a checkpoint is written: every ``save_steps``, or else the run's evenly spaced
        evaluation steps (where the frontier already pauses training), or halfway when it has none (a preset that
        places its points by KL); never the last step, after which the run is done."""
        every = self.options.save_steps
        steps = range(every, self.steps, every) if every else (self.ctx.eval_steps or (self.steps // 2,))
        return set(steps) - {self.steps}

    def trainer_options(self) -> dict[str, Any]:
        """Config fields of this trainer beyond the shared ones."""
        return {}

    def train(self) -> None:
        import torch
        import trl
        from datasets import Dataset

        quiet_trl()
        ctx, o, gen = self.ctx, self.options, self.ctx.generation
        seed_everything(ctx.seed)
        if self.batch_size % o.num_generations:
            raise ConfigError(
                f"{self.id}: batch_size {self.batch_size} must be a multiple of num_generations "
                f"{o.num_generations} (TRL samples num_generations completions per prompt in a batch)"
            )
        prompts = ctx.train_prompts
        dataset = Dataset.from_dict(
            {"prompt": [p.text for p in prompts], **columns_for(prompts, list(range(len(prompts))))}
        )
        output_dir = ctx.work_dir / self.id
        config = getattr(trl, f"{self.trainer_name}Config")(
            output_dir=str(output_dir),
            seed=ctx.seed,
            learning_rate=self.learning_rate,
            max_steps=self.steps,
            per_device_train_batch_size=self.batch_size,
            gradient_accumulation_steps=1,
            num_generations=o.num_generations,
            max_completion_length=gen.max_new_tokens,
            temperature=gen.temperature,
            top_k=gen.top_k or None,
            top_p=gen.top_p,
            repetition_penalty=gen.repetition_penalty,
            beta=o.beta,
            logging_steps=1,
            save_strategy="no",  # checkpoints are asked for by SaveAt and written by atomic_saves
            **self.ctx.tracking.trl_arguments(),
            disable_tqdm=not ctx.progress,
            use_cpu=not torch.cuda.is_available(),
            bf16=ctx.precision == "bf16",  # mixed precision: fp32 master weights, bf16 autocast
            **self.trainer_options(),
        )
        model = load_trainable_lm(ctx.model)
        model.config._name_or_path = models.resolve(ctx.model)
        freeze_below(model, o.trainable_layers)
        if ctx.precision == "bf16":  # the loss's log-probs and KL from fp32 logits (the reference's: below)
            fp32_logits(model)
        trainer = getattr(trl, f"{self.trainer_name}Trainer")(
            model=model,
            reward_funcs=[ctx.reward],
            args=config,
            train_dataset=dataset,
            processing_class=policy_tokenizer(ctx.model),
            peft_config=peft_config(o.lora_r),
            callbacks=[
                curve := CurveCallback(
                    self,
                    {
                        "reward": "reward",
                        "kl": "kl",
                        "loss": "loss",
                        "entropy": "entropy",
                        "completions/mean_length": "completion_length",
                    },
                ),
                EvalPointCallback(self),
                SaveAt(self.save_steps()),
            ],
        )
        if ctx.precision == "bf16" and getattr(trainer, "ref_model", None) is not None:
            fp32_logits(trainer.accelerator.unwrap_model(trainer.ref_model))
        finish = atomic_saves(trainer, output_dir)
        ctx.tracking.point_trainer(trainer)
        resume = latest_valid(output_dir)
        if resume:
            curve.replay(resume)
        try:
            trainer.train(resume_from_checkpoint=str(resume) if resume else None)
        finally:
            finish()
        trained = trainer.accelerator.unwrap_model(trainer.model)
        if o.lora_r:
            trained = trained.merge_and_unload()
        self.trained = trained.eval()
