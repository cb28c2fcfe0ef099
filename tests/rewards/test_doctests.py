"""The reward cards' ``>>>`` examples run: those with no model here, those on the embedded zoo as slow tests."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import rewardbench.rewards

NO_MODEL = ["vader", "textblob_lexicon", "afinn_lexicon", "measurement"]
EMBEDDED = ["sentiment", "control", "lm_judge", "perplexity", "summary_fill"]  # need `rewardbench zoo build`


def _run(name: str) -> None:
    module = importlib.import_module(f"rewardbench.rewards.{name}")
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, report=True)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed (printed above)"


@pytest.mark.parametrize("name", NO_MODEL)
def test_examples_without_a_model(name):
    if name == "measurement":
        pytest.importorskip("evaluate", reason="the evaluate extra")
    _run(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", EMBEDDED)
def test_examples_on_the_embedded_zoo(name):
    _run(name)


def test_every_module_with_examples_is_run_and_none_is_skipped():
    with_examples = []
    for info in pkgutil.iter_modules(rewardbench.rewards.__path__):
        source = importlib.util.find_spec(f"rewardbench.rewards.{info.name}").loader.get_source(
            f"rewardbench.rewards.{info.name}"
        )
        if ">>>" in source:
            with_examples.append(info.name)
            assert "+SKIP" not in source, f"rewardbench/rewards/{info.name}.py skips an offline example"
    assert sorted(with_examples) == sorted(NO_MODEL + EMBEDDED)
