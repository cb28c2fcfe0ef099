"""The harness on a tiny task: JSON round trip, resume, shards, a failing reward, report and export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from rewardbench.errors import ConfigError, UnknownIdError
from rewardbench.rewards import REWARDS
from rewardbench.steering.harness import run
from rewardbench.steering.planning import RunConfig, plan
from rewardbench.steering.results import SCHEMA
from tests.conftest import TINY_PROMPTS, contains_word_reward, write_tiny_task

PROMPTS = list(TINY_PROMPTS)


@pytest.fixture()
def task_file(tmp_path: Path, tiny_policy: str) -> Iterator[Path]:
    # registered for this test only, so the every-reward conformance test never sees them
    with (
        REWARDS.override("test-contains-scam", lambda **_: contains_word_reward("scam")),
        REWARDS.override("test-broken", lambda **_: contains_word_reward("scam", fail_after=1)),
    ):
        yield _write_task(tmp_path, tiny_policy)


def _write_task(tmp_path: Path, tiny_policy: str) -> Path:
    return write_tiny_task(
        tmp_path,
        tiny_policy,
        judges=("vader", "test-contains-scam"),
        policies=["reference", "best-of-n", "pfrl-ppo"],
        policy_options={"best-of-n": {"n": 2, "ns": [1, 2, 4]}},
    )


def _config(task_file: Path, out: Path, **kw) -> RunConfig:
    return RunConfig(task=str(task_file), out=str(out), progress=False, **kw)


def test_run_writes_one_json_per_run_and_resume_skips_finished_runs(task_file, tmp_path):
    out = tmp_path / "results"
    outcomes = run(_config(task_file, out), echo=lambda _: None)
    assert [o.status for o in outcomes] == ["done"] * 3
    docs = {o.spec.policy: json.loads(o.path.read_text()) for o in outcomes}
    ref, bon, pfrl = docs["reference"], docs["best-of-n"], docs["pfrl-ppo"]
    assert ref["schema"] == SCHEMA and ref["task"]["id"] == "tiny_task" and ref["seed"] == 0
    (ref_point,) = ref["points"]
    assert ref_point["metrics"]["kl"]["k1"]["mean"] == 0.0 and ref_point["metrics"]["kl"]["kind"] == "measured"
    assert ref_point["prompt_index"] == [0, 0, 1, 1, 2, 2]  # 3 held-out prompts x 2 samples, in prompt order
    # best-of-n: one point per n from one set of samples; the preset's n is the final one
    assert [(p["label"], p["final"]) for p in bon["points"]] == [("n=1", False), ("n=2", True), ("n=4", False)]
    assert all(p["metrics"]["kl"]["kind"] == "stated" for p in bon["points"])
    # pfrl-ppo: measured at step 2 during training and at step 4 after it
    assert [(p["step"], p["final"]) for p in pfrl["points"]] == [(2, False), (4, True)]
    assert pfrl["points"][-1]["metrics"]["kl"]["k3"]["mean"] > 0 and pfrl["config"]["eval_steps"] == [2, 4]
    assert len(pfrl["curve"]) == 4 and pfrl["policy_dir"]
    assert all(row["completions"] >= 1 for row in pfrl["curve"])  # the training cost the report shows
    assert pfrl["timing"]["train_seconds"] > 0 and pfrl["timing"]["eval_seconds"] > 0
    assert list(ref_point["metrics"]["judges"]) == ["vader"]  # the training reward is not its own judge
    assert ref["judges"] == {
        "vader": {"id": "vader", "version": ref["judges"]["vader"]["version"], "checkpoint": None}
    }
    assert ref_point["metrics"]["train_reward"]["n"] == 3 * 2
    assert {"git_commit", "machine", "packages", "created"} <= set(ref)
    again = run(_config(task_file, out), echo=lambda _: None)
    assert [o.status for o in again] == ["skipped"] * 3

    from rewardbench.steering.report import report

    written = report(out / "tiny_task")
    board = written[0].read_text()
    assert "| `pfrl-ppo`" in board and "Δ vs reference" in board and "Samples: `pfrl-ppo` vs `reference`" in board
    assert "train reward at KL = 1 ↑" in board and "bootstraps whose unit is the held-out prompt" in board
    assert f"{sum(row['completions'] for row in pfrl['curve']):.0f} completions" in board
    assert all(p.exists() for p in written)
    frontier = json.loads(next(p for p in written if p.suffix == ".json").read_text())
    assert {m["policy"] for m in frontier["methods"]} == {"best-of-n", "pfrl-ppo"}

    from rewardbench.steering.export import export

    exported = export(out / "tiny_task" / "runs" / outcomes[2].spec.name, tmp_path / "exported")
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(exported)
    assert model.config.tie_word_embeddings is False
    with pytest.raises(ConfigError, match="no trained model"):
        export(out / "tiny_task" / "runs" / outcomes[0].spec.name, tmp_path / "x")
    with pytest.raises(ConfigError, match="already exists"):
        export(out / "tiny_task" / "runs" / outcomes[2].spec.name, exported)


def test_a_cpu_whose_bf16_matmul_is_faster_still_trains_in_fp32_by_default(task_file, tmp_path, monkeypatch):
    from rewardbench.runtime import precision

    monkeypatch.setattr(precision, "bf16_supported", lambda device: True)
    monkeypatch.setattr(precision, "matmul_rate", lambda dtype, *a, **k: 900.0 if dtype == torch.bfloat16 else 300.0)
    (outcome,) = run(_config(task_file, tmp_path / "r", policies=("pfrl-ppo",)), echo=lambda _: None)
    doc = json.loads(outcome.path.read_text())
    assert doc["config"]["precision"].startswith("fp32 (auto: a CPU trains in fp32")


def test_shards_split_the_grid_without_overlap(task_file):
    full = plan(_config(task_file, Path("unused"), seeds=(0, 1)))[1]
    parts = [plan(_config(task_file, Path("unused"), seeds=(0, 1), shard=(i, 3)))[1] for i in (1, 2, 3)]
    names = [s.name for part in parts for s in part]
    assert sorted(names) == sorted(s.name for s in full) and len(set(names)) == len(full) == 6
    with pytest.raises(ConfigError, match="1 <= I <= N"):
        plan(_config(task_file, Path("unused"), shard=(4, 3)))


def test_sharded_runs_merge_into_one_report(task_file, tmp_path):
    out = tmp_path / "results"
    for i in (1, 2):
        run(_config(task_file, out, policies=("reference", "best-of-n"), shard=(i, 2)), echo=lambda _: None)
    from rewardbench.steering.results import load_runs

    assert sorted(r["policy"]["id"] for r in load_runs([out])) == ["best-of-n", "reference"]


def test_a_reward_that_raises_stops_only_its_run(task_file, tmp_path):
    out = tmp_path / "results"
    run(_config(task_file, out, policies=("reference",)), echo=lambda _: None)
    outcomes = run(
        _config(task_file, out, policies=("reference", "pfrl-ppo"), rewards=("test-broken",)), echo=lambda _: None
    )
    assert [o.status for o in outcomes] == ["done", "failed"]
    assert "test reward broke mid-run" in outcomes[1].error
    assert len(list(out.rglob("result.json"))) == 2  # the earlier run and the finished one are kept


def test_unknown_policy_and_reward_ids_suggest_close_matches(task_file):
    with pytest.raises(UnknownIdError, match="did you mean 'trl-ppo'"):
        plan(_config(task_file, Path("unused"), policies=("trl-pp",)))
    with pytest.raises(UnknownIdError, match="did you mean 'vader'"):
        plan(_config(task_file, Path("unused"), rewards=("vadr",)))
    with pytest.raises(ConfigError, match="--source hub"):
        plan(RunConfig(task="imdb_positive"))


def test_unknown_policy_in_a_task_preset_names_the_file_and_preset(task_file):
    write_tiny_task(task_file.parent, "unused-model", policies=["reference", "trl-ppp"])
    with pytest.raises(
        ConfigError, match=r"tiny_task\.yaml: presets\.cpu: policy 'trl-ppp' not found; did you mean 'trl-ppo'"
    ):
        plan(_config(task_file, Path("unused")))


def test_cli_run_reports_unknown_task_with_exit_code_2(capsys):
    from rewardbench.cli import main

    assert main(["run", "--task", "dogecoin_negativ"]) == 2
    assert "did you mean 'dogecoin_negative'" in capsys.readouterr().err


def test_result_files_get_the_usual_permissions(tmp_path):
    import os
    import stat

    from rewardbench.io import write_json_atomic

    path = write_json_atomic(tmp_path / "r.json", {"a": 1})
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask


def test_a_degenerate_policy_on_the_tiny_model_is_flagged(task_file, tmp_path, tiny_policy):
    """A policy that only ever writes "scam": its training reward rises, and the report says why that is hacking."""
    import torch

    from rewardbench.policies import POLICIES
    from rewardbench.policies.reference import ReferencePolicy
    from rewardbench.policies.training import load_trainable_lm, policy_tokenizer

    class Scammer(ReferencePolicy):
        id = "scammer"
        trains = True

        def train(self) -> None:
            model = load_trainable_lm(self.ctx.model).eval()
            scam = policy_tokenizer(self.ctx.model).convert_tokens_to_ids("scam")
            head = torch.nn.Linear(model.config.hidden_size, model.config.vocab_size, bias=True)
            with torch.no_grad():  # every position now prefers "scam" by a wide margin
                head.weight.zero_()
                head.bias.fill_(-20.0)
                head.bias[scam] = 20.0
            model.config.tie_word_embeddings = False
            model.set_output_embeddings(head)
            self.trained = model
            self.record(1, reward=1.0)

    out = tmp_path / "results"
    with POLICIES.override("scammer", Scammer):
        outcomes = run(_config(task_file, out, policies=("reference", "scammer")), echo=lambda _: None)
        assert [o.status for o in outcomes] == ["done", "done"]
        from rewardbench.steering.report import report

        board = report(out / "tiny_task")[0].read_text()
    flags = board[board.index("### Flags") : board.index("![reward-KL frontier]")]
    assert "- `scammer` with `test-contains-scam`: possible reward hacking" in flags
    assert "degeneration: identical share at least 0.25 above the reference's" in flags


def test_a_preset_with_two_training_rewards_trains_each_with_the_tasks_options(tmp_path, tiny_policy):
    task = write_tiny_task(
        tmp_path,
        tiny_policy,
        reward="vader",
        judges=({"id": "afinn", "options": {"target": "negative"}}, "textblob"),
        rewards=["vader", "afinn:negative"],
    )
    grid = plan(_config(task, Path("unused")))[1]
    assert [(s.policy, s.reward.label) for s in grid] == [
        ("reference", "vader"),
        ("pfrl-ppo", "vader"),
        ("reference", "afinn:negative"),
        ("pfrl-ppo", "afinn:negative"),
    ]
    assert grid[2].reward.options == {"target": "negative"}
    assert [s.reward.label for s in plan(_config(task, Path("unused"), rewards=("textblob",)))[1]] == ["textblob"] * 2
    bad = write_tiny_task(tmp_path, tiny_policy, name="bad", reward="vader", judges=("afinn",), rewards=["afin"])
    with pytest.raises(ConfigError, match=r"bad.yaml: presets.cpu.rewards: 'afin' is neither.*did you mean 'afinn'"):
        plan(_config(bad, Path("unused")))


def test_a_tuning_run_evaluates_on_training_prompts_only(task_file, tmp_path):
    from rewardbench.steering.planning import task_prompts
    from rewardbench.steering.report import report
    from rewardbench.tasks import load_task

    config = _config(task_file, tmp_path / "out", policies=("reference",), tune=True)
    train, heldout = task_prompts(load_task(str(task_file)), _config(task_file, tmp_path))
    (outcome,) = run(config, echo=lambda _: None)
    doc = json.loads(outcome.path.read_text())
    assert doc["config"]["eval_split"] == "train"
    seen = {s["prompt"] for p in doc["points"] for s in p["samples"]}
    assert seen and seen <= {p.text for p in train} and not seen & {p.text for p in heldout}
    assert "tuning runs (training prompts, not a leaderboard)" in report(tmp_path / "out" / "tiny_task")[0].read_text()
    run(_config(task_file, tmp_path / "out", policies=("reference",), seeds=(1,)), echo=lambda _: None)
    with pytest.raises(ConfigError, match="mixes tuning runs"):
        report(tmp_path / "out" / "tiny_task")


def test_showcase_prompts_are_sampled_from_every_policy_and_move_no_measured_number(task_file, tmp_path):
    import yaml

    from rewardbench.steering.report import report

    doc = yaml.safe_load(task_file.read_text())
    doc["showcase"] = [PROMPTS[0]]  # a training prompt, as TextRL's is on dogecoin_negative
    with_showcase = tmp_path / "showcase" / "tiny_task.yaml"
    with_showcase.parent.mkdir()
    with_showcase.write_text(yaml.safe_dump(doc), encoding="utf-8")
    shown = {o.spec.policy: o for o in run(_config(with_showcase, tmp_path / "a"), echo=lambda _: None)}
    plain = {o.spec.policy: o for o in run(_config(task_file, tmp_path / "b"), echo=lambda _: None)}
    for policy, outcome in shown.items():
        a, b = json.loads(outcome.path.read_text()), json.loads(plain[policy].path.read_text())
        assert a["points"] == [{**p, "seconds": q["seconds"]} for p, q in zip(b["points"], a["points"])], policy
        assert "showcase" not in b
        rows = a["showcase"]
        assert [r["prompt"] for r in rows] == [PROMPTS[0]] * 2  # samples_per_prompt completions
        scores = contains_word_reward("scam")(prompts=[PROMPTS[0]] * 2, completions=[r["completion"] for r in rows])
        assert [r["reward"] for r in rows] == scores
    board = report(tmp_path / "a" / "tiny_task")[0].read_text()
    section = board[board.index(f'### Showcase: "{PROMPTS[0]}"') :]
    assert all(f"| `{p}`" in section for p in ("reference", "best-of-n", "pfrl-ppo"))
    assert "Showcase" not in report(tmp_path / "b" / "tiny_task")[0].read_text()
