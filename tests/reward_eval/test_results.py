"""reward_eval.results: the committed files load, old key names are upgraded, and the leaderboard re-renders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rewardbench.errors import ConfigError
from rewardbench.reward_eval.report import report
from rewardbench.reward_eval.results import load_results

COMMITTED = Path(__file__).resolve().parents[2] / "results" / "rewards"


def test_committed_files_load_with_old_hash_keys_upgraded():
    results = load_results(COMMITTED)
    assert {r["suite"] for r in results} == {"sentiment", "summary", "probes"}
    infos = [i for r in results for i in (r.get("checkpoints") or {}).values() if i]
    assert infos and all("manifest_sha256" not in i and i["weights_sha256"] for i in infos)


def test_committed_leaderboard_re_renders_unchanged(tmp_path):
    for path in COMMITTED.glob("*.json"):
        shutil.copy(path, tmp_path)
    report(tmp_path)
    assert (tmp_path / "LEADERBOARD.md").read_text() == (COMMITTED / "LEADERBOARD.md").read_text()


def test_a_row_of_the_wrong_shape_names_the_file_and_key(tmp_path):
    doc = json.loads((COMMITTED / "probes.json").read_text())
    doc["rows"][2]["passed"] = "yes"
    (tmp_path / "probes.json").write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=r"probes\.json: rows\[2\]\.passed: expected true or false, got 'yes'"):
        load_results(tmp_path)
