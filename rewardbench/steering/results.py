"""The run file (``OUT/TASK/runs/NAME/result.json``): its schema version, every key typed, one validating loader.

The harness writes run files through :func:`write_run` and the report, export and bench read them through
:func:`load_run` / :func:`load_runs`; nothing else reads them by string keys it defines itself.

Version 2 keeps every evaluation point of a run (``points``: evaluation steps along training, or each n of
best-of-n), each with the held-out prompt of every measured completion (``prompt_index``), the resampling unit of
every interval. Files of version 1 (one final evaluation, no prompt ids) still load: :func:`upgrade_v1` turns them
into one final point whose prompt ids follow from the sampling order. Embedded checkpoints' hashes stored as
``manifest_sha256`` are read as ``weights_sha256``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypedDict

from rewardbench.errors import ConfigError
from rewardbench.io import Machine, ModelInfo, check_schema, read_json, write_json_atomic

SCHEMA = "rewardbench.run/2"
OLD_SCHEMAS = ("rewardbench.run/1",)


class Summary(TypedDict):
    """Mean, standard deviation, 95% bootstrap interval of the mean (resampling the completions) and count."""

    mean: float | None
    std: float | None
    ci95: list[float] | None
    n: int


class ScoredSummary(Summary):
    """A :class:`Summary` with the per-completion values it summarises (in sample order)."""

    values: list[float]


class _MeasuredSummary(Summary, total=False):
    values: list[float]  #: per completion (version 2)


class TaskInfo(TypedDict):
    id: str
    file: str  #: the task YAML's file name
    source: str  #: embedded or hub
    preset: str
    description: str


class _PolicyInfoRequired(TypedDict):
    id: str
    version: int
    options: dict[str, Any]  #: the policy's options dataclass, as a mapping
    kl_kind: str  #: measured (by the harness) or stated (best-of-n; "analytic" in version 1)
    model: ModelInfo  #: the policy's starting checkpoint


class PolicyInfo(_PolicyInfoRequired, total=False):
    curve_kl_unit: str  #: what the trainer's own KL in ``curve`` is per (version 2)


class RewardInfo(TypedDict):
    id: str
    label: str  #: id plus target, e.g. ``sentiment-minilm-tweets:negative``
    version: int
    options: dict[str, Any]
    checkpoint: ModelInfo | None  #: None for rewards without a model (lexicons)


class _RunConfigRequired(TypedDict):
    preset: dict[str, Any]  #: the task preset used
    generation: dict[str, Any]  #: the task's sampling settings
    n_train_prompts: int
    n_eval_prompts: int


class RunConfigInfo(_RunConfigRequired, total=False):
    matched_kl: float  #: the task's matched-KL point (version 2)
    eval_steps: list[int]  #: steps the policy was evaluated at (version 2), however each was chosen
    precision: str  #: training precision, fp32 or bf16, and how it was chosen (absent in older runs: fp32)
    #: prompts evaluated on: heldout, or train for a tuning run (``rewardbench run --tune``; absent: heldout)
    eval_split: str


class _KLRequired(TypedDict):
    kind: str  #: measured (from the sampled tokens) or stated (by the policy: best-of-n)


class KLBlock(_KLRequired, total=False):
    """KL(policy ‖ reference) in nats per completion."""

    k1: _MeasuredSummary  #: measured: Schulman's k1 (its values per completion)
    k3: Summary | None  #: measured: Schulman's k3
    bound: float  #: stated: an upper bound
    estimate: float | None  #: stated: an estimate
    note: str  #: stated: what the values are


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


class DegenerationBlock(TypedDict):
    identical: float  #: share of completions equal to another
    rep_2: float  #: within-completion bigram repetition
    self_bleu: float  #: BLEU of each completion against the others (0-100)


class Metrics(_MetricsRequired, total=False):
    """Blocks of the registered steering metrics (``steering.metrics``); a plugin metric may add more keys."""

    by_code: dict[str, Summary]  #: control-code tasks: training reward per code
    degeneration: DegenerationBlock  #: version 2
    reference_overlap: ScoredSummary  #: summary tasks: ROUGE-L F of each completion against its prompt's reference


class SampleRow(TypedDict):
    prompt: str
    completion: str
    reward: float  #: the training reward


class Timing(TypedDict):
    train_seconds: float | None  #: None when a saved policy was loaded instead of trained
    eval_seconds: float
    seconds_per_step: float | None


class _PointRequired(TypedDict):
    step: int  #: training step (0: untrained)
    label: str  #: what else sets the point apart (best-of-n: ``n=4``)
    final: bool  #: the point the final-checkpoint table shows
    prompt_index: list[int]  #: held-out prompt of each measured completion, in the order of every ``values``
    metrics: Metrics
    samples: list[SampleRow]  #: the first completions, for the samples tables


class Point(_PointRequired, total=False):
    """One evaluation of the run's policy on the held-out prompts."""

    seconds: float  #: evaluation time of this point
    #: why this step was evaluated (absent in older files): ``{"reason": "step"}`` (evenly spaced),
    #: ``{"reason": "kl-target", "targets", "probe_k3"}`` (the KL probe reached those targets),
    #: ``{"reason": "end of training"}`` or ``{"reason": "untrained"}``; several when more than one held
    why: list[dict[str, Any]]


