"""Glue shared by the TRL-based policies: their common options, training-curve capture, LoRA configs, log noise."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from rewardbench.errors import ConfigError
from rewardbench.extras import optional_import
from rewardbench.policies.base import CommonOptions


def trl_below(policy_id: str, version: str, why: str) -> None:
    """Raise a one-line :class:`ConfigError` unless the installed TRL is older than ``version``."""
    from importlib.metadata import version as installed

    from packaging.version import Version

    have = installed("trl")
    if Version(have) >= Version(version):
        raise ConfigError(
            f"policy {policy_id!r} needs TRL < {version} ({why}; TRL {have} is installed): "
            f"pip install 'trl>={_before(version)},<{version}' in its own environment, or use trl-grpo / trl-rloo"
        )


def _before(version: str) -> str:
    major, minor = version.split(".")[:2]
    return f"{major}.{int(minor) - 1}"


@dataclass(frozen=True)
class TrlOptions(CommonOptions):
    """Options every TRL-based policy understands."""

    lora_r: int = 0  #: LoRA rank (0: full fine-tuning); needs peft


class CurveCallback(TrainerCallback):
    """Turns the trainer's per-step log dicts into the policy's training-curve rows.

    Args:
        policy: the policy whose ``record`` receives the rows.
        keys: trainer log key -> curve column (``{"objective/scores": "reward"}``).
    """

    def __init__(self, policy: Any, keys: dict[str, str]) -> None:
        self.policy = policy
        self.keys = keys

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._row(int(state.global_step), logs or {})

    def replay(self, checkpoint: Path) -> None:
        """Record the rows of the steps before ``checkpoint`` from its trainer state (a resumed run's curve starts
        at step 1, not at the checkpoint)."""
        state = json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))
        for logs in state.get("log_history", []):
            if "step" in logs:
                self._row(int(logs["step"]), logs)

    def _row(self, step: int, logs: dict[str, Any]) -> None:
        values = {col: logs[key] for key, col in self.keys.items() if key in logs}
        if values:
            # a TRL step generates batch_size completions (GRPO/RLOO: the group members; PPO: one per prompt)
            self.policy.record(step, completions=self.policy.batch_size, **values)


class EvalPointCallback(TrainerCallback):
    """Hands the model being trained to ``policy.eval_point`` after every step (the harness measures it at the
    run's evaluation steps). PPO's model is its policy-and-value wrapper; a LoRA model is measured with its
    adapters in place."""

    def __init__(self, policy: Any) -> None:
        self.policy = policy

    def on_step_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if model is None:
            return
        model = getattr(model, "module", model)  # distributed wrapper
        model = getattr(model, "policy", model)  # PPO's PolicyAndValueWrapper
        if hasattr(model, "get_base_model"):  # peft: the base model with the LoRA layers injected
            model = model.get_base_model()
        self.policy.eval_point(int(state.global_step), model)


class SaveAt(TrainerCallback):
    """Asks the trainer for a checkpoint after each of ``steps`` (and no other)."""

    def __init__(self, steps: set[int]) -> None:
        self.steps = steps

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.global_step in self.steps:
            control.should_save = True


def peft_config(lora_r: int) -> Any:
    """A causal-LM LoRA config of rank ``lora_r`` on every linear layer, or None for full fine-tuning."""
    if not lora_r:
        return None
    peft = optional_import("peft", "bench", f"lora_r={lora_r} (LoRA)")
    return peft.LoraConfig(
        r=lora_r, lora_alpha=2 * lora_r, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM"
    )


def quiet_trl() -> None:
    """Silence TRL's experimental-API warning: using the last PPO release on purpose is the point."""
    import os
    import warnings

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    warnings.filterwarnings("ignore", message=".*experimental.*")
