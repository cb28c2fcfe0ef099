"""VADER lexicon sentiment (vaderSentiment 3.3.2): fully offline, no model."""

from __future__ import annotations

from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.rewards import lexicon
from rewardbench.rewards.base import Probe, Reward, RewardCard

_ANALYZER = None


def analyzer() -> Any:
    """One shared ``SentimentIntensityAnalyzer`` (it reads its lexicon files on construction)."""
    global _ANALYZER
    if _ANALYZER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _ANALYZER = SentimentIntensityAnalyzer()
    return _ANALYZER


class VaderReward(Reward):
    """VADER sentiment.

    Measures: lexicon-and-rule sentiment of the text; ``compound`` (VADER's normalised score) or ``pos-neg``
    (pos minus neg proportions, the hand-written-PPO blog's reward). ``target="negative"`` flips the sign, so
    higher is always better for the target. Range: [-1, 1]. Checkpoint: none (vaderSentiment's lexicon).
    Citation: Hutto & Gilbert 2014, VADER.

    Example:
        >>> from rewardbench.rewards import load_reward
        >>> r = load_reward("vader")
        >>> r(prompts=["i think dogecoin is"], completions=[" great"])[0] > 0
        True
    """

    def __init__(self, *, mode: str = "compound", target: str = "positive", text: str = "full") -> None:
        if mode not in ("compound", "pos-neg"):
            raise ConfigError(f"vader mode must be 'compound' or 'pos-neg', got {mode!r}")
        lexicon.check_options("vader", target, text)
        self.mode, self.target, self.text = mode, target, text
        good, bad = (
            (lexicon.DOGE_BAD, lexicon.DOGE_GOOD) if target == "negative" else (lexicon.DOGE_GOOD, lexicon.DOGE_BAD)
        )
        super().__init__(
            RewardCard(
                id="vader",
                version=1,
                range="[-1, 1]",
                citation="Hutto & Gilbert 2014, VADER (vaderSentiment 3.3.2)",
                measures=f"{target} sentiment by the VADER lexicon ({mode})",
                probes=(Probe("i think dogecoin is", good, bad),),
            )
        )

    def _score(self, prompts: list[str], completions: list[str], **_: Any) -> list[float]:
        sign = -1.0 if self.target == "negative" else 1.0
        scores = []
        for prompt, completion in zip(prompts, completions):
            polarity = analyzer().polarity_scores(lexicon.read(prompt, completion, self.text))
            value = polarity["compound"] if self.mode == "compound" else polarity["pos"] - polarity["neg"]
            scores.append(sign * value)
        return scores
