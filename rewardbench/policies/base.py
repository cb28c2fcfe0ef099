"""The policy protocol: train on a task with a reward, then sample; every policy is seeded and evaluated alike.

Helpers the trainers share (seeding, a trainable copy of the LM, freezing, the policy tokenizer) live in
:mod:`rewardbench.policies.training`.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from rewardbench.rewards import Reward
from rewardbench.runtime import models
from rewardbench.tasks.loader import build
from rewardbench.tasks.prompts import Prompt
from rewardbench.tasks.spec import GenerationSpec, Preset


@dataclass
class RunContext:
    """Everything a policy needs for one (task, reward, policy, seed) run."""

    model: str  #: policy model spec: hub id, local folder or ``embedded:NAME``
    reward: Reward  #: the training reward, called keyword-only; it is also a TRL ``reward_funcs`` callable
    train_prompts: list[Prompt]  #: prompts to train on
    generation: GenerationSpec  #: sampling settings of the task
    preset: Preset  #: batch size, steps, learning rate
    seed: int  #: seeds torch, numpy, python and the trainers
    work_dir: Path  #: scratch space for this run: trainer output and checkpoints for resuming
    options: dict[str, Any] = field(default_factory=dict)  #: this policy's options (preset + command line)
    progress: bool = True  #: show progress bars
    log: Callable[[dict[str, Any]], None] | None = None  #: receives one training-curve row per step


@dataclass(frozen=True)
class CommonOptions:
    """Options every trained policy understands; each policy's options class extends this."""

    learning_rate: float | None = None  #: overrides the preset's learning rate
    steps: int | None = None  #: overrides the preset's number of training steps
    batch_size: int | None = None  #: overrides the preset's prompts per step
    trainable_layers: int = 0  #: train only the last N transformer blocks and the final norm (0: the whole model)


class Policy(ABC):
    """A way of producing completions for a task: trained (``train``) and then sampled (``model``)."""

    id: ClassVar[str]
    version: ClassVar[int] = 1
    options_class: ClassVar[type] = CommonOptions
    #: ``measured``: the harness measures KL from sampled tokens; ``analytic``: the policy states it
    #: (:meth:`analytic_kl`, best-of-n)
    kl_kind: ClassVar[str] = "measured"
    #: whether ``train`` changes weights (trained models are saved with the run and can be exported)
    trains: ClassVar[bool] = True

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.options = build(self.options_class, dict(ctx.options), f"policy {self.id} options")
        self.curve: list[dict[str, Any]] = []
        self.trained: Any = None  #: the trained causal LM, set by ``train`` (or ``load``) of policies that train
        self._t0 = time.perf_counter()

    # -- options shared by the trainers -------------------------------------------------------------------------
    @property
    def steps(self) -> int:
        return self.options.steps or self.ctx.preset.steps

    @property
    def batch_size(self) -> int:
        return self.options.batch_size or self.ctx.preset.batch_size

    @property
    def learning_rate(self) -> float:
        return self.options.learning_rate or self.ctx.preset.learning_rate

    def record(self, step: int, **values: Any) -> None:
        """Append one training-curve row (reward, kl, loss, ...) and pass it to the run's logger."""
        row = {
            "step": step,
            "seconds": round(time.perf_counter() - self._t0, 3),
            **{k: (None if v is None else float(v)) for k, v in values.items()},
        }
        self.curve.append(row)
        if self.ctx.log is not None:
            self.ctx.log(row)

    # -- the protocol -------------------------------------------------------------------------------------------
    @abstractmethod
    def train(self) -> None:
        """Train on ``ctx.train_prompts`` with ``ctx.reward``; set ``self.trained`` and fill ``self.curve``."""

    def model(self) -> Any:
        """The causal LM to sample from: the trained model, or the shared reference for policies that do not train."""
        if self.trained is not None:
            return self.trained
        if self.trains:
            raise RuntimeError(f"policy {self.id!r} has no model yet: call train() or load() first")
        return models.load_causal_lm(self.ctx.model)

    def save(self, directory: Path) -> None:
        """Save the trained model as a plain Hugging Face folder (what ``rewardbench export`` copies)."""
        self.model().save_pretrained(directory)

    def load(self, directory: Path, curve: list[dict[str, Any]]) -> None:
        """Restore a model saved by :meth:`save` and its training curve, instead of training again."""
        from transformers import AutoModelForCausalLM

        self.trained = AutoModelForCausalLM.from_pretrained(directory).to(models.default_device()).eval()
        self.curve = list(curve)

    def analytic_kl(self) -> tuple[float, str] | None:
        """For ``kl_kind == "analytic"``: the KL (nats per completion) and a note saying what it is; else None."""
        return None

    def select(self, prompts: list[Prompt], samples: list[Any]) -> list[Any]:
        """Post-process sampled completions (best-of-n keeps the best); the default keeps them all."""
        return samples

    def samples_needed(self, n: int) -> int:
        """How many raw samples per prompt ``select`` needs to return ``n``."""
        return n
