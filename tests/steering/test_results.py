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
V1 = Path(__file__).resolve().parents[1] / "data"  # run/1 files of the first dogecoin_negative leaderboard


def test_every_committed_run_file_loads():
    assert COMMITTED, "no committed run files found under results/"
    for path in COMMITTED:
        run = load_run(path)
        for point in run["points"]:
            block = point["metrics"]["train_reward"]
            assert block["n"] == len(block["values"]) == len(point["prompt_index"])


def test_a_version_1_file_loads_as_one_final_point_with_its_prompt_ids():
    run = load_run(V1 / "run_v1_best_of_n.json")
    (point,) = run["points"]
    assert point["final"] and point["prompt_index"][:9] == [0] * 8 + [1]  # 8 samples per prompt, in prompt order
    assert point["metrics"]["kl"] == {
        "kind": "stated",
        "bound": pytest.approx(0.6363, abs=1e-4),
        "estimate": None,
        "note": "best-of-n bound log n - (n-1)/n",
    }


def test_the_collapsed_pfrl_ppo_of_the_first_leaderboard_is_flagged(tmp_path):
    # every completion of that run was the loop "unsupported everything unsupported ..." (distinct-2 0.01)
    for name in ("run_v1_reference.json", "run_v1_pfrl_ppo.json"):
        target = tmp_path / "runs" / name.removesuffix(".json") / "result.json"
        target.parent.mkdir(parents=True)
        shutil.copy(V1 / name, target)
    board = report(tmp_path)[0].read_text()
    flags = board[board.index("### Flags") : board.index("![reward-KL frontier]")]
    assert "- `pfrl-ppo` with `sentiment-minilm-tweets:negative`: possible reward hacking" in flags
    assert "degeneration: distinct-2 at most half the reference's" in flags


def _one_run(tmp_path: Path) -> Path:
    """The v1 reference run, upgraded and written as a current run file."""
    target = tmp_path / "runs" / "r" / "result.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(load_run(V1 / "run_v1_reference.json")))
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
    del doc["points"][0]["metrics"]["kl"]["kind"]
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=r"result\.json: points\[0\]\.metrics\.kl\.kind: required key is missing"):
        load_runs([tmp_path])


def test_a_broken_version_1_file_names_the_file_and_key(tmp_path):
    doc = json.loads((V1 / "run_v1_reference.json").read_text())
    del doc["metrics"]["train_reward"]
    path = tmp_path / "result.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=r"result\.json: a run/1 file without the key 'train_reward'"):
        load_run(path)


def test_files_of_another_schema_are_skipped_but_load_run_refuses_them(tmp_path):
    other = tmp_path / "x" / "result.json"
    other.parent.mkdir()
    other.write_text(json.dumps({"schema": "something.else/1"}))
    assert load_runs([tmp_path]) == []
    with pytest.raises(ConfigError, match="not a run file"):
        load_run(other)


#: Relative tolerance of the re-render comparison: far above float noise between CPUs' BLAS kernels (~1e-16) and
#: far below any digit a report prints (3 decimals) or the frontier file keeps (10 significant digits).
REL = 1e-9


def _differences(got: object, want: object, where: str = "$") -> list[str]:
    """Where two JSON documents differ: floats beyond :data:`REL`, anything else (keys, strings, ints) at all."""
    if isinstance(want, float) and isinstance(got, (float, int)) and not isinstance(got, bool):
        return [] if got == pytest.approx(want, rel=REL, abs=1e-300) else [f"{where}: {got!r} != {want!r}"]
    if type(got) is not type(want):
        return [f"{where}: {got!r} != {want!r}"]
    if isinstance(want, dict):
        if got.keys() != want.keys():
            return [f"{where}: keys {sorted(got)} != {sorted(want)}"]
        return [d for k in want for d in _differences(got[k], want[k], f"{where}.{k}")]
    if isinstance(want, list):
        if len(got) != len(want):
            return [f"{where}: {len(got)} items != {len(want)}"]
        return [d for i, (g, w) in enumerate(zip(got, want)) for d in _differences(g, w, f"{where}[{i}]")]
    return [] if got == want else [f"{where}: {got!r} != {want!r}"]


def _re_render_differences(rendered: Path, committed: Path) -> list[str]:
    """How a re-rendered board differs from the committed one: markdown to the character (it prints rounded
    numbers), the frontier JSON number by number within :data:`REL`; figures are left out (they depend on the
    matplotlib build)."""
    out = []
    for path in sorted(rendered.iterdir()):
        if path.suffix == ".md" and path.read_text() != (committed / path.name).read_text():
            out.append(f"{path.name} differs")
        elif path.suffix == ".json":
            got, want = json.loads(path.read_text()), json.loads((committed / path.name).read_text())
            out += [f"{path.name}: {d}" for d in _differences(got, want)]
    return out


TASK_DIRS = sorted({p.parents[2] for p in COMMITTED})


@pytest.mark.parametrize("task_dir", TASK_DIRS, ids=lambda p: p.name)
def test_committed_leaderboards_re_render_unchanged(task_dir, tmp_path):
    copy = tmp_path / task_dir.name
    shutil.copytree(task_dir / "runs", copy / "runs")
    report(copy)
    assert _re_render_differences(copy, task_dir) == []


