"""Evaluation of one policy on held-out prompts: rewards, judges, KL, fluency, diversity, samples."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rewardbench.generation import sample, token_logprobs
from rewardbench.metrics import distinct_n, kl_estimates, perplexity, summary
from rewardbench.prompts import Prompt, columns_for


def _score(reward: Any, prompts: list[Prompt], samples: list[Any]) -> list[float]:
    indices = [s.prompt_index for s in samples]
    return list(reward(prompts=[prompts[i].text for i in indices], completions=[s.text for s in samples],
                       **columns_for(prompts, indices)))


def judges(task: Any, source: str, train_label: str) -> tuple[list[tuple[str, Any]], list[dict[str, str]]]:
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


def judge_lm(task: Any, source: str) -> tuple[str, str]:
    """The fluency judge LM spec and a note on what it is."""
    if source in task.judge_lm:
        return task.judge_lm[source], "independent LM"
    return task.model[source], "the reference policy model itself (no independent LM on this source)"


def evaluate_policy(task: Any, source: str, policy: Any, reward: Any, heldout: list[Prompt], per_prompt: int,
                    seed: int, tok: Any, *, train_label: str = "", progress: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Sample ``per_prompt`` completions per held-out prompt and measure them.

    Returns:
        ``(metrics, samples)``: metric blocks keyed by name, and one row per completion (prompt, text, reward).
    """
    from tqdm.auto import tqdm

    from rewardbench import models

    model = policy.model()
    n_raw = policy.samples_needed(per_prompt)
    with tqdm(total=len(heldout) * n_raw, desc=f"{policy.id}: sampling", disable=not progress) as bar:
        raw = sample(model, tok, [p.text for p in heldout], n=n_raw, gen=task.generation, seed=seed,
                     progress=bar.update)
    samples = policy.select(heldout, raw)
    train_scores = _score(reward, heldout, samples)
    metrics: dict[str, Any] = {"train_reward": {**summary(train_scores, seed=seed), "values": train_scores}}

    usable, skipped = judges(task, source, train_label)
    metrics["judges"] = {}
    for label, judge in tqdm(usable, desc=f"{policy.id}: judges", disable=not progress):
        values = _score(judge, heldout, samples)
        metrics["judges"][label] = {**summary(values, seed=seed), "values": values}
    metrics["judges_skipped"] = skipped

    if policy.kl_kind == "analytic":
        bound = policy.analytic_kl()
        metrics["kl"] = {"kind": "analytic", "k1": {"mean": bound, "std": 0.0, "ci95": [bound, bound], "n": 1},
                         "k3": None, "note": "best-of-n bound log n - (n-1)/n"}
    else:
        reference = models.load_causal_lm(task.model[source])
        lp = token_logprobs(model, samples, temperature=task.generation.temperature)
        lq = lp if model is reference else token_logprobs(reference, samples, temperature=task.generation.temperature)
        k1, k3 = kl_estimates(lp, lq)
        metrics["kl"] = {"kind": "measured", "k1": summary(k1, seed=seed), "k3": summary(k3, seed=seed)}

    lm_spec, lm_note = judge_lm(task, source)
    corpus_ppl, per_seq = perplexity(token_logprobs(models.load_causal_lm(lm_spec), samples))
    metrics["fluency"] = {"judge_lm": lm_spec, "note": lm_note, "perplexity": corpus_ppl,
                          "per_sequence": summary(per_seq, seed=seed)}
    texts = [s.text for s in samples]
    metrics["diversity"] = {"distinct_1": distinct_n(texts, 1), "distinct_2": distinct_n(texts, 2),
                            "mean_tokens": sum(len(s.completion_ids) for s in samples) / max(1, len(samples))}
    if task.prompts.control_codes:
        metrics["by_code"] = _by_code(heldout, samples, train_scores, seed)
    rows = [{"prompt": heldout[s.prompt_index].text, "completion": s.text, "reward": r}
            for s, r in zip(samples, train_scores)]
    return metrics, rows


def _by_code(prompts: list[Prompt], samples: list[Any], scores: list[float], seed: int) -> dict[str, Any]:
    from rewardbench.rewards.control import split_code

    groups: dict[str, list[float]] = defaultdict(list)
    for s, r in zip(samples, scores):
        groups[split_code(prompts[s.prompt_index].text)[0] or "(none)"].append(r)
    return {code: summary(vals, seed=seed) for code, vals in sorted(groups.items())}
