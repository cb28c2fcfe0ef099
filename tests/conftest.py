"""Fixtures: tiny random models (2 layers, width 32) saved to a temp dir and loaded through `from_pretrained`.

Each mirrors the architecture of a hub checkpoint the seeds name, so the hub loading path is exercised on local
files: RoBERTa with LABEL_0/1/2 (cardiffnlp), DistilBERT with NEGATIVE/POSITIVE (SST-2, IMDB), GPT-2 (gpt2,
gpt2-imdb), BERT with an MLM head (bert-base-uncased), and a Llama causal LM (SmolLM2's architecture).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # hub look-ups fail fast instead of timing out
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

CORPUS = [
    "i think dogecoin is a scam and a hoax",
    "i think dogecoin is wonderful and i love it",
    "the movie was great and fun",
    "this movie was awful and boring",
    "the parser reads sentences from the treebank and assigns each word a head",
    "today the weather is sunny",
    "cats enjoy sleeping in warm places",
]


#: Short prompts made of CORPUS words, for the tiny policy's training and sampling tests
TINY_PROMPTS = (
    "i think dogecoin is",
    "the movie was",
    "today the weather is",
    "cats enjoy",
    "this movie was",
    "i think",
    "the parser reads",
    "dogecoin is",
    "the weather",
    "cats",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


def _tokenizer(tmp: Path, **special: str):
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertTokenizer

    wp = BertWordPieceTokenizer(lowercase=True)
    wp.train_from_iterator(CORPUS * 3, vocab_size=300, min_frequency=1)
    tmp.mkdir(parents=True, exist_ok=True)
    wp.save_model(str(tmp))
    return BertTokenizer(str(tmp / "vocab.txt"), model_max_length=64, **special)


def _save(model, tok, path: Path) -> str:
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return str(path)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tiny")


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_dir: Path):
    return _tokenizer(tiny_dir / "vocab")


def _classifier(config_cls, model_cls, tok, id2label: dict[int, str], seed: int = 0, **cfg):
    import torch

    torch.manual_seed(seed)
    config = config_cls(
        vocab_size=len(tok),
        num_labels=len(id2label),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
        pad_token_id=tok.pad_token_id,
        **cfg,
    )
    return model_cls(config).eval()


BERT_SIZE = dict(
    hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, max_position_embeddings=64
)


@pytest.fixture(scope="session")
def tiny_roberta_cardiffnlp(tiny_dir: Path, tiny_tokenizer) -> str:
    """A RoBERTa classifier whose labels are LABEL_0/1/2, like cardiffnlp/twitter-roberta-base-sentiment."""
    from transformers import RobertaConfig, RobertaForSequenceClassification

    size = {**BERT_SIZE, "max_position_embeddings": 66}
    model = _classifier(
        RobertaConfig,
        RobertaForSequenceClassification,
        tiny_tokenizer,
        {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"},
        **size,
    )
    return _save(model, tiny_tokenizer, tiny_dir / "cardiffnlp")


@pytest.fixture(scope="session")
def tiny_distilbert_binary(tiny_dir: Path, tiny_tokenizer) -> str:
    """A DistilBERT classifier with NEGATIVE/POSITIVE, like the SST-2 and IMDB checkpoints."""
    from transformers import DistilBertConfig, DistilBertForSequenceClassification

    model = _classifier(
        DistilBertConfig,
        DistilBertForSequenceClassification,
        tiny_tokenizer,
        {0: "NEGATIVE", 1: "POSITIVE"},
        dim=32,
        n_layers=2,
        n_heads=2,
        hidden_dim=64,
        max_position_embeddings=64,
    )
    return _save(model, tiny_tokenizer, tiny_dir / "sst2")


@pytest.fixture(scope="session")
def tiny_bert_3class(tiny_dir: Path, tiny_tokenizer) -> str:
    """A BERT classifier with named labels in an unusual order (positive, negative, neutral)."""
    from transformers import BertConfig, BertForSequenceClassification

    model = _classifier(
        BertConfig,
        BertForSequenceClassification,
        tiny_tokenizer,
        {0: "positive", 1: "negative", 2: "neutral"},
        **BERT_SIZE,
    )
    return _save(model, tiny_tokenizer, tiny_dir / "bert3")


@pytest.fixture(scope="session")
def tiny_bert_mlm(tiny_dir: Path, tiny_tokenizer) -> str:
    """A BERT masked LM, like bert-base-uncased."""
    import torch
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(0)
    model = BertForMaskedLM(
        BertConfig(vocab_size=len(tiny_tokenizer), pad_token_id=tiny_tokenizer.pad_token_id, **BERT_SIZE)
    ).eval()
    return _save(model, tiny_tokenizer, tiny_dir / "mlm")


@pytest.fixture(scope="session")
def tiny_gpt2(tiny_dir: Path) -> str:
    """A GPT-2 causal LM, like gpt2 / lvwerra/gpt2-imdb (pad token distinct from eos)."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    tok = _tokenizer(tiny_dir / "gpt2-vocab", bos_token="[CLS]", eos_token="[SEP]")
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=len(tok),
        n_embd=32,
        n_layer=2,
        n_head=2,
        n_positions=64,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    return _save(GPT2LMHeadModel(config).eval(), tok, tiny_dir / "gpt2")


