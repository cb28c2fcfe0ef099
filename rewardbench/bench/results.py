"""The bench file (``results/bench/bench.json``): schema version, every key typed, one validating loader.

``rewardbench bench`` writes it after every case; ``BENCH.md`` is rendered from it alone. The key ``seed`` of a
scoring case (and ``seed_label``, ``speedup_vs_seed``) is the original notebooks' way of scoring, the project's
"seeds": one text per call, measured on the same items and model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

from rewardbench.errors import ConfigError
from rewardbench.io import Machine, check_schema, read_json

SCHEMA = "rewardbench.bench/1"


class Limit(TypedDict):
    """A square matmul's FLOP/s measured in the same run: the machine's practical ceiling."""

    size: int
    dtype: str
    device: str
    flops_per_s: float


class _Measured(TypedDict):
    items: int
    seconds: float  #: best of the repeats
    items_per_s: float
    rss_peak_mb: float
    rss_added_mb: float
    cuda_peak_mb: float | None


class BatchRow(_Measured, total=False):
    batch: int
    tokens_per_s: float
    flops_per_s: float  #: useful model FLOPs (each item counted alone) per second
    limit_fraction: float  #: of the matmul limit
    padding_overhead: float
    speedup_vs_seed: float  #: over the notebook loop


class NotebookRow(_Measured, total=False):
    """The original notebooks' one-item-per-call loop on the same items."""

    max_abs_diff: float | None  #: largest |ours - notebook| score difference
    flops_per_s: float
    limit_fraction: float
    speedup_ceiling: float  #: limit / the notebook loop's FLOP/s: the most any batching can gain


class _ScoringRequired(TypedDict):
    case: str
    unit: str  #: text or document
    reward: str
    checkpoint: str | None
    seed_label: str  #: how the notebooks scored
    note: str
    batches: list[BatchRow]


class ScoringCase(_ScoringRequired, total=False):
    seed: NotebookRow
    git_commit: str | None  #: commit the case was measured at (a resumed bench mixes several)
    measured: str


class _TrainingRequired(TypedDict):
    policy: str
    task: str
    preset: str
    steps: int
    batch_size: int
    options: dict[str, Any]
    samples: int
    setup_seconds: float
    loop_seconds: float
    step_seconds: float
    samples_per_s: float
    per_step: dict[str, float]  #: phase -> seconds per step
    fractions: dict[str, float]  #: phase -> share of the step
    rss_peak_mb: float
    rss_added_mb: float
    cuda_peak_mb: float | None


class TrainingCase(_TrainingRequired, total=False):
    precision: str  #: fp32 or bf16 (absent in benches before the precision part: fp32)
    git_commit: str | None
    measured: str


class PrecisionScoring(TypedDict):
    reward: str
    batch: int
    texts: int
    fp32: dict[str, float]  #: texts_per_s, limit_fraction (of the fp32 matmul limit)
    bf16: dict[str, float]  #: texts_per_s, limit_fraction (of the bf16 matmul limit)
    speedup: float  #: bf16 texts/s over fp32
    pairwise_agreement: float  #: share of text pairs bf16 orders as fp32 does
    agreement_texts: int
    max_abs_diff: float


class _PrecisionRequired(TypedDict):
    limits: dict[str, Limit]  #: fp32 and bf16 matmul limits measured in the same run
    scoring: list[PrecisionScoring]
    logprob_error: dict[str, Any]  #: bf16 vs fp32 token log-prob differences under the policy LM


class PrecisionPart(_PrecisionRequired, total=False):
    #: whether the device runs bf16 kernels (:func:`rewardbench.runtime.precision.bf16_supported`); without them
    #: torch computes bf16 on fallback paths, bf16 training is not run and shares of the bf16 limit mean nothing.
    #: Absent in benches before it was recorded.
    bf16_kernels: bool


class _BenchRequired(TypedDict):
    schema: str
    created: str
    git_commit: str | None
    machine: Machine
    packages: dict[str, str | None]
    config: dict[str, Any]  #: the ``BenchConfig`` of the invocation
    scoring: list[ScoringCase]
    training: list[TrainingCase]


class ServingLoad(TypedDict):
    seconds: float
    requests_per_s: float
    texts_per_s: float
    p50_ms: float
    p99_ms: float


class BadRequest(TypedDict):
    request: str  #: what was wrong with it
    status: int  #: the server's answer (0: the connection was closed)
    error: str  #: its one-line message
    served_after: bool  #: whether the good request right after it was answered 200


class _ServingRequired(TypedDict):
    reward: str
    clients: int
    requests: int  #: in all
    batch: int  #: texts per request
    server: ServingLoad
    reward_calls: int  #: batched reward calls the server made for them
    texts_per_reward_call: float
    in_process: ServingLoad
    bad_requests: list[BadRequest]


class ServingCase(_ServingRequired, total=False):
    """``rewardbench serve`` under a fixed loopback load, against the same reward in-process at the same batch."""

    #: where and at which commit the case was measured (a bench file may hold cases from another machine: its
    #: figures compare only with the in-process figures beside them, measured in the same run)
    machine: Machine
    git_commit: str | None


class BenchResult(_BenchRequired, total=False):
    limit: Limit
    precision: PrecisionPart
    serving: list[ServingCase]


def check_bench(doc: Any, where: str) -> BenchResult:
    """Validate a bench document (``where`` names it in errors) and return it."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise ConfigError(f"{where}: not a bench file (schema {found!r}, expected {SCHEMA!r})")
    check_schema(doc, BenchResult, f"{where}:")
    return doc  # type: ignore[return-value]


def load_bench(path: Path) -> BenchResult:
    """Read and validate ``bench.json``; errors name the file and the key."""
    return check_bench(read_json(path), str(path))