class KLProbeInfo(TypedDict):
    """The running KL estimate that placed a run's ``kl-target`` points (:mod:`rewardbench.steering.kl_probe`)."""

    targets: list[float]  #: the preset's ``eval_kl``
    prompts: int  #: training prompts probed
    per_prompt: int  #: completions per probe prompt
    split: str  #: always train: the probe never sees held-out prompts
    estimator: str
    trace: list[dict[str, float]]  #: ``{"step", "k1", "k3"}`` after each probed step


class _RunResultRequired(TypedDict):
    schema: str  #: :data:`SCHEMA`
    task: TaskInfo
    policy: PolicyInfo
    reward: RewardInfo
    seed: int
    config: RunConfigInfo
    points: list[Point]  #: every evaluation, in step order
    curve: list[dict[str, Any]]  #: one row per training step: step, seconds, reward, kl, loss, completions, ...
    timing: Timing
    policy_dir: str | None  #: the trained model's folder, if kept
    created: str  #: ISO time the file was written
    git_commit: str | None
    machine: Machine
    packages: dict[str, str | None]


class RunResult(_RunResultRequired, total=False):
    """One (task, training reward, policy, seed) run."""

    #: the task's showcase prompts (``Task.showcase``): the final policy's completions of each, with the training
    #: reward, sampled after the last evaluation (absent when the task has none, and in older files)
    showcase: list[SampleRow]
    #: each judge the run was scored by: label -> its id, version and checkpoint (absent in older files), so a
    #: report can refuse to pool runs whose judges had different weights
    judges: dict[str, JudgeInfo]
    kl_probe: KLProbeInfo  #: present when the preset placed evaluation points by KL


class JudgeInfo(TypedDict):
    id: str
    version: int
    checkpoint: ModelInfo | None  #: None for judges without a model (lexicons)


def _upgrade_model_info(info: dict[str, Any] | None) -> None:
    if info and "manifest_sha256" in info:
        info["weights_sha256"] = info.pop("manifest_sha256")


def upgrade_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """A version-1 run document as version 2: its one evaluation becomes the final point.

    Version 1 sampled ``samples_per_prompt`` completions per held-out prompt, in prompt order, and stored every
    per-completion list in that order, so the prompt of completion ``i`` is ``i // samples_per_prompt``. Its
    best-of-n KL was the bound alone.
    """
    metrics = doc.pop("metrics")
    per_prompt = doc["config"]["preset"]["samples_per_prompt"]
    kl = metrics["kl"]
    if kl.get("kind") == "analytic":
        metrics["kl"] = {"kind": "stated", "bound": kl["k1"]["mean"], "estimate": None, "note": kl.get("note", "")}
    n = metrics["train_reward"]["n"]
    step = len(doc.get("curve") or [])
    doc["points"] = [
        {
            "step": step,
            "label": "",
            "final": True,
            "prompt_index": [i // per_prompt for i in range(n)],
            "metrics": metrics,
            "samples": doc.pop("samples"),
        }
    ]
    doc["schema"] = SCHEMA
    return doc


def final_point(run: RunResult) -> Point:
    """The point the final-checkpoint table shows (the last one marked final)."""
    return [p for p in run["points"] if p["final"]][-1]


def check_run(doc: Any, where: str) -> RunResult:
    """Validate a run document (``where`` names it in errors) and return it, older versions upgraded."""
    if isinstance(doc, dict) and doc.get("schema") in OLD_SCHEMAS:
        try:
            doc = upgrade_v1(doc)
        except (KeyError, TypeError) as exc:
            raise ConfigError(
                f"{where}: a run/1 file without the key {exc}; it cannot be upgraded: rerun it"
            ) from None
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
    """Every run file (``**/result.json`` of this schema or an older one) under the folders; shards simply merge.

    Files named ``result.json`` of another schema are skipped; a broken run file raises, naming it.
    """
    runs, seen = [], set()
    for directory in directories:
        for path in sorted(Path(directory).rglob("result.json")):
            doc = read_json(path)
            if not isinstance(doc, dict) or doc.get("schema") not in (SCHEMA, *OLD_SCHEMAS):
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
