"""Resumable trainer checkpoints: cheap (trainable weights and optimiser state only, written off the training
thread), and never half-written by a kill or a full disk.

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


def atomic_saves(trainer: Any, output_dir: Path) -> Callable[[], None]:
    """Make ``trainer`` write cheap checkpoints, whole or not at all, keeping only the newest.

    A checkpoint holds what resuming needs and nothing else: the *trainable* parameters (a frozen block or a
    reference model is never copied: it is rebuilt from the checkpoint the run started from, and transformers loads
    ``model.safetensors`` non-strictly), their optimiser state, the scheduler, the RNG states and the trainer state.
    On the training thread the checkpoint costs an in-memory copy of those tensors; a writer thread puts them in
    ``output_dir/.staging/checkpoint-N`` and renames it into place when whole. The next checkpoint (and the
    returned ``finish``, which the trainer's owner calls after training) waits for the previous write.

    Returns:
        ``finish()``: waits for the last write; re-raises a write error there.
    """
    import threading

    import torch
    from transformers.trainer_callback import ExportableState

    staging = output_dir / ".staging"
    pending: list[threading.Thread] = []
    errors: list[BaseException] = []

    def finish() -> None:
        while pending:
            pending.pop().join()
        if errors:
            raise errors.pop()

    def write(folder: Path, weights: dict[str, Any], optimizer: dict[str, Any]) -> None:
        from safetensors.torch import save_file

        try:
            save_file(weights, str(folder / "model.safetensors"), metadata={"format": "pt"})
            torch.save(optimizer, folder / "optimizer.pt")
            target = output_dir / folder.name
            if target.exists():
                shutil.rmtree(target)
            _move(folder, target)
            shutil.rmtree(staging, ignore_errors=True)
            for old in checkpoints(output_dir)[:-1]:
                shutil.rmtree(old)
        except BaseException as exc:  # noqa: BLE001 - handed to the training thread by finish()
            errors.append(exc)

    def save(model: Any, trial: Any, *args: Any, **kwargs: Any) -> None:
        finish()
        trainer.store_flos()
        folder = staging / f"{PREFIX}{trainer.state.global_step}"
        shutil.rmtree(staging, ignore_errors=True)
        folder.mkdir(parents=True)
        trainer._save_rng_state(str(folder))
        torch.save(trainer.lr_scheduler.state_dict(), folder / "scheduler.pt")
        for cb in [
            c for c in [*trainer.callback_handler.callbacks, trainer.control] if isinstance(c, ExportableState)
        ]:
            trainer.state.stateful_callbacks[cb.__class__.__name__] = cb.state()
        trainer.state.save_to_json(str(folder / "trainer_state.json"))
        unwrapped = trainer.accelerator.unwrap_model(trainer.model)
        weights = _copy_tensors({n: p for n, p in unwrapped.named_parameters() if p.requires_grad})
        optimizer = _copy_tensors(trainer.optimizer.state_dict())
        thread = threading.Thread(target=write, args=(folder, weights, optimizer), name="rewardbench-checkpoint")
        thread.start()
        pending.append(thread)

    trainer._save_checkpoint = save
    return finish


def _copy_tensors(tree: Any) -> Any:
    """``tree`` with every tensor copied to the CPU (a snapshot the optimiser's next step cannot change)."""
    import torch

    if isinstance(tree, torch.Tensor):
        return tree.detach().to("cpu", copy=True)
    if isinstance(tree, dict):
        return {k: _copy_tensors(v) for k, v in tree.items()}
    if isinstance(tree, list | tuple):
        return type(tree)(_copy_tensors(v) for v in tree)
    return tree
