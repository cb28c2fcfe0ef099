"""The reward-evaluation file (``results/rewards/SUITE[_SOURCE].json``): schema version, typed keys, one loader.

The suites' documents are written through :func:`write_result` and the report reads them through
:func:`load_results`. Files of earlier writers with the same schema version load too: embedded checkpoints' hashes
stored as ``manifest_sha256`` are read as ``weights_sha256``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

from rewardbench.errors import ConfigError
from rewardbench.io import Machine, ModelInfo, check_schema, read_json, write_json_atomic

SCHEMA = "rewardbench.reward-eval/1"


class Skipped(TypedDict):
    reward: str
    reason: str  #: why the suite did not score it


class EvalConfigInfo(TypedDict):
    suite: str
    source: str
    seed: int
    n_pairs: int
    n_documents: int
    n_resamples: int
    rewards: list[str]


class _Accuracy(TypedDict):
    n_pairs: int
    accuracy: float  #: pairwise accuracy, ties counting half
    ci95: list[float]  #: percentile bootstrap over the pairs


class SentimentRow(_Accuracy):
    reward: str
    version: int
    pair_set: str
    target: str
    classifier_accuracy: float | None  #: the reward's own label decision, where it has labels


class FillRow(TypedDict):
    reward: str
    version: int
    pair_set: str
    condition: str  #: document only, preferred summary, other summary
    n_documents: int
    n_masks: int
    fill_accuracy: float
    fill_accuracy_ci95: list[float]
    logprob: float
    logprob_ci95: list[float]


class PairwiseRow(_Accuracy):
    scorer: str
    pair_set: str


class ProbeRow(TypedDict):
    reward: str
    version: int
    prompt: str
    better: str
    worse: str
    better_score: float
    worse_score: float
    passed: bool


class _ResultRequired(TypedDict):
    schema: str
    suite: str
    config: EvalConfigInfo
    created: str
    git_commit: str | None
    machine: Machine
    packages: dict[str, str | None]
    rows: list[dict[str, Any]]  #: SentimentRow, FillRow or ProbeRow by suite (checked in :func:`check_result`)
    skipped: list[Skipped]


class RewardEvalResult(_ResultRequired, total=False):
    checkpoints: dict[str, ModelInfo | None]  #: reward id -> its checkpoint (None: no model)
    pairwise: list[PairwiseRow]  #: summary suite
    pair_sets: dict[str, int]  #: summary suite: pair set -> pairs


ROWS = {"sentiment": SentimentRow, "summary": FillRow, "probes": ProbeRow}


def check_result(doc: Any, where: str) -> RewardEvalResult:
    """Validate a reward-evaluation document (``where`` names it in errors), older key names upgraded."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise ConfigError(f"{where}: not a reward-evaluation file (schema {found!r}, expected {SCHEMA!r})")
    for info in (doc.get("checkpoints") or {}).values():
        if info and "manifest_sha256" in info:
            info["weights_sha256"] = info.pop("manifest_sha256")
    check_schema(doc, RewardEvalResult, f"{where}:")
    row_type = ROWS.get(doc["suite"])
    if row_type is None:
        raise ConfigError(f"{where}: suite: unknown suite {doc['suite']!r} (suites: {', '.join(ROWS)})")
    check_schema(doc["rows"], list[row_type], f"{where}: rows")
    return doc  # type: ignore[return-value]


def write_result(path: Path, result: RewardEvalResult) -> Path:
    """Validate ``result`` and write it atomically to ``path``."""
    check_result(result, str(path))
    return write_json_atomic(path, result)


def load_results(directory: Path) -> list[RewardEvalResult]:
    """Every reward-evaluation file in ``directory`` (other JSON files are skipped; a broken one raises)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigError(f"results directory {str(directory)!r} does not exist")
    results = []
    for path in sorted(directory.glob("*.json")):
        doc = read_json(path)
        if isinstance(doc, dict) and doc.get("schema") == SCHEMA:
            results.append(check_result(doc, str(path)))
    if not results:
        raise ConfigError(f"no result files with schema {SCHEMA!r} in {directory}")
    return results
