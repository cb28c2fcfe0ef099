"""Tasks: YAML files in this folder, loaded into :class:`Task` (``load_task("dogecoin_negative")``)."""

from __future__ import annotations

from pathlib import Path

from rewardbench.errors import UnknownIdError
from rewardbench.registry import did_you_mean
from rewardbench.tasks.config import GenerationSpec, Preset, PromptSpec, RewardSpec, Task, load_task_file

__all__ = ["GenerationSpec", "Preset", "PromptSpec", "RewardSpec", "Task", "load_task", "task_ids"]

TASK_DIR = Path(__file__).parent


def task_ids() -> list[str]:
    """Ids of the built-in tasks."""
    return sorted(p.stem for p in TASK_DIR.glob("*.yaml"))


def load_task(spec: str) -> Task:
    """A built-in task by id, or any task YAML file by path.

    Raises:
        UnknownIdError: no such task; the message lists close matches.
        ConfigError: the YAML is malformed; the message names the file and field.
    """
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_task_file(path)
    if spec in task_ids():
        return load_task_file(TASK_DIR / f"{spec}.yaml")
    raise UnknownIdError(f"task {spec!r} not found{did_you_mean(spec, task_ids())} (known tasks: {', '.join(task_ids())}; or pass a .yaml path)")
