"""AFINN word valences (afinn 0.1, ``AFINN-en-165``): fully offline, no model."""

from __future__ import annotations

import re
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.rewards import lexicon
from rewardbench.rewards.base import Reward, RewardCard

_AFINN = None


def analyzer() -> Any:
    """One shared ``Afinn`` (it reads its word list on construction)."""
    global _AFINN
    if _AFINN is None:
        from afinn import Afinn

        _AFINN = Afinn(language="en")
    return _AFINN


class AfinnReward(Reward):
    """AFINN sentiment.

    Measures: the summed valence (-5 to +5 per word) of the AFINN-165 words in the text (``mode="sum"``, AFINN's own
    score), or that sum per word of the text (``mode="mean"``, so longer texts do not score higher for being long).
    ``target="negative"`` flips the sign. Range: unbounded for ``sum``, [-5, 5] for ``mean``. Checkpoint: none (the
    AFINN word list shipped in the package). Citation: Nielsen 2011, "A new ANEW: evaluation of a word list for
    sentiment analysis in microblogs".

    Example:
        >>> from rewardbench.rewards import load_reward
        >>> r = load_reward("afinn", target="negative")
        >>> r(prompts=["i think dogecoin is"], completions=[" a scam"])[0] > 0
        True
    """

    def __init__(self, *, target: str = "positive", text: str = "full", mode: str = "sum") -> None:
        lexicon.check_options("afinn", target, text)
        if mode not in ("sum", "mean"):
            raise ConfigError(f"afinn mode must be 'sum' or 'mean', got {mode!r}")
        self.target, self.text, self.mode = target, text, mode
        super().__init__(
            RewardCard(
                id="afinn",
                version=1,
                range="(-inf, inf)" if mode == "sum" else "[-5, 5]",
                citation="Nielsen 2011, AFINN (afinn 0.1, AFINN-en-165)",
                measures=f"{target} sentiment by the AFINN word list ({mode} of word valences)",
                probes=lexicon.probes(target),
            )
        )

    def _score(self, prompts: list[str], completions: list[str], **_: Any) -> list[float]:
        sign = -1.0 if self.target == "negative" else 1.0
        scores = []
        for p, c in zip(prompts, completions):
            text = lexicon.read(p, c, self.text)
            value = analyzer().score(text)
            if self.mode == "mean":
                value /= max(1, len(re.findall(r"\w+", text)))
            scores.append(sign * value)
        return scores
