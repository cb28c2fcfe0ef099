"""REINFORCE Leave-One-Out (Ahmadian et al. 2024) from TRL 1.12, with the zoo reward as ``reward_funcs``.

Each prompt is sampled ``num_generations`` times and every sample's baseline is the mean reward of the others.
``beta`` weighs the KL penalty against the reference (TRL's default 0.05; the reference is re-loaded from the
model folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rewardbench.policies.trl_group import GroupOptions, TrlGroupPolicy


@dataclass(frozen=True)
class TrlRLOOOptions(GroupOptions):
    beta: float = 0.05  #: KL coefficient against the reference (TRL's RLOO default)
    normalize_advantages: bool = False  #: standardise advantages per batch


class TrlRLOOPolicy(TrlGroupPolicy):
    id = "trl-rloo"
    trainer_name = "RLOO"
    requires = ("trl", "datasets")
    options_class = TrlRLOOOptions

    def trainer_options(self) -> dict[str, Any]:
        return {"normalize_advantages": self.options.normalize_advantages}