def test_the_re_render_comparison_fails_when_one_reported_number_changes(tmp_path):
    task_dir = TASK_DIRS[0]
    copy = tmp_path / task_dir.name
    shutil.copytree(task_dir / "runs", copy / "runs")
    report(copy)
    assert _re_render_differences(copy, task_dir) == []
    # one completion's training reward of one run moves by 1e-4: the matched reading and its bounds move with it
    run_file = sorted((copy / "runs").glob("*/result.json"))[0]
    doc = json.loads(run_file.read_text())
    block = doc["points"][-1]["metrics"]["train_reward"]
    block["values"][0] += 1e-4
    block["mean"] = sum(block["values"]) / len(block["values"])
    run_file.write_text(json.dumps(doc))
    report(copy)
    found = _re_render_differences(copy, task_dir)
    assert any(d.startswith("frontier_") for d in found), found
    # and a number written with all its digits changed in its 10th significant digit is caught too
    data = next(copy.glob("frontier_*.json"))
    shutil.copy(task_dir / data.name, data)
    doc = json.loads(data.read_text())
    value = doc["methods"][0]["matched"]["mean"]
    doc["methods"][0]["matched"]["mean"] = value * (1 + 1e-8)
    data.write_text(json.dumps(doc))
    assert _differences(json.loads(data.read_text()), json.loads((task_dir / data.name).read_text())) == [
        f"$.methods[0].matched.mean: {value * (1 + 1e-8)!r} != {value!r}"
    ]


def test_report_of_a_folder_without_runs_says_so(tmp_path):
    with pytest.raises(ConfigError, match="no run files"):
        report(tmp_path)


def _view(policy, trained_on, seed, scores):
    """A final-point view scored by each of ``scores`` (scorer -> per-sample values)."""
    return {
        "policy": {"id": policy},
        "reward": {"label": trained_on},
        "seed": seed,
        "prompt_index": [0, 1],
        "metrics": {
            "train_reward": {"values": scores[trained_on]},
            "judges": {s: {"values": v} for s, v in scores.items() if s != trained_on},
        },
    }


def test_cross_reward_matrix_scores_each_training_rewards_runs_by_the_other_reward():
    from rewardbench.steering.report import _judge_matrix_lines

    views = {}
    for rid in ("clf", "vader"):
        views[("reference", rid)] = [
            _view("reference", rid, s, {"clf": [0.2, 0.2], "vader": [0.1, 0.1], "afinn": [0.0, 0.0]}) for s in (0, 1)
        ]
    # trained on vader: vader up by 0.5, the classifier down by 0.1; trained on the classifier: both up
    views[("trl-grpo", "vader")] = [
        _view("trl-grpo", "vader", s, {"clf": [0.1, 0.1], "vader": [0.6, 0.6], "afinn": [1.0, 1.0]}) for s in (0, 1)
    ]
    views[("trl-grpo", "clf")] = [
        _view("trl-grpo", "clf", s, {"clf": [0.5, 0.5], "vader": [0.3 + s / 10] * 2, "afinn": [0.0, 0.0]})
        for s in (0, 1)
    ]
    order = [("reference", "clf"), ("trl-grpo", "clf"), ("reference", "vader"), ("trl-grpo", "vader")]
    lines = _judge_matrix_lines(views, order)
    assert lines[0] == "### Cross-reward matrix"
    header, _, clf_row, vader_row = lines[-2].splitlines()
    assert [c.strip() for c in header.strip("|").split("|")] == ["policy", "trained on", "clf ↑", "vader ↑", "afinn ↑"]
    clf_cells = [c.strip() for c in clf_row.strip("|").split("|")]
    vader_cells = [c.strip() for c in vader_row.strip("|").split("|")]
    assert clf_cells[2].startswith("**+0.300") and clf_cells[3].startswith("+0.250 [")
    assert (
        vader_cells[2].startswith("-0.100")
        and vader_cells[3].startswith("**+0.500")
        and vader_cells[4] == ("+1.000 [+1.000, +1.000]")
    )


def test_one_training_reward_gets_the_judges_table_unless_judges_are_read_per_code():
    from rewardbench.steering.report import _judge_matrix_lines

    scores_ref = {"clf": [0.2, 0.4], "afinn": [0.0, 1.0]}
    # the classifier up 0.3 on both prompts, afinn down 0.5 on both
    scores_trained = {"clf": [0.5, 0.7], "afinn": [-0.5, 0.5]}
    views = {
        ("reference", "clf"): [_view("reference", "clf", s, scores_ref) for s in (0, 1)],
        ("trl-grpo", "clf"): [_view("trl-grpo", "clf", s, scores_trained) for s in (0, 1)],
    }
    order = [("reference", "clf"), ("trl-grpo", "clf")]
    lines = _judge_matrix_lines(views, order)
    assert lines[0] == "### Judges vs reference"
    header, _, row = lines[-2].splitlines()
    assert [c.strip() for c in header.strip("|").split("|")] == ["policy", "trained on", "clf ↑", "afinn ↑"]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2] == "**+0.300 [+0.300, +0.300]**" and cells[3] == "-0.500 [-0.500, -0.500]"
    # a reference alone has nothing to compare; per-code judges are the control-code section's
    assert _judge_matrix_lines({k: v for k, v in views.items() if k[0] == "reference"}, order[:1]) == []
    for view in views[("trl-grpo", "clf")]:
        view["metrics"]["judges_by_code"] = {}
    assert _judge_matrix_lines(views, order) == []


def test_a_sampled_line_break_of_any_kind_stays_inside_its_table_cell():
    from tabulate import tabulate

    from rewardbench.steering.report import _cell

    text = " logob\r\n\t\t++\r\n    int id = 2\rend\u2028para|pipe\n"  # as SmolLM2 sampled it, plus the rest
    table = tabulate([[_cell(text), 0.1]], ["completion", "reward"], tablefmt="github")
    assert len(table.splitlines()) == 3  # header, rule, one row
    assert "logob ⏎ \t\t++ ⏎     int id = 2 ⏎ end ⏎ para\\|pipe ⏎" in table
