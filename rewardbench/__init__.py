"""rewardbench: a reward-model zoo and evaluation benchmark for steering text generators with RL.

Nothing heavy is imported here: ``import rewardbench`` costs milliseconds, models load on first use.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "load_reward", "list_rewards", "check_reward", "evaluate_module"]


def __getattr__(name: str) -> Any:
    if name in ("load_reward", "list_rewards"):
        from rewardbench import rewards

        return getattr(rewards, name)
    if name == "evaluate_module":
        from rewardbench.rewards.measurement import evaluate_module

        return evaluate_module
    if name == "check_reward":
        from rewardbench.testing import check_reward

        return check_reward
    raise AttributeError(f"module 'rewardbench' has no attribute {name!r}")
