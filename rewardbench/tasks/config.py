"""Task definitions: YAML files load into these frozen dataclasses and are validated here.

Every error names the YAML file and the dotted field, e.g. ``dogecoin_negative.yaml: presets.cpu.steps: expected an
integer, got 'ten'``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.registry import did_you_mean

SOURCES = ("embedded", "hub")
PROMPT_SOURCES = ("inline", "tweets", "imdb", "documents")


@dataclass(frozen=True)
class RewardSpec:
    """A reward of the zoo with its constructor options."""

    id: str  #: registry id, model folder or hub id (see ``rewardbench list rewards``)
    options: dict[str, Any] = field(default_factory=dict)  #: keyword options, e.g. ``{target: negative}``

    def load(self) -> Any:
        from rewardbench.rewards import load_reward

        return load_reward(self.id, **self.options)

    @property
    def label(self) -> str:
        """Short display name: the id plus a target if one is set."""
        target = self.options.get("target")
        return f"{self.id}:{target}" if target else self.id


@dataclass(frozen=True)
class PromptSpec:
    """Where prompts come from and how they split into training and held-out sets."""

    source: str  #: inline, tweets, imdb, or documents (aclsum embedded, summarize_from_feedback posts with the hub)
    items: tuple[str, ...] = ()  #: the prompts themselves (source ``inline``)
    dataset: str | None = None  #: hub id or local folder for ``load_dataset`` (``imdb``, and ``documents`` with the hub)
    min_tokens: int = 2  #: shortest prefix in policy tokens (sources ``tweets``, ``imdb``: the TRL LengthSampler)
    max_tokens: int = 8  #: longest prefix in policy tokens
    min_chars: int = 200  #: ``imdb``: only reviews longer than this (the TRL lab's filter)
    template: str = "{document}\n\nTL;DR:"  #: ``documents``: how a document becomes a prompt
    max_document_words: int = 120  #: ``documents``: documents are cut to this many words
    control_codes: tuple[str, ...] = ()  #: prefix each prompt with one of these codes, e.g. ``[negative]``
    heldout_fraction: float = 0.25  #: share of prompts kept for evaluation (never trained on)
    split_seed: int = 0  #: seed of the train/held-out split and of prefix lengths


@dataclass(frozen=True)
class GenerationSpec:
    """Sampling settings shared by training and evaluation (TextRL's and TRL's options)."""

    max_new_tokens: int = 16  #: completion length in tokens
    temperature: float = 1.0  #: softmax temperature
    top_k: int = 0  #: keep the k most likely tokens (0: all; PPO's importance ratios assume all)
    top_p: float = 1.0  #: nucleus sampling mass (1.0: all)
    repetition_penalty: float = 1.0  #: CTRL-style penalty on tokens already present (1.0: none)


@dataclass(frozen=True)
class Preset:
    """How much work a run does; ``cpu`` fits 2 cores in minutes, ``gpu`` is the seeds' scale."""

    policies: tuple[str, ...]  #: policies trained by default (``--policy`` overrides)
    train_prompts: int = 64  #: training prompts drawn from the training split (0: all)
    eval_prompts: int = 16  #: held-out prompts evaluated (0: all)
    samples_per_prompt: int = 4  #: completions sampled per held-out prompt
    batch_size: int = 8  #: prompts per training step
    steps: int = 20  #: training steps (optimiser rounds over one batch of rollouts)
    learning_rate: float = 3e-5  #: learning rate of every trainer unless a policy option overrides it
    policy_options: dict[str, dict[str, Any]] = field(default_factory=dict)  #: per-policy option overrides


