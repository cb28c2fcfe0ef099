"""Task YAML files -> :class:`~rewardbench.tasks.spec.Task`, validated, with errors that name the file and field.

Every error names the YAML file and the dotted field, e.g. ``dogecoin_negative.yaml: presets.cpu.steps: expected an
integer, got 'ten'``; :func:`rewardbench.options.build` does the mapping-to-dataclass step.
"""

from __future__ import annotations

from pathlib import Path

from rewardbench.errors import ConfigError, UnknownIdError
from rewardbench.options import build
from rewardbench.registry import did_you_mean
from rewardbench.tasks.spec import PROMPT_SOURCES, SOURCES, Task

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
    raise UnknownIdError(
        f"task {spec!r} not found{did_you_mean(spec, task_ids())} "
        f"(known tasks: {', '.join(task_ids())}; or pass a .yaml path)"
    )


def load_task_file(path: Path) -> Task:
    """Load and validate one task YAML file."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read task file {path}: {exc}") from exc
    except yaml.YAMLError as exc:  # one line: where, and what the parser expected
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise ConfigError(f"{path.name}: not valid YAML{at}: {problem}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: expected a mapping of task fields at the top level")
    data = {"id": path.stem, **data, "path": str(path)}
    task: Task = build(Task, data, f"{path.name}:")
    _validate(task, path.name)
    return task


def _validate(task: Task, where: str) -> None:
    """Checks that need several fields at once. Policy ids are checked against the policy registry by the harness
    (tasks sit below policies in the import order), with the file named there too."""
    if task.matched_kl <= 0:
        raise ConfigError(f"{where}: matched_kl: must be a KL in nats above 0, got {task.matched_kl}")
    if "cpu" not in task.presets:
        raise ConfigError(f"{where}: presets.cpu: every task needs a cpu preset")
    for source in list(task.model) + list(task.reward) + list(task.judge_lm):
        if source not in SOURCES:
            raise ConfigError(f"{where}: unknown source {source!r} (sources: {', '.join(SOURCES)})")
    if not task.sources():
        raise ConfigError(f"{where}: model and reward: no source has both a model and a reward")
    p = task.prompts
    if p.source not in PROMPT_SOURCES:
        raise ConfigError(f"{where}: prompts.source: {p.source!r} is not one of {', '.join(PROMPT_SOURCES)}")
    if p.source == "inline" and len(p.items) < 4:
        raise ConfigError(f"{where}: prompts.items: an inline source needs at least 4 prompts")
    if not 0 < p.heldout_fraction < 1:
        raise ConfigError(f"{where}: prompts.heldout_fraction: must be between 0 and 1, got {p.heldout_fraction}")
    if not 1 <= p.min_tokens <= p.max_tokens:
        raise ConfigError(f"{where}: prompts.min_tokens/max_tokens: need 1 <= min_tokens <= max_tokens")
    g = task.generation
    if g.max_new_tokens < 1 or g.temperature <= 0 or not 0 < g.top_p <= 1 or g.top_k < 0:
        raise ConfigError(
            f"{where}: generation: need max_new_tokens >= 1, temperature > 0, 0 < top_p <= 1, top_k >= 0"
        )
    for name, preset in task.presets.items():
        for key in ("batch_size", "steps", "samples_per_prompt", "eval_points", "run_cpus", "kl_probe_prompts"):
            if getattr(preset, key) < 1:
                raise ConfigError(f"{where}: presets.{name}.{key}: must be at least 1")
        if any(not t > 0 for t in preset.eval_kl) or len(set(preset.eval_kl)) != len(preset.eval_kl):
            raise ConfigError(
                f"{where}: presets.{name}.eval_kl: KL targets must be distinct and above 0 (nats per completion), "
                f"got {list(preset.eval_kl)}"
            )
        known = {label for spec in [*task.reward.values(), *task.judges] for label in (spec.id, spec.label)}
        for rid in preset.rewards:
            if rid not in known:
                raise ConfigError(
                    f"{where}: presets.{name}.rewards: {rid!r} is neither the task's reward nor one of its judges"
                    f"{did_you_mean(rid, sorted(known))}; a trained-on reward takes its options from the task"
                )
        if preset.run_gpus < 0:
            raise ConfigError(f"{where}: presets.{name}.run_gpus: must be 0 or more")
