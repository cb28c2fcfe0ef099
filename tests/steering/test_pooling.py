"""steering.pooling: a board never pools runs of different training precision or reward/judge weights."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from rewardbench.errors import ConfigError
from rewardbench.steering import pooling
from rewardbench.steering.report import report
from rewardbench.steering.results import load_run

V1 = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture()
def board():
    """A reference and two pfrl-ppo seeds of the first dogecoin board, as current run documents."""
    ref = load_run(V1 / "run_v1_reference.json")
    ppo = load_run(V1 / "run_v1_pfrl_ppo.json")
    runs = [ref, ppo, copy.deepcopy(ppo)]
    runs[2]["seed"] = ppo["seed"] + 1
    ref2 = copy.deepcopy(ref)
    ref2["seed"] = ppo["seed"] + 1
    return [*runs, ref2]


def _write(runs, directory: Path) -> Path:
    for i, run in enumerate(runs):
        path = directory / "runs" / f"r{i}" / "result.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(run))
    return directory


def test_one_precision_and_one_set_of_weights_pool(board, tmp_path):
    pooling.check(board, tmp_path)
    assert (tmp_path / "LEADERBOARD.md") in report(_write(board, tmp_path))
    assert "Training precision: fp32 in every trained row." in (tmp_path / "LEADERBOARD.md").read_text()


def test_two_seeds_of_one_row_in_different_training_precisions_are_not_pooled(board, tmp_path):
    board[1]["config"]["precision"] = "fp32 (asked for)"
    board[2]["config"]["precision"] = "bf16 (asked for)"
    with pytest.raises(ConfigError) as err:
        report(_write(board, tmp_path))
    message = str(err.value)
    assert "not pooled: the training precision of pfrl-ppo on sentiment-minilm-tweets:negative differs" in message
    assert "bf16 in pfrl-ppo/sentiment-minilm-tweets:negative/seed 1" in message
    assert "\n" not in message and not (tmp_path / "LEADERBOARD.md").exists()


def test_runs_scored_by_different_classifier_weights_are_not_pooled(board, tmp_path):
    for run, digest in zip(board, ["a" * 64, "a" * 64, "b" * 64, "a" * 64]):
        run["reward"]["checkpoint"] = {"spec": "embedded:x", "source": "embedded", "weights_sha256": {"m": digest}}
    with pytest.raises(
        ConfigError,
        match=r"the scorer 'sentiment-minilm-tweets:negative' differs between runs "
        r"\(v1, weights aaaaaaaaaaaa in .*; v1, weights bbbbbbbbbbbb in pfrl-ppo/.*/seed 1\)",
    ):
        pooling.check(board, tmp_path)


def test_a_judge_of_another_version_is_not_pooled_and_older_files_without_judges_pass(board, tmp_path):
    judge = {"id": "vader", "version": 1, "checkpoint": None}
    for run in board:
        run["judges"] = {"vader:negative": dict(judge)}
    pooling.check(board, tmp_path)
    board[0]["judges"]["vader:negative"]["version"] = 2
    with pytest.raises(ConfigError, match=r"the scorer 'vader:negative' differs .*v2, no model in reference/"):
        pooling.check(board, tmp_path)
    del board[0]["judges"]
    pooling.check(board, tmp_path)
