"""The policy protocol: train on a task with a reward, then sample; every policy is seeded and evaluated alike.

Helpers the trainers share (seeding, a trainable copy of the LM, freezing, the policy tokenizer) live in
:mod:`rewardbench.policies.training`.
"""

from __future__ import annotations

import contextlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from rewardbench.errors import ConfigError
from rewardbench.extras import install_hint, missing
from rewardbench.options import build
from rewardbench.rewards import Reward
from rewardbench.runtime import models
from rewardbench.runtime.tracking import Tracking
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
    eval_steps: tuple[int, ...] = ()  #: training steps, before the last, at which the policy is evaluated
    on_eval: Callable[[int, Any], None] | None = None  #: the harness's measurement of a model at a training step
    #: hand every step before the last to ``on_eval``, not only ``eval_steps`` (the harness's KL probe then decides
    #: whether to measure there)
    every_step: bool = False
    tracking: Tracking = field(default_factory=Tracking)  #: the cell's experiment tracker (TRL's ``report_to``)
    precision: str = "fp32"  #: training precision, resolved: fp32 or bf16 mixed precision (fp32 master weights)


@dataclass(frozen=True)
class Selection:
    """Completions a policy returns for evaluation from what was sampled, and what it states about them."""

    samples: list[Any]  #: ``per_prompt`` samples per held-out prompt, in prompt order
    label: str = ""  #: what sets this selection apart (best-of-n: ``"n=4"``)
    final: bool = True  #: the selection the final-checkpoint table shows
    kl: dict[str, Any] | None = None  #: a stated KL instead of a measured one: ``bound``, ``estimate``, ``note``


@dataclass(frozen=True)
class CommonOptions:
    """Options every trained policy understands; each policy's options class extends this."""

    learning_rate: float | None = None  #: overrides the preset's learning rate
    steps: int | None = None  #: overrides the preset's number of training steps
    batch_size: int | None = None  #: overrides the preset's prompts per step
    trainable_layers: int = 0  #: train only the last N transformer blocks and the final norm (0: the whole model)


@contextlib.contextmanager
def preserved_rng() -> Iterator[None]:
    """Restore python, numpy and torch (CPU and CUDA) random states on exit: evaluation never shifts training."""
    import random

    import numpy as np
    import torch

    python, numpy = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng():  # torch's CPU and every CUDA device's generator
            yield
    finally:
        random.setstate(python)
        np.random.set_state(numpy)


@contextlib.contextmanager
def evaluation_mode(model: Any) -> Iterator[None]:
    """``model.eval()`` in full precision for the block, then the training mode (and precision) it had.

    A bf16 trainer may run its loop under autocast, and accelerate replaces a prepared model's ``forward`` with an
    autocast wrapper (keeping the original as ``_original_forward``): both are lifted here, so every evaluation
    point is measured in the same precision as the final one, whatever the training precision.
    """
    import torch

    was_training = model.training
    wrapped = model.__dict__.get("forward")
    original = model.__dict__.get("_original_forward")
    model.eval()
    if wrapped is not None and original is not None:
        model.forward = original
    try:
        with contextlib.ExitStack() as stack:
            for kind in ("cpu", "cuda") if torch.cuda.is_available() else ("cpu",):
                stack.enter_context(torch.autocast(kind, enabled=False))
            yield
    finally:
        if wrapped is not None and original is not None:
            model.forward = wrapped
        model.train(was_training)


class Policy(ABC):
    """A way of producing completions for a task: trained (``train``) and then sampled (``model``)."""

    id: ClassVar[str]
    version: ClassVar[int] = 1
    options_class: ClassVar[type] = CommonOptions
    #: ``measured``: the harness measures KL from sampled tokens; ``stated``: the policy states it
    #: (a :class:`Selection` with its ``kl``, best-of-n)
    kl_kind: ClassVar[str] = "measured"
    #: whether ``train`` changes weights (trained models are saved with the run and can be exported)
    trains: ClassVar[bool] = True
    #: what the trainer's own KL in the training curve is per (the harness's KL is always nats per completion)
    curve_kl_unit: ClassVar[str] = "nats per completion"
    #: modules the policy imports beyond the core install (all come with the ``[bench]`` extra)
    requires: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def check_installed(cls) -> None:
        """Raise a one-line :class:`ConfigError` when this policy cannot run with the installed packages (the
        harness's ``plan`` calls it, before any model loads)."""
        absent = missing(cls.requires)
        if absent:
            raise ConfigError(f"policy {cls.id!r} needs {', '.join(absent)}: {install_hint('bench')}")

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

    @classmethod
    def disk_estimate(cls, weights_bytes: int) -> dict[str, int]:
        """Bytes a run of this policy writes, by what, for a model whose weights take ``weights_bytes``: the
        trained model saved before evaluation (policies that train)."""
        return {"saved policy": weights_bytes} if cls.trains else {}

    def save(self, directory: Path) -> None:
        """Save the trained model as a plain Hugging Face folder (what ``rewardbench export`` copies)."""
        self.model().save_pretrained(directory)

    def load(self, directory: Path, curve: list[dict[str, Any]]) -> None:
        """Restore a model saved by :meth:`save` and its training curve, instead of training again."""
        from transformers import AutoModelForCausalLM

        self.trained = AutoModelForCausalLM.from_pretrained(directory).to(models.default_device()).eval()
        self.curve = list(curve)

    def selections(self, prompts: list[Prompt], samples: list[Any], per_prompt: int) -> list[Selection]:
        """What is evaluated from the sampled completions: the default evaluates them all, as one selection.

        Best-of-n returns one selection per n, each keeping the best of the first n samples of every group.
        """
        return [Selection(samples)]

    def samples_needed(self, n: int) -> int:
        """How many raw samples per prompt :meth:`selections` needs to return ``n``."""
        return n

    # -- evaluation points along training ------------------------------------------------------------------------
    def eval_steps(self, points: int) -> tuple[int, ...]:
        """The steps, before the last, at which a run with ``points`` evaluation points measures this policy.

        Evenly spaced over training; the last step is always measured (after training) and is not listed.
        """
        if not self.trains or points <= 1:
            return ()
        return tuple(sorted({max(1, round(k * self.steps / points)) for k in range(1, points)} - {self.steps}))

    def wants_eval(self, step: int) -> bool:
        """Whether :meth:`eval_point` after training step ``step`` hands the model to the harness (a trainer that
        must assemble the model to measure, like pfrl-ppo's LM with its trained head, asks first)."""
        ctx = self.ctx
        if ctx.on_eval is None or step >= self.steps:  # the last step is measured after training
            return False
        return ctx.every_step or step in ctx.eval_steps

    def eval_point(self, step: int, model: Any) -> None:
        """Trainers call this after every training step: at the run's evaluation steps (or, with a KL probe, at
        every step) the harness looks at ``model`` there, in eval mode, with every random generator restored
        afterwards, so training is unchanged."""
        if not self.wants_eval(step):
            return
        with preserved_rng(), evaluation_mode(model):
            self.ctx.on_eval(step, model)
