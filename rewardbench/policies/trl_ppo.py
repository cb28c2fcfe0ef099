"""PPO from TRL 1.12 (``trl.experimental.ppo``, the last TRL release with PPO), on any zoo reward.

The policy and a value model (the policy checkpoint with a fresh scalar head) are trained; a frozen copy of the
policy is the reference of the per-token KL penalty (TRL's ``kl_coef`` and ``kl_estimator``). The reward reaches
TRL through :class:`~rewardbench.policies.trl_adapter.RewardAdapter`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rewardbench.policies.base import Policy
from rewardbench.policies.training import freeze_below, load_trainable_lm, policy_tokenizer, seed_everything
from rewardbench.policies.trl_adapter import RewardAdapter
from rewardbench.policies.trl_common import (
    CurveCallback,
    EvalPointCallback,
    TrlOptions,
    peft_config,
    quiet_trl,
    trl_below,
)
from rewardbench.runtime import models
from rewardbench.runtime.precision import autocast, fp32_head, fp32_logits


@dataclass(frozen=True)
class TrlPPOOptions(TrlOptions):
    kl_coef: float = 0.05  #: weight of the per-token KL penalty against the reference
    kl_estimator: str = "k1"  #: TRL's estimator inside the penalty: k1 or k3
    num_ppo_epochs: int = 4  #: optimisation epochs over each batch of rollouts
    num_mini_batches: int = 1  #: minibatches per epoch (must divide the batch size)
    cliprange: float = 0.2  #: PPO ratio clip
    cliprange_value: float = 0.2  #: value clip
    vf_coef: float = 0.1  #: value-loss weight
    gamma: float = 1.0  #: discount
    lam: float = 0.95  #: GAE lambda
    whiten_rewards: bool = False  #: whiten rewards per batch (needs minibatches of at least 8)
    missing_eos_penalty: float | None = None  #: subtracted from the score of completions without eos


class TrlPPOPolicy(Policy):
    id = "trl-ppo"
    options_class = TrlPPOOptions
    requires = ("trl", "datasets")

    @classmethod
    def check_installed(cls) -> None:
        super().check_installed()
        trl_below(cls.id, "1.13", "PPO left TRL in 1.13")

    def train(self) -> None:
        import torch
        from datasets import Dataset
        from transformers import AutoModelForSequenceClassification

        quiet_trl()
        from trl.experimental.ppo import PPOConfig, PPOTrainer

        o, ctx = self.options, self.ctx
        seed_everything(ctx.seed)
        tok = policy_tokenizer(ctx.model)
        encoded = [tok(p.text)["input_ids"] for p in ctx.train_prompts]
        width = max(len(ids) for ids in encoded)
        # one fixed query width, so the reward adapter knows where every completion starts
        dataset = Dataset.from_dict({"input_ids": [[tok.pad_token_id] * (width - len(ids)) + ids for ids in encoded]})
        policy = load_trainable_lm(ctx.model)
        ref = None if o.lora_r else load_trainable_lm(ctx.model).eval()
        value = models.from_pretrained(AutoModelForSequenceClassification.from_pretrained, ctx.model, num_labels=1)
        value.config.pad_token_id = tok.pad_token_id
        freeze_below(policy, o.trainable_layers)
        freeze_below(value, o.trainable_layers, keep=("score",))
        if ctx.precision == "bf16":  # log-probs, ratios, the KL penalty and values from fp32 heads
            for lm in (policy, ref):
                if lm is not None:
                    fp32_logits(lm)
            fp32_head(value.score)
        adapter = RewardAdapter(ctx.reward, tok, ctx.train_prompts, width)
        config = PPOConfig(
            output_dir=str(ctx.work_dir / "trl-ppo"),
            seed=ctx.seed,
            learning_rate=self.learning_rate,
            per_device_train_batch_size=self.batch_size,
            gradient_accumulation_steps=1,
            local_rollout_forward_batch_size=self.batch_size,
            total_episodes=self.steps * self.batch_size,
            num_mini_batches=o.num_mini_batches,
            num_ppo_epochs=o.num_ppo_epochs,
            response_length=ctx.generation.max_new_tokens,
            temperature=ctx.generation.temperature,
            stop_token="eos" if tok.pad_token_id != tok.eos_token_id else None,
            missing_eos_penalty=o.missing_eos_penalty,
            kl_coef=o.kl_coef,
            kl_estimator=o.kl_estimator,
            cliprange=o.cliprange,
            cliprange_value=o.cliprange_value,
            vf_coef=o.vf_coef,
            gamma=o.gamma,
            lam=o.lam,
            whiten_rewards=o.whiten_rewards,
            num_sample_generations=0,
            logging_steps=1,
            save_strategy="no",
            **self.ctx.tracking.trl_arguments(),
            disable_tqdm=not ctx.progress,
            use_cpu=not torch.cuda.is_available(),
            bf16=ctx.precision == "bf16",  # mixed precision: fp32 master weights, bf16 autocast
        )
        trainer = PPOTrainer(
            args=config,
            processing_class=tok,
            model=policy,
            ref_model=ref,
            reward_model=adapter,
            train_dataset=dataset,
            eval_dataset=dataset.select(range(min(len(dataset), self.batch_size))),
            value_model=value,
            peft_config=peft_config(o.lora_r),
            callbacks=[
                CurveCallback(
                    self,
                    {
                        "objective/scores": "reward",
                        "objective/kl": "kl",
                        "loss/policy_avg": "loss",
                        "loss/value_avg": "value_loss",
                        "objective/entropy": "entropy",
                    },
                ),
                EvalPointCallback(self),
            ],
        )
        ctx.tracking.point_trainer(trainer)
        # TRL's PPO loop calls its models outside accelerate's autocast wrapper, so its bf16 switch alone leaves
        # every forward in fp32 on a CPU: the loop runs under autocast here (weights and optimiser stay fp32)
        with autocast(ctx.precision):
            trainer.train()
        trained = trainer.accelerator.unwrap_model(trainer.model).policy
        if o.lora_r:
            trained = trained.merge_and_unload()
        self.trained = trained.eval()
        del trainer, ref, value
