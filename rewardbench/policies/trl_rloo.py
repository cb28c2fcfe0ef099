"""REINFORCE Leave-One-Out (Ahmadian et al. 2024) from TRL 1.12, with the zoo reward as ``reward_funcs``.

Each prompt is sampled ``num_generations`` times and every sample's baseline is the mean reward of the others.
``beta`` weighs the KL penalty against the reference (TRL's default 0.05; the reference is re-loaded from the
model folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rewardbench.policies.base import CommonOptions, Policy
from rewardbench.policies.trl_common import quiet_trl, train_group_policy


@dataclass(frozen=True)
class TrlRLOOOptions(CommonOptions):
    num_generations: int = 4  #: completions per prompt in a group (must divide the batch size)
    beta: float = 0.05  #: KL coefficient against the reference
    normalize_advantages: bool = False  #: standardise advantages per batch
    lora_r: int = 0  #: LoRA rank (0: full fine-tuning); needs peft
    save_steps: int = 0  #: checkpoint every this many steps for resuming (0: a quarter of the steps)


class TrlRLOOPolicy(Policy):
    id = "trl-rloo"
    options_class = TrlRLOOOptions

    def train(self) -> None:
        quiet_trl()
        self._model = train_group_policy(self, "RLOO", {"normalize_advantages": self.options.normalize_advantages})

    def model(self) -> Any:
        return self._model
