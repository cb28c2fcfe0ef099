"""Experiment trackers (``--report-to``): one tracker run per grid cell, named after the cell.

TRL's trainers report through their own ``report_to`` (:meth:`Tracking.trl_arguments`); everything else, the
training curve every policy records (``curve/reward``, ``curve/kl``, ``curve/loss``, ``curve/entropy``, ... the
same names for every trainer, PFRL's included) and the harness's evaluation points (``eval/train_reward``,
``eval/kl/k1``, ``eval/judges/vader:negative``, ...), goes through the :class:`Tracker` of
:meth:`Tracking.open`.

- ``tensorboard``: event files under the run's ``tracking/`` folder (TRL's writer is pointed there too), so
  ``tensorboard --logdir OUT/TASK/runs`` shows every cell as one run.
- ``wandb``: ``wandb.init(project=..., name=CELL)``; TRL's callback reuses that run. ``WANDB_MODE=offline`` works.
- ``trackio``: ``trackio.init(project=..., name=CELL)``, local by default.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.registry import did_you_mean

TRACKERS = ("none", "tensorboard", "trackio", "wandb")  #: each one but none is also the package it needs


def check_tracker(kind: str) -> None:
    """Refuse an unknown tracker, or one whose package is not installed, before anything runs.

    Raises:
        ConfigError: naming the close matches or the package to install.
    """
    if kind not in TRACKERS:
        raise ConfigError(
            f"unknown tracker {kind!r}{did_you_mean(kind, TRACKERS)}; choose one of {', '.join(TRACKERS)}"
        )
    if kind != "none" and importlib.util.find_spec(kind) is None:
        raise ConfigError(
            f"--report-to {kind} needs the {kind!r} package: pip install 'rewardbench[{kind}]' (or pip install {kind})"
        )


class Tracker:
    """Where a cell's scalars go; the base class drops them (``--report-to none``). A context manager: it closes."""

    def log(self, values: Mapping[str, Any], step: int) -> None:
        """Log the finite numbers of ``values`` at ``step`` (``None`` and non-numbers are skipped)."""
        numbers = {k: float(v) for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        if numbers:
            self._log(numbers, step)

    def _log(self, values: dict[str, float], step: int) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _TensorBoard(Tracker):
    def __init__(self, directory: Path, config: Mapping[str, Any]) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(log_dir=str(directory))
        self.writer.add_text("config", "\n".join(f"    {k}: {v}" for k, v in config.items()))

    def _log(self, values: dict[str, float], step: int) -> None:
        for key, value in values.items():
            self.writer.add_scalar(key, value, step)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


class _Wandb(Tracker):
    def __init__(self, project: str, name: str, directory: Path, config: Mapping[str, Any]) -> None:
        import wandb

        os.environ.setdefault("WANDB_PROJECT", project)  # TRL's WandbCallback reads it (and reuses this run)
        directory.mkdir(parents=True, exist_ok=True)
        self.run = wandb.init(
            project=os.environ["WANDB_PROJECT"], name=name, dir=str(directory), config=dict(config), reinit=True
        )

    def _log(self, values: dict[str, float], step: int) -> None:
        self.run.log({**values, "step": step})

    def close(self) -> None:
        self.run.finish()


class _Trackio(Tracker):
    def __init__(self, project: str, name: str, config: Mapping[str, Any]) -> None:
        import trackio

        self.trackio = trackio
        self.project, self.name, self.config = project, name, dict(config)
        self._open()

    def _open(self) -> None:
        self.trackio.init(project=self.project, name=self.name, config=self.config, resume="allow")

    def _log(self, values: dict[str, float], step: int) -> None:
        try:
            self.trackio.log(values, step=step)
        except RuntimeError:  # TRL's callback finished the shared run at the end of training: continue it
            self._open()
            self.trackio.log(values, step=step)

    def close(self) -> None:
        self.trackio.finish()


@dataclass(frozen=True)
class Tracking:
    """Where one grid cell reports: the tracker, its project and run name, and the folder of its local files."""

    kind: str = "none"  #: none, tensorboard, trackio or wandb
    project: str = "rewardbench"  #: tracker project (the harness uses ``rewardbench-TASK``)
    name: str = ""  #: tracker run name (the harness uses the cell's name, POLICY__REWARD__seedN)
    directory: Path = Path("tracking")  #: local files (TensorBoard event files)

    def open(self, config: Mapping[str, Any] | None = None) -> Tracker:
        """The tracker run of this cell, with ``config`` recorded on it (a no-op tracker for ``none``)."""
        check_tracker(self.kind)
        config = config or {}
        if self.kind == "tensorboard":
            return _TensorBoard(self.directory, config)
        if self.kind == "wandb":
            return _Wandb(self.project, self.name, self.directory, config)
        if self.kind == "trackio":
            return _Trackio(self.project, self.name, config)
        return Tracker()

    def trl_arguments(self) -> dict[str, Any]:
        """The ``TrainingArguments`` fields that make a TRL trainer report here under the cell's name."""
        if self.kind == "none":
            return {"report_to": []}
        return {"report_to": [self.kind], "run_name": self.name, "project": self.project}

    def point_trainer(self, trainer: Any) -> None:
        """Send a TRL trainer's TensorBoard events to this cell's folder (transformers' default is a dated folder
        under ``output_dir``)."""
        for callback in trainer.callback_handler.callbacks:
            if type(callback).__name__ == "TensorBoardCallback":
                callback.logging_dir = str(self.directory)


def scalars(point: Mapping[str, Any], prefix: str = "eval") -> dict[str, float]:
    """The numbers of an evaluation point's metrics as flat tracker names (a block with a ``mean`` gives it)."""
    out: dict[str, float] = {}

    def walk(value: Any, name: str) -> None:
        if isinstance(value, Mapping):
            if isinstance(value.get("mean"), (int, float)):
                out[name] = float(value["mean"])
                return
            for key, inner in value.items():
                walk(inner, f"{name}/{key}")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = float(value)

    label = point.get("label") or ""
    walk(point.get("metrics", {}), f"{prefix}/{label}" if label else prefix)
    return out
