"""Evaluation of one policy on held-out prompts: sample, select, then every registered metric on the samples."""

from __future__ import annotations

from typing import Any

from rewardbench.policies import Policy
from rewardbench.rewards import Reward
from rewardbench.steering.metrics import EvalContext, metrics
from rewardbench.steering.sampling import sample
from rewardbench.tasks import Task
from rewardbench.tasks.prompts import Prompt


def evaluate_policy(
    task: Task,
    source: str,
    policy: Policy,
    reward: Reward,
    heldout: list[Prompt],
    per_prompt: int,
    seed: int,
    tok: Any,
    *,
    train_label: str = "",
    progress: bool = True,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Sample ``per_prompt`` completions per held-out prompt and measure them with every registered metric.

    Returns:
        ``(metrics, samples)``: metric blocks keyed by name, and one row per completion (prompt, text, reward).
    """
    from tqdm.auto import tqdm

    n_raw = policy.samples_needed(per_prompt)
    with tqdm(total=len(heldout) * n_raw, desc=f"{policy.id}: sampling", disable=not progress) as bar:
        raw = sample(
            policy.model(),
            tok,
            [p.text for p in heldout],
            n=n_raw,
            gen=task.generation,
            seed=seed,
            progress=bar.update,
        )
    ctx = EvalContext(
        task=task,
        source=source,
        policy=policy,
        reward=reward,
        train_label=train_label,
        heldout=heldout,
        samples=policy.select(heldout, raw),
        train_scores=[],
        seed=seed,
        progress=progress,
    )
    ctx.train_scores = ctx.score(reward)
    blocks: dict[str, Any] = {}
    for metric in metrics():
        if metric.applies(ctx):
            blocks.update(metric.compute(ctx))
    rows = [
        {"prompt": heldout[s.prompt_index].text, "completion": s.text, "reward": r}
        for s, r in zip(ctx.samples, ctx.train_scores)
    ]
    return blocks, rows
