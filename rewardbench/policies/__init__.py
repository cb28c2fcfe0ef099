"""The policy zoo: one module per way of steering a model, one protocol (:class:`Policy`).

- :mod:`~rewardbench.policies.base`: the protocol (``Policy``, ``CommonOptions``, ``RunContext``).
- :mod:`~rewardbench.policies.training`: helpers the trainers share (seeding, a trainable LM copy, freezing).
- ``reference``, ``best_of_n``: no training; ``trl_ppo`` (with ``trl_adapter``, the PPO reward adapter),
  ``pfrl_ppo``, and ``trl_grpo`` / ``trl_rloo`` on the group loop of ``trl_group`` (``trl_common``: TRL glue).

To add a policy: copy ``trl_grpo.py`` (a TRL trainer) or ``reference.py`` (no training), subclass ``Policy`` with an
``id`` and a frozen ``options_class`` extending ``CommonOptions`` (one documented line per field), and add one line
below. Other packages register through the ``rewardbench.policies`` entry-point group. The registry's order is the
order of every report and bench table.
"""

from __future__ import annotations

from typing import Any

from rewardbench.policies.base import CommonOptions, Policy, RunContext
from rewardbench.registry import Registry

__all__ = ["POLICIES", "CommonOptions", "Policy", "RunContext", "trained_policy_ids"]

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


def trained_policy_ids() -> list[str]:
    """Ids of the policies that train (``Policy.trains``), in registry order (imports each policy module)."""
    return [pid for pid in POLICIES.in_order() if POLICIES.get(pid).trains]
