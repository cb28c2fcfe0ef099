"""TextBlob's pattern-lexicon polarity (textblob 0.20.1, ``PatternAnalyzer``): fully offline, no model."""

from __future__ import annotations

from typing import Any

from rewardbench.rewards import lexicon
from rewardbench.rewards.base import Reward, RewardCard


class TextBlobReward(Reward):
    """TextBlob polarity.

    Measures: the polarity of the text under the pattern lexicon that ships inside the textblob wheel
    (``textblob/en/en-sentiment.xml``: adjectives with polarity, intensifiers and negation). ``target="negative"``
    flips the sign, so higher is always better for the target. Range: [-1, 1]. Checkpoint: none (the lexicon). The
    NaiveBayes analyzer, which needs an NLTK download, is not used. Citation: Loria, TextBlob; De Smedt & Daelemans
    2012, Pattern for Python.

    Example:
        >>> from rewardbench.rewards import load_reward
        >>> r = load_reward("textblob", target="negative")
        >>> r(prompts=["i think dogecoin is"], completions=[" awful"])[0] > 0
        True
    """

    def __init__(self, *, target: str = "positive", text: str = "full") -> None:
        lexicon.check_options("textblob", target, text)
        self.target, self.text = target, text
        super().__init__(
            RewardCard(
                id="textblob",
                version=1,
                range="[-1, 1]",
                citation="Loria, TextBlob 0.20.1 (PatternAnalyzer); De Smedt & Daelemans 2012, Pattern",
                measures=f"{target} sentiment by TextBlob's pattern lexicon (polarity)",
                probes=lexicon.probes(target),
            )
        )

    def _score(self, prompts: list[str], completions: list[str], **_: Any) -> list[float]:
        from textblob import TextBlob

        sign = -1.0 if self.target == "negative" else 1.0
        return [
            sign * TextBlob(lexicon.read(p, c, self.text)).sentiment.polarity + 0.0
            for p, c in zip(prompts, completions)
        ]
