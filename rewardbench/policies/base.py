"""The policy protocol: train on a task with a reward, then sample; every policy is seeded and evaluated alike."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from rewardbench.errors import ConfigError
from rewardbench.prompts import Prompt
from rewardbench.tasks.config import GenerationSpec, Preset, build


@dataclass
class RunContext:
    """Everything a policy needs for one (task, reward, policy, seed) run."""

    task_id: str  #: task id (for messages)
    model: str  #: policy model spec: hub id, local folder or ``embedded:NAME``
    reward: Any  #: the training reward (a zoo ``Reward``, called keyword-only)
    train_prompts: list[Prompt]  #: prompts to train on
    generation: GenerationSpec  #: sampling settings of the task
    preset: Preset  #: batch size, steps, learning rate
    seed: int  #: seeds torch, numpy, python and the trainers
    work_dir: Path  #: scratch space for this run: trainer output and checkpoints for resuming
    options: dict[str, Any] = field(default_factory=dict)  #: this policy's options (preset + command line)
    progress: bool = True  #: show progress bars
    log: Callable[[dict[str, Any]], None] | None = None  #: receives one training-curve row per step

    def reward_fn(self) -> Callable[..., list[float]]:
        """The training reward as a TRL ``reward_funcs`` callable (its ``__name__`` is the reward id)."""
        return self.reward


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
    #: ``measured``: the harness measures KL from sampled tokens; ``analytic``: the policy states it (best-of-n)
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
        row = {"step": step, "seconds": round(time.perf_counter() - self._t0, 3),
               **{k: (None if v is None else float(v)) for k, v in values.items()}}
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
        from rewardbench import models

        return models.load_causal_lm(self.ctx.model)

    def save(self, directory: Path) -> None:
        """Save the trained model as a plain Hugging Face folder (what ``rewardbench export`` copies)."""
        self.model().save_pretrained(directory)

    def load(self, directory: Path, curve: list[dict[str, Any]]) -> None:
        """Restore a model saved by :meth:`save` and its training curve, instead of training again."""
        from transformers import AutoModelForCausalLM

        from rewardbench import models

        self.trained = AutoModelForCausalLM.from_pretrained(directory).to(models.default_device()).eval()
        self.curve = list(curve)

    def analytic_kl(self) -> float | None:
        """The KL bound of policies that state one (``kl_kind == "analytic"``)."""
        return None

    def select(self, prompts: list[Prompt], samples: list[Any]) -> list[Any]:
        """Post-process sampled completions (best-of-n keeps the best); the default keeps them all."""
        return samples

    def samples_needed(self, n: int) -> int:
        """How many raw samples per prompt ``select`` needs to return ``n``."""
        return n


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (transformers' ``set_seed`` does the same plus CUDA)."""
    from transformers import set_seed

    set_seed(seed)


def load_trainable_lm(spec: str) -> Any:
    """A fresh, trainable copy of a causal LM (never the shared evaluation copy)."""
    from transformers import AutoModelForCausalLM

    from rewardbench import models

    model = models._from_pretrained(AutoModelForCausalLM.from_pretrained, spec)
    return model.to(models.default_device())


def freeze_below(model: Any, trainable_layers: int, keep: tuple[str, ...] = ()) -> None:
    """Freeze everything but the last ``trainable_layers`` transformer blocks, the final norm and ``keep`` modules.

    The blocks are the model's longest ``nn.ModuleList`` (``model.layers`` in Llama, ``transformer.h`` in GPT-2).
    Cuts backward cost on CPU; 0 leaves the model untouched.
    """
    if not trainable_layers:
        return
    from torch import nn

    blocks = max((m for m in model.modules() if isinstance(m, nn.ModuleList)), key=len, default=None)
    if blocks is None or trainable_layers > len(blocks):
        raise ConfigError(f"trainable_layers={trainable_layers} but the model has {len(blocks or [])} blocks")
    for p in model.parameters():
        p.requires_grad_(False)
    trainable = list(blocks[-trainable_layers:])
    trainable += [m for name, m in model.named_modules() if name.endswith(("norm", "ln_f")) and "layers" not in name
                  and ".h." not in name]
    trainable += [getattr(model, k) for k in keep if getattr(model, k, None) is not None]
    for module in trainable:
        for p in module.parameters():
            p.requires_grad_(True)


def policy_tokenizer(spec: str) -> Any:
    """The policy tokenizer, left-padded for generation, with a pad token distinct from eos where possible."""
    from rewardbench import models

    return models.load_tokenizer(spec, padding_side="left")
