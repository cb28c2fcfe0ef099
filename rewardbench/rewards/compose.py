"""Compositions: weighted sums of rewards, with z-score normalisation against a fixed sample and clipping."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.rewards.base import Reward, RewardCard


class NormalizedReward(Reward):
    """A reward z-scored against a fixed reference sample, then optionally clipped.

    Measures: (reward - mean_ref) / std_ref, where the mean and std come from scoring ``reference_prompts`` /
    ``reference_completions`` once, on first use; clipped to ``clip`` if given. Range: ``clip`` or unbounded.
    """

    def __init__(
        self,
        reward: Reward,
        *,
        reference_prompts: Sequence[str] | None = None,
        reference_completions: Sequence[str] | None = None,
        clip: tuple[float, float] | None = None,
    ) -> None:
        if reference_completions is not None and len(reference_completions) < 2:
            raise ConfigError("z-score normalisation needs at least 2 reference completions")
        if clip is not None and not clip[0] < clip[1]:
            raise ConfigError(f"clip must be (low, high) with low < high, got {clip}")
        self.reward, self.clip = reward, clip
        self.reference = (
            (list(reference_prompts or [""] * len(reference_completions)), list(reference_completions))
            if reference_completions is not None
            else None
        )
        self._stats: tuple[float, float] | None = None
        card = reward.card
        super().__init__(
            RewardCard(
                id=card.id,
                version=card.version,
                checkpoint=card.checkpoint,
                citation=card.citation,
                measures=card.measures
                + (" (z-scored)" if self.reference else "")
                + (f" (clipped to {clip})" if clip else ""),
                range=f"[{clip[0]}, {clip[1]}]" if clip else ("(-inf, inf)" if self.reference else card.range),
                higher_is_better=card.higher_is_better,
                probes=card.probes,
            )
        )

    def stats(self) -> tuple[float, float]:
        """(mean, std) of the reward on the reference sample, computed once."""
        if self._stats is None:
            values = self.reward(prompts=self.reference[0], completions=self.reference[1])
            std = statistics.pstdev(values)
            self._stats = (statistics.fmean(values), std if std > 0 else 1.0)
        return self._stats

    def _score(self, prompts: list[str], completions: list[str], **kwargs: Any) -> list[float]:
        values = self.reward(prompts=prompts, completions=completions, **kwargs)
        if self.reference is not None:
            mean, std = self.stats()
            values = [(v - mean) / std for v in values]
        if self.clip is not None:
            values = [min(max(v, self.clip[0]), self.clip[1]) for v in values]
        return values


class WeightedSum(Reward):
    """sum_i w_i * reward_i(prompts, completions).

    Measures: a weighted combination of other rewards (TextRL meant "inverse perplexity + sentiment").
    Range: the weighted combination of the parts' ranges. Checkpoint: the parts'.
    """

    def __init__(self, parts: Sequence[tuple[float, Reward]], *, id: str = "weighted-sum", version: int = 1) -> None:
        if not parts:
            raise ConfigError("a weighted sum needs at least one (weight, reward) part")
        self.parts = [(float(w), r) for w, r in parts]
        # The first part is the primary one; other parts' probes need not hold for the sum.
        probes = self.parts[0][1].card.probes if self.parts[0][0] > 0 else ()
        super().__init__(
            RewardCard(
                id=id,
                version=version,
                range="weighted sum of the parts' ranges",
                checkpoint=",".join(r.card.checkpoint for _, r in self.parts if r.card.checkpoint),
                measures=" + ".join(f"{w:g}*{r.id}" for w, r in self.parts),
                probes=probes,
            )
        )

    def _score(self, prompts: list[str], completions: list[str], **kwargs: Any) -> list[float]:
        totals = [0.0] * len(completions)
        for weight, reward in self.parts:
            for i, value in enumerate(reward(prompts=prompts, completions=completions, **kwargs)):
                totals[i] += weight * value
        return totals


def negative_and_fluent(sentiment_weight: float = 1.0, fluency_weight: float = 1.0) -> WeightedSum:
    """TextRL's intended dogecoin reward: negative sentiment (embedded classifier) + inverse perplexity (SmolLM2)."""
    from rewardbench.rewards import load_reward

    return WeightedSum(
        [
            (sentiment_weight, load_reward("sentiment-minilm-tweets", target="negative")),
            (fluency_weight, load_reward("inverse-perplexity")),
        ],
        id="negative-and-fluent",
        version=2,  # v2: over sentiment-minilm-tweets v2
    )
