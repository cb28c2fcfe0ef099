"""Reliability: a kill, a full disk, two processes on one folder and a typo never cost finished work or a trace.

The kill tests run a tiny grid in a subprocess (``fault_run.py``) that SIGKILLs itself at a chosen point, rerun it,
and compare the run files with those of an uninterrupted run: the same numbers, and no partial file left.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rewardbench.errors import ConfigError
from rewardbench.rewards import REWARDS, load_reward
from rewardbench.steering import harness
from rewardbench.steering.harness import run
from rewardbench.steering.planning import RunConfig, plan
from tests.conftest import contains_word_reward, run_files, write_tiny_task

ROOT = Path(__file__).resolve().parents[2]
#: keys that may differ between an interrupted and an uninterrupted run
VOLATILE = {"created", "timing", "policy_dir", "seconds"}


def _task(tmp_path: Path, tiny_policy: str, **preset: object) -> Path:
    return write_tiny_task(tmp_path, tiny_policy, max_new_tokens=4, **preset)


@pytest.fixture()
def scam_reward() -> Iterator[None]:
    with REWARDS.override("test-contains-scam", lambda **_: contains_word_reward("scam")):
        yield


def _grid(task: Path, out: Path, policies: str, fault: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("fault_run.py")),
            str(task),
            str(out),
            policies,
            *([fault] if fault else []),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _results(out: Path) -> dict[str, object]:
    return run_files(out, VOLATILE)


def _leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name == ".staging"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, tiny_policy):
    base = tmp_path_factory.mktemp("clean")
    task = _task(base, tiny_policy)
    done = _grid(task, base / "out", "reference,pfrl-ppo")
    assert done.returncode == 0, done.stderr[-2000:]
    return task, _results(base / "out")


@pytest.mark.parametrize("fault", ["train:3", "eval:2", "result:2", "report:1"])
def test_a_kill_anywhere_then_a_rerun_gives_the_uninterrupted_numbers(uninterrupted, tmp_path, fault):
    task, expected = uninterrupted
    out = tmp_path / "out"
    killed = _grid(task, out, "reference,pfrl-ppo", fault)
    assert killed.returncode == -9, killed.stderr[-2000:]
    again = _grid(task, out, "reference,pfrl-ppo")
    assert again.returncode == 0, again.stderr[-2000:]
    assert _results(out) == expected
    assert not _leftovers(out)
    for doc in (json.loads(p.read_text()) for p in out.rglob("result.json")):
        if doc["policy"]["id"] == "pfrl-ppo":
            assert doc["timing"]["train_seconds"] is not None  # kept across the kill


@pytest.mark.parametrize("trainable_layers", [0, 1])
def test_a_kill_while_a_checkpoint_is_written_resumes_from_the_last_whole_one(tmp_path, tiny_policy, trainable_layers):
    options = {"num_generations": 2, "save_steps": 1, "trainable_layers": trainable_layers}
    task = _task(tmp_path, tiny_policy, policy_options={"trl-grpo": options})
    out = tmp_path / "out"
    killed = _grid(task, out, "trl-grpo", "checkpoint:3")
    assert killed.returncode == -9
    work = next(out.rglob("work")) / "trl-grpo"
    assert [p.name for p in work.glob("checkpoint-*")] == ["checkpoint-2"]  # the third never appeared, half-written
    saved = _tensor_names(work / "checkpoint-2" / "model.safetensors")
    if trainable_layers:  # only the last block and the final norm: the frozen block and embeddings are not copied
        assert saved and all(n.startswith(("model.layers.1.", "model.norm.")) for n in saved), saved
    else:
        assert "model.embed_tokens.weight" in saved and any(n.startswith("model.layers.0.") for n in saved)
    again = _grid(task, out, "trl-grpo")
    assert again.returncode == 0, again.stderr[-2000:]
    (doc,) = [json.loads(p.read_text()) for p in out.rglob("result.json")]
    assert doc["points"][-1]["step"] == 4 and doc["curve"][-1]["step"] == 4  # the same number of steps
    assert [row["step"] for row in doc["curve"]] == [1, 2, 3, 4]  # resumed after step 2, not restarted
    assert not _leftovers(out)


def _tensor_names(path: Path) -> list[str]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        return list(f.keys())


def test_a_partial_checkpoint_is_set_aside_not_resumed(tmp_path, capsys):
    from rewardbench.policies.checkpoints import latest_valid

    good, bad = tmp_path / "checkpoint-2", tmp_path / "checkpoint-3"
    for path, step in ((good, 2), (bad, 3)):
        path.mkdir()
        (path / "model.safetensors").write_bytes(b"w")
        (path / "optimizer.pt").write_bytes(b"o")
        (path / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    (bad / "optimizer.pt").unlink()  # killed before the optimiser state was written
    assert latest_valid(tmp_path) == good
    assert [p.name.split(".invalid-")[0] for p in tmp_path.glob("*.invalid-*")] == ["checkpoint-3"]
    assert "incomplete (no optimizer state)" in capsys.readouterr().out
    (good / "trainer_state.json").write_text("{broken")
    assert latest_valid(tmp_path) is None
    assert "starts from the beginning" in capsys.readouterr().out


@pytest.mark.parametrize(
    "target",
    [
        "rewardbench.steering.harness.write_run",
        "rewardbench.steering.harness.write_json_atomic",
        "rewardbench.policies.base.Policy.save",
    ],
)
def test_a_full_disk_fails_that_run_alone_naming_path_and_free_space(
    scam_reward, tiny_policy, tmp_path, monkeypatch, target
):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "somewhere" / "file"))

    monkeypatch.setattr(target, full)
    task = _task(tmp_path, tiny_policy)
    outcomes = run(RunConfig(task=str(task), out=str(tmp_path / "out"), progress=False), echo=lambda _: None)
    failed = [o for o in outcomes if o.status == "failed"]
    assert failed and all("disk full writing" in o.error and "MB free there" in o.error for o in failed)
    assert all("\n" not in o.error for o in failed)


def test_a_safetensors_disk_error_is_also_a_one_line_failure(scam_reward, tiny_policy, tmp_path, monkeypatch):
    class SafetensorError(Exception):  # not an OSError: the type the issue saw escape the harness
        pass

    def full(*args, **kwargs):
        raise SafetensorError(
            'Error while serializing: IoError(Os { code: 28, kind: StorageFull, message: "No space left on device" })'
        )

    monkeypatch.setattr("rewardbench.policies.base.Policy.save", full)
    outcomes = run(
        RunConfig(task=str(_task(tmp_path, tiny_policy)), out=str(tmp_path / "out"), progress=False),
        echo=lambda _: None,
    )
    assert [o.status for o in outcomes] == ["done", "failed"] and "disk full writing" in outcomes[1].error


def test_too_little_free_space_refuses_the_run_before_it_trains(scam_reward, tiny_policy, tmp_path, monkeypatch):
    import shutil

    trained = []
    monkeypatch.setattr("rewardbench.policies.pfrl_ppo.PfrlPPOPolicy.train", lambda self: trained.append(1))
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(harness.shutil, "disk_usage", lambda p: usage._replace(free=1024))
    outcomes = run(
        RunConfig(task=str(_task(tmp_path, tiny_policy)), out=str(tmp_path / "out"), progress=False),
        echo=lambda _: None,
    )
    assert outcomes[1].status == "failed" and not trained
    assert "not enough disk space" in outcomes[1].error and "saved policy" in outcomes[1].error


def test_a_run_held_by_another_process_is_skipped_and_a_dead_ones_lock_taken_over(scam_reward, tiny_policy, tmp_path):
    from filelock import FileLock

    task = _task(tmp_path, tiny_policy)
    runs_dir = tmp_path / "out" / "tiny_task" / "runs"
    runs_dir.mkdir(parents=True)
    name = "pfrl-ppo__test-contains-scam__seed0"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock; "
            f"l = FileLock({str(runs_dir / (name + '.lock'))!r}); l.acquire(); "
            "print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        outcomes = run(RunConfig(task=str(task), out=str(tmp_path / "out"), progress=False), echo=lambda _: None)
        assert [o.status for o in outcomes] == ["done", "busy"]
    finally:
        holder.kill()
        holder.wait()
    assert (runs_dir / f"{name}.lock").exists()  # the dead holder's lock file is still there ...
    again = run(RunConfig(task=str(task), out=str(tmp_path / "out"), progress=False), echo=lambda _: None)
    assert [o.status for o in again] == ["skipped", "done"]  # ... and is taken over
    assert FileLock(str(runs_dir / f"{name}.lock")).acquire(timeout=0)


@pytest.mark.parametrize(
    "option, message",
    [
        ("trl-ppo:kl_cof=0.1", r"policy trl-ppo options: kl_cof: unknown field; did you mean 'kl_coef'.*\(fields: "),
        ("trl-ppo:steps=ten", r"policy trl-ppo options: steps: expected an integer, got 'ten'"),
        ("trl-ppp:steps=1", r"policy 'trl-ppp' is not in this run's grid .*did you mean 'trl-ppo'"),
    ],
)
def test_option_typos_fail_before_any_model_loads(option, message, capsys):
    from rewardbench.cli import main

    started = time.perf_counter()
    assert main(["run", "--task", "dogecoin_negative", "--policy-option", option, "--out", "/nonexistent"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and pytest.approx(0, abs=30) == time.perf_counter() - started
    import re

    assert re.search(message, err), err


def test_reward_option_typos_raise_the_projects_error_with_the_valid_options():
    with pytest.raises(ConfigError, match=r"reward 'vader': targett: unknown option; did you mean 'target'"):
        load_reward("vader", targett="negative")
    with pytest.raises(ConfigError, match=r"\(options: mode, target, text\)"):
        load_reward("vader", colour="red")
    with pytest.raises(ConfigError, match="batch_size: expected an integer, got 'big'"):
        load_reward("sentiment-minilm-tweets", batch_size="big")


def test_a_task_reward_option_typo_fails_in_plan(tmp_path, tiny_policy, scam_reward):
    task = write_tiny_task(tmp_path, tiny_policy, judges=({"id": "vader", "options": {"targt": "negative"}},))
    with pytest.raises(ConfigError, match=r"reward 'vader': targt: unknown option; did you mean 'target'"):
        plan(RunConfig(task=str(task)))


def test_a_hub_id_fails_fast_without_network(monkeypatch):
    from rewardbench.errors import ModelSourceError
    from rewardbench.runtime import models

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # loopback, closed: what no network looks like
    monkeypatch.setattr(models, "_HUB_REACHABLE", {})
    started = time.perf_counter()
    with pytest.raises(ModelSourceError, match="no network: http://127.0.0.1:9 is unreachable.*local folder"):
        load_reward("org-that-does-not-exist/model")
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    "make_args, message",
    [
        (lambda d: ["run", "--task", "dogecoin_negativ"], "did you mean 'dogecoin_negative'"),
        (lambda d: ["run", "--task", str(_bad_yaml(d))], r"bad\.yaml: not valid YAML"),
        (lambda d: ["run", "--task", "dogecoin_negative", "--shard", "3/2"], r"need 1 <= I <= N"),
        (lambda d: ["run", "--task", "dogecoin_negative", "--jobs", "-1"], r"--jobs -1: need 0 \(chosen from"),
        (lambda d: ["report", str(_corrupt_run(d))], r"result\.json is not valid JSON"),
        (lambda d: ["score", "--reward", "vadr", "x"], "did you mean 'vader'"),
    ],
)
def test_bad_inputs_give_one_line_and_exit_2(make_args, message, tmp_path, capsys):
    import re

    from rewardbench.cli import main

    assert main(make_args(tmp_path)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and re.search(message, err), err


def _bad_yaml(d: Path) -> Path:
    (d / "bad.yaml").write_text("description: [unclosed\n")
    return d / "bad.yaml"


def _corrupt_run(d: Path) -> Path:
    (d / "runs" / "x").mkdir(parents=True)
    (d / "runs" / "x" / "result.json").write_text('{"schema": "rewardbench.run/2", "task":')
    return d


def test_positional_and_mismatched_reward_calls_are_refused():
    reward = load_reward("vader")
    with pytest.raises(TypeError, match="keyword arguments only"):
        reward(["p"], ["c"])
    with pytest.raises(ValueError, match="same length"):
        reward(prompts=["a", "b"], completions=["c"])
