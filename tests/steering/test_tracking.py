"""``--report-to``: one tracker run per grid cell; TensorBoard's event files read back; the other adapters' calls."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from rewardbench.errors import ConfigError
from rewardbench.rewards import REWARDS
from rewardbench.runtime.tracking import Tracking, check_tracker, scalars
from rewardbench.steering.harness import run
from rewardbench.steering.planning import RunConfig
from tests.conftest import contains_word_reward
from tests.steering.test_harness import _write_task


def _events(directory: Path) -> dict[str, list[tuple[int, float]]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(directory))
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def test_tensorboard_gets_each_cells_curve_and_evaluation_points(tmp_path, tiny_policy):
    with REWARDS.override("test-contains-scam", lambda **_: contains_word_reward("scam")):
        task = _write_task(tmp_path, tiny_policy)
        config = RunConfig(
            task=str(task),
            out=str(tmp_path / "out"),
            progress=False,
            policies=("pfrl-ppo", "trl-grpo"),
            report_to="tensorboard",
            policy_options={"trl-grpo": {"num_generations": 2}},
        )
        outcomes = run(config, echo=lambda _: None)
    assert [o.status for o in outcomes] == ["done", "done"]
    for outcome in outcomes:
        import json

        doc = json.loads(outcome.path.read_text())
        events = _events(outcome.path.parent / "tracking")
        # the harness's scalars, under the same names for every trainer
        assert [step for step, _ in events["eval/train_reward"]] == doc["config"]["eval_steps"]
        assert [v for _, v in events["eval/train_reward"]] == pytest.approx(
            [p["metrics"]["train_reward"]["mean"] for p in doc["points"]]
        )
        assert events["eval/kl/k3"][-1][1] == pytest.approx(doc["points"][-1]["metrics"]["kl"]["k3"]["mean"])
        assert "eval/judges/vader" in events
        curve = doc["curve"]
        assert [v for _, v in events["curve/reward"]] == pytest.approx([row["reward"] for row in curve])
        assert {"curve/loss", "curve/entropy"} <= set(events)
        assert ("curve/kl" in events) == (doc["policy"]["id"] == "pfrl-ppo")  # GRPO at beta 0 logs no KL
    # TRL's own TensorBoard writer (report_to) writes into the same cell folder
    grpo = _events(outcomes[1].path.parent / "tracking")
    assert "train/reward" in grpo and len(grpo["train/reward"]) == len(grpo["curve/reward"])


def test_unknown_or_missing_tracker_is_refused_before_anything_runs(monkeypatch):
    with pytest.raises(ConfigError, match="did you mean 'wandb'"):
        check_tracker("wanb")
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "trackio" else real(name))
    with pytest.raises(ConfigError, match=r"pip install 'rewardbench\[trackio\]'"):
        check_tracker("trackio")


def test_wandb_and_trackio_adapters_open_one_named_run_log_and_finish(monkeypatch, tmp_path):
    calls = []

    class FakeRun:
        def log(self, values):
            calls.append(("wandb.log", values))

        def finish(self):
            calls.append(("wandb.finish",))

    wandb = types.ModuleType("wandb")
    wandb.init = lambda **kw: calls.append(("wandb.init", kw["project"], kw["name"])) or FakeRun()
    trackio = types.ModuleType("trackio")
    trackio.init = lambda **kw: calls.append(("trackio.init", kw["project"], kw["name"]))
    trackio.log = lambda values, step: calls.append(("trackio.log", values, step))
    trackio.finish = lambda: calls.append(("trackio.finish",))
    monkeypatch.setitem(sys.modules, "wandb", wandb)
    monkeypatch.setitem(sys.modules, "trackio", trackio)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object())
    monkeypatch.delenv("WANDB_PROJECT", raising=False)
    for kind in ("wandb", "trackio"):
        tracking = Tracking(kind, "rewardbench-t", "trl-ppo__r__seed0", tmp_path)
        assert tracking.trl_arguments() == {
            "report_to": [kind],
            "run_name": "trl-ppo__r__seed0",
            "project": "rewardbench-t",
        }
        tracker = tracking.open({"seed": 0})
        tracker.log({"eval/kl": 1.5, "label": "n=2", "missing": None}, step=3)
        tracker.close()
    assert calls == [
        ("wandb.init", "rewardbench-t", "trl-ppo__r__seed0"),
        ("wandb.log", {"eval/kl": 1.5, "step": 3}),
        ("wandb.finish",),
        ("trackio.init", "rewardbench-t", "trl-ppo__r__seed0"),
        ("trackio.log", {"eval/kl": 1.5}, 3),
        ("trackio.finish",),
    ]
    assert Tracking().trl_arguments() == {"report_to": []}


def test_scalars_flatten_a_point_and_keep_best_of_n_labels_apart():
    point = {
        "label": "n=4",
        "metrics": {
            "train_reward": {"mean": 0.4, "values": [0.1, 0.7]},
            "kl": {"kind": "stated", "k1": {"mean": 1.2}},
            "diversity": {"distinct_1": 0.5, "mean_tokens": 15.0},
            "judges": {"vader:negative": {"mean": 0.1}},
        },
    }
    assert scalars(point) == {
        "eval/n=4/train_reward": 0.4,
        "eval/n=4/kl/k1": 1.2,
        "eval/n=4/diversity/distinct_1": 0.5,
        "eval/n=4/diversity/mean_tokens": 15.0,
        "eval/n=4/judges/vader:negative": 0.1,
    }
