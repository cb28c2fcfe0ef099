"""Group Relative Policy Optimization (Shao et al. 2024) from TRL 1.12, with the zoo reward as ``reward_funcs``.

Each prompt is sampled ``num_generations`` times; advantages are rewards standardised within the group, so no value
model is trained. ``beta`` weighs a KL term against the reference (0, the TRL default, trains without one; the harness
still measures the KL of the result).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rewardbench.policies.base import CommonOptions, Policy
from rewardbench.policies.trl_common import quiet_trl, train_group_policy


@dataclass(frozen=True)
class TrlGRPOOptions(CommonOptions):
    num_generations: int = 4  #: completions per prompt in a group (must divide the batch size)
    beta: float = 0.0  #: KL coefficient against the reference
    scale_rewards: str = "group"  #: standardise rewards per group ("group"), per batch ("batch") or not ("none")
    loss_type: str = "dapo"  #: TRL loss aggregation: grpo, bnpo, dr_grpo or dapo
    lora_r: int = 0  #: LoRA rank (0: full fine-tuning); needs peft
    save_steps: int = 0  #: checkpoint every this many steps for resuming (0: a quarter of the steps)


class TrlGRPOPolicy(Policy):
    id = "trl-grpo"
    options_class = TrlGRPOOptions

    def train(self) -> None:
        quiet_trl()
        self._model = train_group_policy(self, "GRPO", {"scale_rewards": self.options.scale_rewards, "loss_type": self.options.loss_type})

    def model(self) -> Any:
        return self._model
