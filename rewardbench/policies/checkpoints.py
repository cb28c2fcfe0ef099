"""Resumable trainer checkpoints that a kill or a full disk cannot leave half-written.

A checkpoint is written into ``OUTPUT/.staging/`` and renamed into place only once complete, so ``OUTPUT`` holds
whole checkpoints alone; older ones are removed only after the new one is in place. Before resuming, each
``checkpoint-N`` is checked (trainer state, weights, optimiser state present and readable); an invalid one is set
aside as ``checkpoint-N.invalid-TIME`` (renamed, never deleted) and training resumes from the newest valid one, or
from the start, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PREFIX = "checkpoint-"
WEIGHTS = ("model.safetensors", "adapter_model.safetensors", "pytorch_model.bin")


def _step(path: Path) -> int:
    return int(path.name[len(PREFIX) :])


def checkpoints(output_dir: Path) -> list[Path]:
    """``checkpoint-N`` folders of ``output_dir``, newest last."""
    if not output_dir.is_dir():
        return []
    found = [p for p in output_dir.glob(f"{PREFIX}*") if p.is_dir() and p.name[len(PREFIX) :].isdigit()]
    return sorted(found, key=_step)


def problem(checkpoint: Path) -> str | None:
    """Why ``checkpoint`` cannot be resumed from, or None when it looks whole."""
    state = checkpoint / "trainer_state.json"
    if not state.is_file():
        return "no trainer_state.json"
    try:
        step = json.loads(state.read_text(encoding="utf-8")).get("global_step")
    except (OSError, json.JSONDecodeError) as exc:
        return f"unreadable trainer_state.json ({exc})"
    if step != _step(checkpoint):
        return f"trainer_state.json says step {step}"
    if not any((checkpoint / w).is_file() and (checkpoint / w).stat().st_size > 0 for w in WEIGHTS):
        return "no model weights"
    if not (checkpoint / "optimizer.pt").is_file() or (checkpoint / "optimizer.pt").stat().st_size == 0:
        return "no optimizer state"
    return None


def latest_valid(output_dir: Path, echo: Callable[[str], None] = print) -> Path | None:
    """The newest whole checkpoint of ``output_dir``; invalid ones are renamed aside with a line saying why."""
    shutil.rmtree(output_dir / ".staging", ignore_errors=True)  # a checkpoint whose writing was interrupted
    newest = None
    for checkpoint in checkpoints(output_dir):
        why = problem(checkpoint)
        if why is None:
            newest = checkpoint
            continue
        aside = checkpoint.with_name(f"{checkpoint.name}.invalid-{time.strftime('%Y%m%d-%H%M%S')}")
        checkpoint.rename(aside)
        echo(f"[rewardbench] checkpoint {checkpoint} is incomplete ({why}); set aside as {aside.name}")
    if newest is None and any(output_dir.glob(f"{PREFIX}*.invalid-*")):
        echo(f"[rewardbench] no valid checkpoint in {output_dir}: training starts from the beginning")
    return newest


def _move(source: Path, target: Path) -> None:
    os.replace(source, target)  # atomic within a file system: the checkpoint appears whole or not at all


def atomic_saves(trainer: Any, output_dir: Path) -> None:
    """Make ``trainer`` write each checkpoint into ``output_dir/.staging`` and rename it into place when whole,
    keeping only the newest (``save_total_limit=1``)."""
    save = trainer._save_checkpoint
    staging = output_dir / ".staging"

    def atomic(model: Any, trial: Any, *args: Any, **kwargs: Any) -> Any:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        trainer.args.output_dir = str(staging)
        try:
            result = save(model, trial, *args, **kwargs)
        finally:
            trainer.args.output_dir = str(output_dir)
        for written in checkpoints(staging):
            target = output_dir / written.name
            if target.exists():
                shutil.rmtree(target)
            _move(written, target)
        shutil.rmtree(staging, ignore_errors=True)
        for old in checkpoints(output_dir)[:-1]:
            shutil.rmtree(old)
        return result

    trainer._save_checkpoint = atomic
