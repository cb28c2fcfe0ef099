"""The run file (``OUT/TASK/runs/NAME/result.json``): its schema version, every key typed, one validating loader.

The harness writes run files through :func:`write_run` and the report, export and bench read them through
:func:`load_run` / :func:`load_runs`; nothing else reads them by string keys it defines itself. Files of earlier
writers with the same schema version load too: embedded checkpoints' hashes stored as ``manifest_sha256`` are read as
``weights_sha256``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypedDict

from rewardbench.errors import ConfigError
from rewardbench.io import Machine, ModelInfo, check_schema, read_json, write_json_atomic

SCHEMA = "rewardbench.run/1"


class Summary(TypedDict):
    """Mean, standard deviation, 95% bootstrap interval of the mean (resampling the completions) and count."""

    mean: float | None
    std: float | None
    ci95: list[float] | None
    n: int


class ScoredSummary(Summary):
    """A :class:`Summary` with the per-completion values it summarises (in sample order)."""

    values: list[float]


class TaskInfo(TypedDict):
    id: str
    file: str  #: the task YAML's file name
    source: str  #: embedded or hub
    preset: str
    description: str


class PolicyInfo(TypedDict):
    id: str
    version: int
    options: dict[str, Any]  #: the policy's options dataclass, as a mapping
    kl_kind: str  #: measured or analytic
    model: ModelInfo  #: the policy's starting checkpoint


class RewardInfo(TypedDict):
    id: str
    label: str  #: id plus target, e.g. ``sentiment-minilm-tweets:negative``
    version: int
    options: dict[str, Any]
    checkpoint: ModelInfo | None  #: None for rewards without a model (lexicons)


class RunConfigInfo(TypedDict):
    preset: dict[str, Any]  #: the task preset used
    generation: dict[str, Any]  #: the task's sampling settings
    n_train_prompts: int
    n_eval_prompts: int


class _KLRequired(TypedDict):
    kind: str  #: measured (from sampled tokens) or analytic (stated by the policy)
    k1: Summary  #: nats per completion
    k3: Summary | None  #: None when analytic


class KLBlock(_KLRequired, total=False):
    note: str  #: what an analytic value is


class FluencyBlock(TypedDict):
    judge_lm: str  #: spec of the LM the perplexity is measured under
    note: str  #: what that LM is (independent, or the reference itself)
    perplexity: float  #: corpus perplexity of all completions
    per_sequence: Summary  #: per-completion perplexities


class DiversityBlock(TypedDict):
    distinct_1: float
    distinct_2: float
    mean_tokens: float  #: completion length in tokens


class Skipped(TypedDict):
    reward: str
    reason: str


class _MetricsRequired(TypedDict):
    train_reward: ScoredSummary
    judges: dict[str, ScoredSummary]  #: judge label -> scores
    judges_skipped: list[Skipped]
    kl: KLBlock
    fluency: FluencyBlock
    diversity: DiversityBlock


class Metrics(_MetricsRequired, total=False):
    """Blocks of the registered steering metrics (``steering.metrics``); a plugin metric may add more keys."""

    by_code: dict[str, Summary]  #: control-code tasks: training reward per code


class SampleRow(TypedDict):
    prompt: str
    completion: str
    reward: float  #: the training reward


class Timing(TypedDict):
    train_seconds: float | None  #: None when a saved policy was loaded instead of trained
    eval_seconds: float
    seconds_per_step: float | None


class RunResult(TypedDict):
    """One (task, training reward, policy, seed) run."""

    schema: str  #: :data:`SCHEMA`
    task: TaskInfo
    policy: PolicyInfo
    reward: RewardInfo
    seed: int
    config: RunConfigInfo
    metrics: Metrics
    curve: list[dict[str, Any]]  #: one row per training step: step, seconds, reward, kl, loss, ...
    samples: list[SampleRow]  #: the first held-out completions, for the samples tables
    timing: Timing
    policy_dir: str | None  #: the trained model's folder, if kept
    created: str  #: ISO time the file was written
    git_commit: str | None
    machine: Machine
    packages: dict[str, str | None]


def _upgrade_model_info(info: dict[str, Any] | None) -> None:
    if info and "manifest_sha256" in info:
        info["weights_sha256"] = info.pop("manifest_sha256")


def check_run(doc: Any, where: str) -> RunResult:
    """Validate a run document (``where`` names it in errors) and return it, older key names upgraded."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise ConfigError(f"{where}: not a run file (schema {found!r}, expected {SCHEMA!r})")
    for info in (doc.get("policy", {}).get("model"), doc.get("reward", {}).get("checkpoint")):
        _upgrade_model_info(info)
    check_schema(doc, RunResult, f"{where}:")
    return doc  # type: ignore[return-value]


def load_run(path: Path) -> RunResult:
    """Read and validate one run file.

    Raises:
        ConfigError: the file is unreadable, not JSON, of another schema, or a key is missing or mistyped; the
            message names the file and the key.
    """
    return check_run(read_json(path), str(path))


def write_run(path: Path, result: RunResult) -> Path:
    """Validate ``result`` and write it atomically to ``path``."""
    check_run(result, str(path))
    return write_json_atomic(path, result)


def load_runs(directories: Iterable[Path]) -> list[RunResult]:
    """Every run file (``**/result.json`` of this schema) under the given folders; shards simply merge.

    Files named ``result.json`` of another schema are skipped; a broken run file raises, naming it.
    """
    runs, seen = [], set()
    for directory in directories:
        for path in sorted(Path(directory).rglob("result.json")):
            doc = read_json(path)
            if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
                continue
            run = check_run(doc, str(path))
            key = (
                run["task"]["id"],
                run["task"]["source"],
                run["task"]["preset"],
                run["policy"]["id"],
                run["reward"]["label"],
                run["seed"],
            )
            if key not in seen:
                seen.add(key)
                runs.append(run)
    return runs
