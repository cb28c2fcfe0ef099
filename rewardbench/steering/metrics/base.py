"""What a steering metric is (:class:`Metric`, :class:`Column`), what it sees (:class:`EvalContext`), and the
cross-run helpers its leaderboard columns use (:func:`across`, :func:`delta`, :func:`fmt`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rewardbench.runtime.lm import Sampling
from rewardbench.stats import bootstrap_diff_ci, paired_cluster_diff_ci, seeds_and_prompts_diff_ci, summary, t_interval
from rewardbench.tasks.prompts import columns_for

if TYPE_CHECKING:
    from rewardbench.policies import Policy
    from rewardbench.rewards import Reward
    from rewardbench.steering.sampling import Sample
    from rewardbench.tasks import Task
    from rewardbench.tasks.prompts import Prompt

Run = dict[str, Any]  #: one run file (see :mod:`rewardbench.steering.results`)


@dataclass
class EvalContext:
    """Everything a metric may measure: one policy's selected samples on the held-out prompts, and their sources."""

    task: Task  #: the task
    source: str  #: embedded or hub
    policy: Policy  #: the policy evaluated
    model: Any  #: the model the samples were drawn from (the policy at one evaluation step)
    reward: Reward  #: the training reward
    train_label: str  #: the training reward's display label (judges equal to it are skipped)
    heldout: list[Prompt]  #: the held-out prompts
    samples: list[Sample]  #: the completions evaluated, after the policy's ``select``
    train_scores: list[float]  #: the training reward of each sample
    seed: int  #: seeds every bootstrap
    stated_kl: dict[str, Any] | None = None  #: a KL the policy states instead of one measured (best-of-n)
    progress: bool = True  #: progress bars
    #: per-sample scores and log-probs, shared by every selection of one evaluation (best-of-n's selections are
    #: subsets of one set of samples: each sample is scored once, whichever selections hold it)
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    @property
    def prompt_index(self) -> list[int]:
        """The held-out prompt of each sample: the resampling unit of every interval."""
        return [s.prompt_index for s in self.samples]

    def summary(self, values: list[float]) -> dict[str, Any]:
        """Mean, std, count and the 95% interval of the mean with prompts resampled (:func:`stats.summary`)."""
        return summary(values, seed=self.seed, clusters=self.prompt_index if values else None)

    def score(self, reward: Any, *, strip_codes: bool = False) -> list[float]:
        """``reward`` on every (held-out prompt, sample) pair, with the prompts' extra columns (each sample scored
        once per evaluation: see :attr:`cache`; ``reward`` must stay alive as long as the context, since the cache
        knows it by ``id``). ``strip_codes``: the prompts without their control code (what a judge should read)."""
        from rewardbench.rewards.control import split_code

        def text(i: int) -> str:
            return split_code(self.heldout[i].text)[1] if strip_codes else self.heldout[i].text

        def score(missing: list[Sample]) -> list[float]:
            indices = [s.prompt_index for s in missing]
            return list(
                reward(
                    prompts=[text(i) for i in indices],
                    completions=[s.text for s in missing],
                    **columns_for(self.heldout, indices),
                )
            )

        return self._cached(("score", id(reward), strip_codes), score)

    def token_logprobs(self, model: Any, sampling: Sampling | None = None) -> list[list[float]]:
        """Per-token log-probs of every sample's completion under ``model`` (processed as ``sampling`` draws),
        computed once per (model, sampling, sample)."""
        from rewardbench.steering.sampling import token_logprobs

        return self._cached(
            _logprob_key(model, sampling), lambda missing: token_logprobs(model, missing, sampling=sampling)
        )

    def _cached(self, kind: tuple[Any, ...], compute: Callable[[list[Sample]], list[Any]]) -> list[Any]:
        """``compute`` on the samples not yet in :attr:`cache` under ``kind``; every sample's value, in order."""
        missing = [s for s in dict.fromkeys(self.samples) if (*kind, s) not in self.cache]
        if missing:
            for sample, value in zip(missing, compute(missing), strict=True):
                self.cache[(*kind, sample)] = value
        return [self.cache[(*kind, s)] for s in self.samples]


def _logprob_key(model: Any, sampling: Sampling | None) -> tuple[Any, ...]:
    return ("logprobs", id(model), sampling or Sampling())


def keep_sampled_logprobs(
    cache: dict[tuple[Any, ...], Any], model: Any, sampling: Sampling, samples: Sequence[Sample]
) -> None:
    """Put the log-probs the sampler read off while drawing ``samples`` from ``model`` with ``sampling``
    (:attr:`Sample.logprobs`) into an evaluation's :attr:`EvalContext.cache`, so that the KL's policy log-probs (and,
    for the reference policy, the reference's) cost no second forward pass."""
    for s in samples:
        if s.logprobs is not None:
            cache[(*_logprob_key(model, sampling), s)] = list(s.logprobs)