@dataclass(frozen=True)
class Task:
    """One steering task: prompts, generation settings, models and rewards, and presets."""

    id: str  #: task id (the YAML file's stem)
    description: str  #: one paragraph for the report
    prompts: PromptSpec  #: where prompts come from
    model: dict[str, str]  #: policy model per source (``embedded`` / ``hub``)
    reward: dict[str, RewardSpec]  #: the reward trained on, per source
    presets: dict[str, Preset]  #: at least ``cpu``
    judges: tuple[RewardSpec, ...] = ()  #: rewards that evaluate the result but are not trained on
    judge_lm: dict[str, str] = field(default_factory=dict)  #: fluency judge LM per source (default: the policy model)
    generation: GenerationSpec = GenerationSpec()  #: sampling settings
    path: str = ""  #: the YAML file this came from

    def sources(self) -> list[str]:
        """Sources this task can run on (those with both a model and a reward)."""
        return [s for s in SOURCES if s in self.model and s in self.reward]

    def check_source(self, source: str) -> None:
        if source not in SOURCES:
            raise ConfigError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
        if source not in self.sources():
            raise ConfigError(f"task {self.id!r} has no {source} setting (it runs on: {', '.join(self.sources())}); "
                              + ("it needs the Hugging Face hub: pass --source hub" if source == "embedded" else
                                 "pass --source embedded"))

    def preset(self, name: str) -> Preset:
        if name not in self.presets:
            raise ConfigError(f"task {self.id!r} has no preset {name!r} (presets: {', '.join(self.presets)})")
        return self.presets[name]


def _type_name(tp: Any) -> str:
    return {int: "an integer", float: "a number", str: "a string", bool: "true or false"}.get(tp, str(tp))


def _convert(value: Any, tp: Any, where: str) -> Any:
    """Check ``value`` against the annotation ``tp`` and convert containers (lists -> tuples, dicts -> dataclasses)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        if value is None and type(None) in args:
            return None
        return _convert(value, next(a for a in args if a is not type(None)), where)
    if dataclasses.is_dataclass(tp):
        if tp is RewardSpec and isinstance(value, str):
            value = {"id": value}
        return build(tp, value, where)
    if origin is tuple:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        return tuple(_convert(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return {str(k): _convert(v, args[1], _join(where, k)) for k, v in value.items()}
    if tp is Any:
        return value
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: expected {_type_name(tp)}, got {value!r}")
    return value


def _join(where: str, name: object) -> str:
    """``file.yaml:`` + ``field`` -> ``file.yaml: field``; ``file.yaml: a`` + ``b`` -> ``file.yaml: a.b``."""
    return f"{where} {name}" if where.endswith(":") else f"{where}.{name}"


def build(cls: type, data: Any, where: str) -> Any:
    """Build dataclass ``cls`` from a YAML mapping, naming ``where`` (``file: field``) in every error."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of {cls.__name__} fields, got {data!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"{_join(where, unknown[0])}: unknown field{did_you_mean(unknown[0], fields)} "
                          f"(fields: {', '.join(fields)})")
    values = {}
    for name, f in fields.items():
        if name in data:
            values[name] = _convert(data[name], hints[name], _join(where, name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{_join(where, name)}: required field is missing")
    return cls(**values)


def load_task_file(path: Path) -> Task:
    """Load and validate one task YAML file."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read task file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: expected a mapping of task fields at the top level")
    data = {"id": path.stem, **data, "path": str(path)}
    task: Task = build(Task, data, f"{path.name}:")
    _validate(task, path.name)
    return task


def _validate(task: Task, where: str) -> None:
    from rewardbench.policies import POLICIES

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
        raise ConfigError(f"{where}: generation: need max_new_tokens >= 1, temperature > 0, 0 < top_p <= 1, top_k >= 0")
    for name, preset in task.presets.items():
        for pid in list(preset.policies) + list(preset.policy_options):
            if pid not in POLICIES:
                POLICIES.get(pid)  # raises with close matches
        for key in ("batch_size", "steps", "samples_per_prompt"):
            if getattr(preset, key) < 1:
                raise ConfigError(f"{where}: presets.{name}.{key}: must be at least 1")
