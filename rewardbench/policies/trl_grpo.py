"""Group Relative Policy Optimization (Shao et al. 2024) from TRL 1.12, with the zoo reward as ``reward_funcs``.

Each prompt is sampled ``num_generations`` times; advantages are rewards standardised within the group, so no value
model is trained. ``beta`` weighs a KL term against the reference (0, the TRL default, trains without one; the harness
still measures the KL of the result).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rewardbench.policies.trl_group import GroupOptions, TrlGroupPolicy


@dataclass(frozen=True)
class TrlGRPOOptions(GroupOptions):
    scale_rewards: str = "group"  #: standardise rewards per group ("group"), per batch ("batch") or not ("none")
    loss_type: str = "dapo"  #: TRL loss aggregation: grpo, bnpo, dr_grpo or dapo


class TrlGRPOPolicy(TrlGroupPolicy):
    id = "trl-grpo"
    trainer_name = "GRPO"
    requires = ("trl", "datasets")
    options_class = TrlGRPOOptions

    def trainer_options(self) -> dict[str, Any]:
        return {"scale_rewards": self.options.scale_rewards, "loss_type": self.options.loss_type}
