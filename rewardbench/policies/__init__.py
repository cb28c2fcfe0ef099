"""The policy zoo: one module per way of steering a model, one protocol (:class:`Policy`)."""

from __future__ import annotations

from typing import Any

from rewardbench.policies.base import CommonOptions, Policy, RunContext
from rewardbench.registry import Registry

__all__ = ["POLICIES", "CommonOptions", "Policy", "RunContext"]

POLICIES: Registry[Any] = Registry(
    "policy",
    {
        "reference": "rewardbench.policies.reference:ReferencePolicy",
        "best-of-n": "rewardbench.policies.best_of_n:BestOfNPolicy",
        "trl-ppo": "rewardbench.policies.trl_ppo:TrlPPOPolicy",
        "pfrl-ppo": "rewardbench.policies.pfrl_ppo:PfrlPPOPolicy",
        "trl-grpo": "rewardbench.policies.trl_grpo:TrlGRPOPolicy",
        "trl-rloo": "rewardbench.policies.trl_rloo:TrlRLOOPolicy",
    },
    entry_point_group="rewardbench.policies",
)