def _tiny_llama(tok, **extra):
    """A 2-layer width-32 Llama (SmolLM2's architecture) for ``tok``, seeded."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=64,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        **extra,
    )
    return LlamaForCausalLM(config).eval()


@pytest.fixture(scope="session")
def tiny_llama(tiny_dir: Path) -> str:
    """A Llama causal LM (SmolLM2's architecture)."""

    tok = _tokenizer(tiny_dir / "llama-vocab", bos_token="[CLS]", eos_token="[SEP]")
    return _save(_tiny_llama(tok), tok, tiny_dir / "llama")


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    """Each test starts with an empty shared-model cache (tests below check the sharing itself)."""
    from rewardbench.runtime import models

    models.clear_cache()
    yield
    models.clear_cache()


@pytest.fixture(scope="session")
def tiny_policy(tiny_dir: Path) -> str:
    """A Llama policy with a word-level tokenizer that adds no special tokens (prompts never end in eos)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    raw = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    raw.train_from_iterator(CORPUS, trainers.WordLevelTrainer(special_tokens=["[PAD]", "[UNK]", "[BOS]", "[EOS]"]))
    tok = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        pad_token="[PAD]",
        unk_token="[UNK]",
        bos_token="[BOS]",
        eos_token="[EOS]",
        model_max_length=64,
    )
    return _save(_tiny_llama(tok, tie_word_embeddings=True), tok, tiny_dir / "policy")


def contains_word_reward(word: str = "scam", fail_after: int | None = None):
    """Test reward a tiny model can learn: the share of completion words equal to ``word``.

    ``fail_after``: raise on every call after that many (a reward breaking mid-run).
    """
    from rewardbench.rewards.base import Reward, RewardCard

    class ContainsWord(Reward):
        def __init__(self) -> None:
            super().__init__(
                RewardCard(id="contains-word", version=1, measures=f"share of words equal to {word!r}", range="[0, 1]")
            )
            self.calls = 0

        def _score(self, prompts, completions, **_):
            self.calls += 1
            if fail_after is not None and self.calls > fail_after:
                raise RuntimeError("test reward broke mid-run")
            return [sum(w == word for w in c.split()) / max(1, len(c.split())) for c in completions]

    return ContainsWord()


def write_tiny_task(
    folder: Path,
    tiny_policy: str,
    *,
    name: str = "tiny_task",
    reward: object = "test-contains-scam",
    judges: tuple = ("vader",),
    max_new_tokens: int = 5,
    **preset: object,
) -> Path:
    """A task YAML on ``tiny_policy`` and :data:`TINY_PROMPTS`; ``preset`` overrides the cpu preset's fields."""
    import yaml

    cpu = {
        "policies": ["reference", "pfrl-ppo"],
        "eval_prompts": 3,
        "samples_per_prompt": 2,
        "batch_size": 4,
        "steps": 4,
        "eval_points": 2,
        "learning_rate": 0.01,
        **preset,
    }
    doc = {
        "description": f"a tiny task for tests ({name})",
        "prompts": {"source": "inline", "heldout_fraction": 0.3, "items": list(TINY_PROMPTS)},
        "model": {"embedded": tiny_policy},
        "reward": {"embedded": reward},
        "judges": list(judges),
        "generation": {"max_new_tokens": max_new_tokens},
        "presets": {"cpu": cpu},
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def run_files(folder: Path, volatile: set[str], *, rel: float | None = None) -> dict[str, object]:
    """Every run file under ``folder`` by cell name, without the keys in ``volatile`` (at any depth).

    With ``rel``, every float becomes ``pytest.approx(value, rel=rel, abs=rel / 10)``, for comparing runs whose
    only difference is float summation order (another torch thread count); strings, ints and samples stay exact.
    """
    import json

    def stable(doc: object) -> object:
        if isinstance(doc, dict):
            return {k: stable(v) for k, v in doc.items() if k not in volatile}
        if isinstance(doc, list):
            return [stable(v) for v in doc]
        if rel is not None and isinstance(doc, float):
            return pytest.approx(doc, rel=rel, abs=rel / 10)
        return doc

    return {p.parent.name: stable(json.loads(p.read_text())) for p in sorted(folder.rglob("result.json"))}
