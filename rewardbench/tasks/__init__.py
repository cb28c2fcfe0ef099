"""Tasks: YAML files in this folder, loaded into :class:`Task` (``load_task("dogecoin_negative")``).

- :mod:`~rewardbench.tasks.spec`: the frozen dataclasses (``Task``, ``PromptSpec``, ``GenerationSpec``, ``Preset``,
  ``RewardSpec``), one documented line per field.
- :mod:`~rewardbench.tasks.loader`: YAML -> ``Task``, with errors naming the file and field.
- :mod:`~rewardbench.tasks.prompts`: prompt sources and the seeded train/held-out split.

To add a task: copy ``dogecoin_negative.yaml`` (inline prompts) or ``tweets_negative.yaml`` (prompts from a data
set) to ``NAME.yaml`` in this folder; it is found by its file name. A new prompt source is a branch of
:func:`~rewardbench.tasks.prompts.build_prompts` and a name in ``spec.PROMPT_SOURCES``.
"""

from __future__ import annotations

from rewardbench.tasks.loader import load_task, task_ids
from rewardbench.tasks.spec import GenerationSpec, Preset, PromptSpec, RewardSpec, Task

__all__ = ["GenerationSpec", "Preset", "PromptSpec", "RewardSpec", "Task", "load_task", "task_ids"]
