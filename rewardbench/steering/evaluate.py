"""Evaluation of one model of a policy on held-out prompts: sample, select, then every registered metric.

One call gives one evaluation point per selection the policy makes (one, or one per n for best-of-n); the harness
calls it at every evaluation step of training and after training.
"""

from __future__ import annotations

from typing import Any

from rewardbench.policies import Policy
from rewardbench.rewards import Reward
from rewardbench.steering.metrics import EvalContext, metrics
from rewardbench.steering.metrics.base import keep_sampled_logprobs
from rewardbench.steering.sampling import sample
from rewardbench.tasks import Task
from rewardbench.tasks.prompts import Prompt


def evaluate_model(
    task: Task,
    source: str,
    policy: Policy,
    model: Any,
    reward: Reward,
    heldout: list[Prompt],
    per_prompt: int,
    seed: int,
    tok: Any,
    *,
    step: int,
    train_label: str = "",
    sample_rows: int = 0,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Sample ``per_prompt`` completions per held-out prompt from ``model`` and measure each selection of them.

    Returns:
        One evaluation point per selection: ``step``, ``label``, ``final``, ``prompt_index`` (the held-out prompt of
        each measured completion: the resampling unit of every interval), ``metrics`` (blocks by name) and the first
        ``sample_rows`` completions as (prompt, completion, reward) rows.
    """
    from tqdm.auto import tqdm

    n_raw = policy.samples_needed(per_prompt)
    with tqdm(total=len(heldout) * n_raw, desc=f"{policy.id} step {step}: sampling", disable=not progress) as bar:
        raw = sample(
            model,
            tok,
            [p.text for p in heldout],
            n=n_raw,
            gen=task.generation,
            seed=seed,
            progress=bar.update,
            logprobs=True,
        )
    points = []
    cache: dict[tuple[Any, ...], Any] = {}  # scores and log-probs of each raw sample, shared by the selections
    keep_sampled_logprobs(cache, model, task.generation.sampling(), raw)  # the KL's policy side, from sampling
    for selection in policy.selections(heldout, raw, per_prompt):
        ctx = EvalContext(
            task=task,
            source=source,
            policy=policy,
            model=model,
            reward=reward,
            train_label=train_label,
            heldout=heldout,
            samples=selection.samples,
            train_scores=[],
            seed=seed,
            stated_kl=selection.kl,
            progress=progress,
            cache=cache,
        )
        ctx.train_scores = ctx.score(reward)
        blocks: dict[str, Any] = {}
        for metric in metrics():
            if metric.applies(ctx):
                blocks.update(metric.compute(ctx))
        rows = [
            {"prompt": heldout[s.prompt_index].text, "completion": s.text, "reward": r}
            for s, r in zip(ctx.samples[:sample_rows], ctx.train_scores)
        ]
        points.append(
            {
                "step": step,
                "label": selection.label,
                "final": selection.final,
                "prompt_index": ctx.prompt_index,
                "metrics": blocks,
                "samples": rows,
            }
        )
    return points


#: Added to the run's seed for the showcase prompts' sampling, so their completions never repeat the held-out ones'.
SHOWCASE_SEED = 1_000_003


def showcase_samples(
    task: Task, policy: Policy, model: Any, reward: Reward, per_prompt: int, seed: int, tok: Any
) -> list[dict[str, Any]]:
    """``per_prompt`` completions of each of the task's showcase prompts from ``model``, as the policy returns them
    (best-of-n: its final n), with the training reward; the RNG state is restored, so nothing after it moves.

    Returns:
        (prompt, completion, reward) rows, in prompt order.
    """
    from rewardbench.policies.base import preserved_rng
    from rewardbench.tasks.prompts import columns_for

    prompts = [Prompt(text) for text in task.showcase]
    with preserved_rng():
        n = policy.samples_needed(per_prompt)
        raw = sample(model, tok, task.showcase, n=n, gen=task.generation, seed=seed + SHOWCASE_SEED)
        chosen = [s for s in policy.selections(prompts, raw, per_prompt) if s.final][-1].samples
        index = [s.prompt_index for s in chosen]
        scores = reward(
            prompts=[prompts[i].text for i in index],
            completions=[s.text for s in chosen],
            **columns_for(prompts, index),
        )
    return [
        {"prompt": prompts[s.prompt_index].text, "completion": s.text, "reward": float(r)}
        for s, r in zip(chosen, scores)
    ]
