"""Independent judges: the task's other rewards, scored on the same samples (reward hacking shows up here)."""

from __future__ import annotations

from typing import Any

from rewardbench.steering.metrics.base import Column, EvalContext, Metric, Run, delta, mean_column


def load_judges(task: Any, source: str, train_label: str) -> tuple[list[tuple[str, Any]], list[dict[str, str]]]:
    """The task's judge rewards usable on ``source`` (minus the training reward), and the skipped ones with reasons."""
    usable, skipped = [], []
    for spec in task.judges:
        if spec.label == train_label:
            continue
        try:
            reward = spec.load()
        except Exception as exc:  # noqa: BLE001 - a judge that cannot load is reported, not fatal
            skipped.append({"reward": spec.label, "reason": f"{exc.__class__.__name__}: {exc}"})
            continue
        if source == "embedded" and not reward.card.offline:
            skipped.append({"reward": spec.label, "reason": f"needs the hub ({reward.card.checkpoint})"})
            continue
        usable.append((spec.label, reward))
    return usable, skipped


def evaluation_judges(ctx: EvalContext) -> tuple[list[tuple[str, Any]], list[dict[str, str]]]:
    """:func:`load_judges` once per evaluation: every selection of it (best-of-n's n) scores with the same judge
    objects, which :meth:`EvalContext.score`'s cache needs (it knows a judge by ``id``, and a freed judge's ``id``
    can be given to the next one loaded)."""
    key = ("judges", ctx.source, ctx.train_label)
    if key not in ctx.cache:
        ctx.cache[key] = load_judges(ctx.task, ctx.source, ctx.train_label)
    return ctx.cache[key]


def judge_scores(ctx: EvalContext, judge: Any) -> list[float]:
    """A judge's score of every sample; on a control-code task the judge reads the prompt without its code."""
    return ctx.score(judge, strip_codes=bool(ctx.task.prompts.control_codes))


def compute(ctx: EvalContext) -> dict[str, Any]:
    from tqdm.auto import tqdm

    usable, skipped = evaluation_judges(ctx)
    scored = {}
    for label, judge in tqdm(usable, desc=f"{ctx.policy.id}: judges", disable=not ctx.progress):
        values = judge_scores(ctx, judge)
        scored[label] = {**ctx.summary(values), "values": values}
    return {"judges": scored, "judges_skipped": skipped}


def labels(runs: list[Run]) -> list[str]:
    """Every judge label that scored any of the runs, sorted."""
    return sorted({j for r in runs for j in r["metrics"]["judges"]})


def judge_deltas(group: list[Run], refs: list[Run], runs: list[Run]) -> dict[str, tuple[float, float, float]]:
    """Each judge's difference from the reference with its 95% interval (:func:`delta`), for the judges the
    reference was also scored by."""
    out = {}
    for j in labels(runs):
        d = delta(group, refs, lambda r, j=j: (r["metrics"]["judges"].get(j) or {}).get("values"))
        if d is not None:
            out[j] = d
    return out


def columns(runs: list[Run]) -> list[Column]:
    return [
        mean_column(
            f"judge {j}", lambda r, j=j: (r["metrics"]["judges"].get(j) or {}).get("mean"), higher_is_better=True
        )
        for j in labels(runs)
    ]


METRIC = Metric("judges", compute, columns)
