"""summary-fill's shipped stop-word list is spaCy's English list, word for word (so scores match spaCy's)."""

from __future__ import annotations

import pytest

from rewardbench.rewards.summary_fill import stop_words


def test_shipped_stop_words_equal_spacys():
    spacy = pytest.importorskip("spacy", reason="spaCy is in the dev extra, not in the core install")
    assert stop_words() == frozenset(spacy.blank("en").Defaults.stop_words)
    assert len(stop_words()) == 326