@dataclass(frozen=True)
class Column:
    """One leaderboard column: a header, its direction and how a cell is written.

    ``cell(group, refs)`` gets the runs of one (policy, training reward) row, one per seed, and the reference
    policy's runs with the same training reward (empty for the reference itself, or when it did not run).
    """

    header: str  #: header text, without the direction arrow
    cell: Callable[[list[Run], list[Run]], str]  #: the cell text of one row
    higher_is_better: bool | None = None  #: ↑ (True), ↓ (False) or no arrow (None)

    @property
    def title(self) -> str:
        arrow = {True: " ↑", False: " ↓", None: ""}[self.higher_is_better]
        return self.header + arrow


def no_columns(runs: list[Run]) -> list[Column]:
    return []


def always(ctx: EvalContext) -> bool:
    return True


@dataclass(frozen=True)
class Metric:
    """A steering metric: what it adds to a run file and how the leaderboard shows it.

    To add one, write a module in this folder with a ``METRIC = Metric(...)`` (copy ``diversity.py``) and add a line
    to :data:`rewardbench.steering.metrics.METRICS`; the evaluator and the report pick it up from there.
    """

    name: str  #: registry id
    compute: Callable[[EvalContext], dict[str, Any]]  #: the blocks it adds to ``result["metrics"]``, by key
    columns: Callable[[list[Run]], list[Column]] = no_columns  #: its leaderboard columns, given all runs of a table
    applies: Callable[[EvalContext], bool] = always  #: whether it measures this task at all
    section: Callable[[dict[tuple[str, str], list[Run]], list[tuple[str, str]]], list[str]] | None = None
    """an extra report section: ``section(groups, order)`` -> markdown lines (groups by (policy, reward))"""


def fmt(mean: float | None, half: float | None = None, lo_hi: list[float] | None = None, digits: int = 3) -> str:
    """``mean ± half``, ``mean [lo, hi]`` or ``mean``; ``-`` when there is no value."""
    if mean is None:
        return "-"
    if half is not None:
        return f"{mean:.{digits}f} ± {half:.{digits}f}"
    if lo_hi:
        return f"{mean:.{digits}f} [{lo_hi[0]:.{digits}f}, {lo_hi[1]:.{digits}f}]"
    return f"{mean:.{digits}f}"


def across(
    runs: list[Run], get: Callable[[Run], float | None], block: Callable[[Run], dict[str, Any] | None] | None = None
) -> tuple[float | None, float | None, list[float] | None]:
    """Mean across seeds with a t half-width; with one seed, the bootstrap interval of ``block(run)`` if given."""
    values = [get(r) for r in runs]
    values = [v for v in values if v is not None]
    if not values:
        return None, None, None
    if len(values) == 1:
        return values[0], None, (block(runs[0]) or {}).get("ci95") if block else None
    mean, half = t_interval(values)
    return mean, half, None


def delta(
    runs: list[Run], refs: list[Run], key: Callable[[Run], list[float] | None]
) -> tuple[float, float, float] | None:
    """Mean difference from the reference and its 95% interval.

    Each seed is paired with its own reference and, within it, by prompt. Several seeds: a bootstrap that resamples
    the seeds and the prompts (:func:`rewardbench.stats.seeds_and_prompts_diff_ci`). One seed: a bootstrap over the
    prompts both arms share. Runs without prompt ids (run/1 files of one seed: completions bootstrapped as independent
    samples; of several: a t-interval over the seeds' differences) keep the older intervals.
    """
    by_seed = {r["seed"]: r for r in refs}
    pairs = [(r, by_seed[r["seed"]]) for r in runs if r["seed"] in by_seed]
    pairs = [(a, b) for a, b in pairs if key(a) is not None and key(b) is not None]
    if not pairs:
        return None
    if len(pairs) == 1:
        a, b = pairs[0]
        if a.get("prompt_index") is not None and b.get("prompt_index") is not None:
            return paired_cluster_diff_ci(key(a), a["prompt_index"], key(b), b["prompt_index"])
        lo, hi = bootstrap_diff_ci(key(a), key(b))
        return sum(key(a)) / len(key(a)) - sum(key(b)) / len(key(b)), lo, hi
    if all(a.get("prompt_index") is not None and b.get("prompt_index") is not None for a, b in pairs):
        return seeds_and_prompts_diff_ci([(key(a), a["prompt_index"], key(b), b["prompt_index"]) for a, b in pairs])
    diffs = [sum(key(a)) / len(key(a)) - sum(key(b)) / len(key(b)) for a, b in pairs]
    mean, half = t_interval(diffs)
    return mean, mean - half, mean + half


def mean_column(
    header: str,
    get: Callable[[Run], float | None],
    *,
    higher_is_better: bool | None,
    digits: int = 3,
    block: Callable[[Run], dict[str, Any] | None] | None = None,
) -> Column:
    """A column of the mean across seeds (± t half-width), or one seed's value with its bootstrap interval."""
    return Column(header, lambda group, refs: fmt(*across(group, get, block), digits=digits), higher_is_better)
