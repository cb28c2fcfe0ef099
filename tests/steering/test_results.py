"""steering.results: the committed run files load; old key names are upgraded; errors name file and key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rewardbench.errors import ConfigError
from rewardbench.steering.report import report
from rewardbench.steering.results import load_run, load_runs

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = sorted((ROOT / "results").glob("*/runs/*/result.json"))


def test_every_committed_run_file_loads():
    assert COMMITTED, "no committed run files found under results/"
    for path in COMMITTED:
        run = load_run(path)
        assert run["metrics"]["train_reward"]["n"] == len(run["metrics"]["train_reward"]["values"])


def _one_run(tmp_path: Path) -> Path:
    target = tmp_path / "runs" / "r" / "result.json"
    target.parent.mkdir(parents=True)
    shutil.copy(COMMITTED[0], target)
    return target


def test_embedded_hashes_stored_as_manifest_sha256_read_as_weights_sha256(tmp_path):
    path = _one_run(tmp_path)
    doc = json.loads(path.read_text())
    doc["policy"]["model"] = {"spec": "embedded:x", "source": "embedded", "manifest_sha256": {"m.safetensors": "ab"}}
    path.write_text(json.dumps(doc))
    model = load_run(path)["policy"]["model"]
    assert model["weights_sha256"] == {"m.safetensors": "ab"} and "manifest_sha256" not in model


def test_a_run_file_missing_a_key_names_the_file_and_key(tmp_path):
    path = _one_run(tmp_path)
    doc = json.loads(path.read_text())
    del doc["metrics"]["kl"]["k1"]
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=r"result\.json: metrics\.kl\.k1: required key is missing"):
        load_runs([tmp_path])


def test_files_of_another_schema_are_skipped_but_load_run_refuses_them(tmp_path):
    other = tmp_path / "x" / "result.json"
    other.parent.mkdir()
    other.write_text(json.dumps({"schema": "something.else/1"}))
    assert load_runs([tmp_path]) == []
    with pytest.raises(ConfigError, match="not a run file"):
        load_run(other)


@pytest.mark.parametrize("task_dir", sorted({p.parents[2] for p in COMMITTED}), ids=lambda p: p.name)
def test_committed_leaderboards_re_render_unchanged(task_dir, tmp_path):
    copy = tmp_path / task_dir.name
    shutil.copytree(task_dir / "runs", copy / "runs")
    report(copy)
    assert (copy / "LEADERBOARD.md").read_text() == (task_dir / "LEADERBOARD.md").read_text()


def test_report_of_a_folder_without_runs_says_so(tmp_path):
    with pytest.raises(ConfigError, match="no run files"):
        report(tmp_path)
