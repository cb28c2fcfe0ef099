"""The untrained model, sampled with the task's generation settings: the baseline every policy is compared with."""

from __future__ import annotations

from rewardbench.policies.base import Policy


class ReferencePolicy(Policy):
    """No training. Its KL from the reference is zero by construction (the harness measures it anyway)."""

    id = "reference"
    trains = False

    def train(self) -> None:
        return None
