"""``run(config)``: train every (reward, policy, seed) of a task, evaluate each on held-out prompts, one JSON per run.

Resumable: a run whose JSON exists is skipped; a trained policy is saved before evaluation, so an interrupted
evaluation does not retrain; TRL's GRPO/RLOO resume from their last checkpoint. Results are written atomically.
What runs is decided in :mod:`~rewardbench.steering.planning`; the cells run here one after the other, or in
``--jobs`` worker processes (:mod:`~rewardbench.steering.pool`), reporting to a :class:`~.grid.GridMonitor`.
"""

from __future__ import annotations

import errno
import functools
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from rewardbench.errors import ConfigError, RewardBenchError
from rewardbench.io import stamp, write_json_atomic
from rewardbench.policies import POLICIES, Policy, RunContext
from rewardbench.policies.training import policy_tokenizer, seed_everything
from rewardbench.rewards import Reward
from rewardbench.runtime import models, precision
from rewardbench.runtime.threads import limit_threads
from rewardbench.runtime.tracking import Tracking, scalars
from rewardbench.steering.cell_log import captured
from rewardbench.steering.evaluate import evaluate_model, showcase_samples
from rewardbench.steering.grid import GridMonitor
from rewardbench.steering.kl_probe import KLProbe
from rewardbench.steering.metrics.judges import load_judges
from rewardbench.steering.planning import (
    RunConfig,
    RunOutcome,
    RunSpec,
    default_jobs,
    plan,
    policy_options,
    task_prompts,
    threads_per_job,
)
from rewardbench.steering.pool import run_in_pool
from rewardbench.steering.results import SCHEMA, RunResult, write_run
from rewardbench.tasks import Task, load_task
from rewardbench.tasks.prompts import Prompt

N_SAMPLE_ROWS = 8  #: completions stored per run for the before/after samples table


def run(config: RunConfig, *, echo: Callable[[str], None] = print) -> list[RunOutcome]:
    """Run (or resume) every run of the grid; a failing run is reported in one line and the others go on.

    Each run holds a lock (``RUNS_DIR/NAME.lock``) while it trains: a second process on the same folder skips a run
    another one holds, and the lock of a process that died is released with it, so a rerun takes it over. With
    ``config.jobs`` other than 1, up to that many cells run at once in worker processes
    (:mod:`rewardbench.steering.pool`); a cell's numbers do not depend on it.
    """
    task, specs = plan(config)
    task_dir = Path(config.out) / task.id
    runs_dir = task_dir / "runs"
    todo = [s for s in specs if not (runs_dir / s.name / "result.json").exists()]
    jobs = max(1, min(config.jobs or default_jobs(task.preset(config.preset), len(todo)), len(todo)))
    echo(
        f"task {task.id} ({config.source}, preset {config.preset}): {len(specs)} runs "
        f"({len(specs) - len(todo)} finished earlier), {jobs} at a time -> {runs_dir}"
    )
    # the partial leaderboard counts the cells of every shard: the board shows them all
    grid = plan(replace(config, shard=(1, 1)))[1] if config.shard != (1, 1) else specs
    monitor = GridMonitor(
        specs,
        [s.name for s in grid],
        task_dir,
        jobs=jobs,
        progress=config.progress,
        live_report=config.live_report,
        echo=echo,
    )
    outcomes: dict[str, RunOutcome] = {}
    try:
        for spec in specs:
            if spec not in todo:
                outcomes[spec.name] = RunOutcome(spec, "skipped", runs_dir / spec.name / "result.json")
                monitor.finished(outcomes[spec.name])
        if jobs > 1:
            # the workers' progress bars would tear each other apart on one terminal: the grid's line stands in
            threads = threads_per_job(jobs)
            cell = functools.partial(run_cell_in_worker, replace(config, progress=False), runs_dir, threads)
            fail = lambda spec, exc: RunOutcome(spec, "failed", None, failure_line(exc, runs_dir / spec.name))
            outcomes.update(run_in_pool(todo, cell, fail, jobs=jobs, threads=threads, monitor=monitor))
        else:
            # built once per invocation, and only if some run still has to run
            prompts = functools.cache(lambda: task_prompts(task, config))
            for spec in todo:
                monitor.started(spec)
                started = time.perf_counter()
                outcomes[spec.name] = run_cell(task, config, spec, runs_dir, prompts)
                monitor.finished(outcomes[spec.name], time.perf_counter() - started)
    finally:
        monitor.close()
    return [outcomes[spec.name] for spec in specs]


def run_cell_in_worker(config: RunConfig, runs_dir: Path, threads: int, spec: RunSpec) -> RunOutcome:
    """One cell in a worker process (a pool's, a Ray task's) with ``threads`` torch threads."""
    limit_threads(threads)
    task = load_task(config.task)
    prompts = functools.cache(lambda: task_prompts(task, config))
    return run_cell(task, config, spec, runs_dir, prompts)


def run_cell(
    task: Task,
    config: RunConfig,
    spec: RunSpec,
    runs_dir: Path,
    prompts: Callable[[], tuple[list[Prompt], list[Prompt]]],
) -> RunOutcome:
    """One cell of the grid under its lock: skipped when finished or held elsewhere, else run; never raises.

    ``prompts`` returns :func:`task_prompts` (called only when the cell has to run). Every executor (this
    process, worker processes, Ray workers) goes through here, so a cell is trained once whichever machine gets to
    it first. The libraries' output during the run goes to the cell's ``log.txt`` (:mod:`~.cell_log`).
    """
    from filelock import FileLock, Timeout

    path = runs_dir / spec.name / "result.json"
    if path.exists():
        return RunOutcome(spec, "skipped", path)
    runs_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(runs_dir / f"{spec.name}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return RunOutcome(spec, "busy", None, f"being run by another process ({lock.lock_file})")
    try:
        if path.exists():  # another process finished it between our check and our lock
            return RunOutcome(spec, "skipped", path)
        # a cell without progress bars leaves nothing else on stderr, so it goes to the log too
        with captured(runs_dir / spec.name / "log.txt", verbose=config.verbose, stderr=not config.progress):
            try:
                check_free_space(task, config, spec, runs_dir / spec.name)
                run_one(task, config, spec, runs_dir / spec.name, prompts())
            except Exception:
                logging.getLogger(__name__).exception("%s failed", spec.name)
                raise
        return RunOutcome(spec, "done", path)
    except Exception as exc:  # noqa: BLE001 - whatever breaks one run must not cost the others
        return RunOutcome(spec, "failed", None, failure_line(exc, runs_dir / spec.name))
    finally:
        lock.release()


def failure_line(exc: BaseException, where: Path) -> str:
    """One line naming the cause of a failed run; a full disk names the path and the free space."""
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    if getattr(exc, "errno", None) == errno.ENOSPC or "No space left on device" in text:
        target = Path(getattr(exc, "filename", None) or where)
        return (
            f"disk full writing {target} ({_free_mb(target)} MB free there): {exc.__class__.__name__}: {text}; "
            "free some space and rerun the same command (finished runs are kept)"
        )
    return f"{exc.__class__.__name__}: {text}"


def _free_mb(path: Path) -> int:
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free // 2**20


def check_free_space(task: Task, config: RunConfig, spec: RunSpec, run_dir: Path) -> None:
    """Refuse a run before it starts when its folder's disk cannot hold what it writes (saved policy, checkpoints).

    Raises:
        ConfigError: with the estimate, what it is made of and the free space.
    """
    weights = _weights_bytes(task.model[config.source])
    if weights is None:  # a hub model: its size is unknown until it is downloaded
        return
    policy_class = POLICIES.get(spec.policy)
    parts = policy_class.disk_estimate(weights)
    need = sum(parts.values()) + 50 * 2**20  # run files, curves and tokenizer files
    free = _free_mb(run_dir) * 2**20
    if need > free:
        what = ", ".join(f"{k} {v // 2**20} MB" for k, v in parts.items())
        raise ConfigError(
            f"not enough disk space for this run in {run_dir}: it writes about {need // 2**20} MB "
            f"({what}), {free // 2**20} MB free; free some space or pass --out on a larger disk"
        )


def _weights_bytes(model_spec: str) -> int | None:
    if models.source_kind(model_spec) == "hub":
        return None
    folder = Path(models.resolve(model_spec))
    return sum(p.stat().st_size for p in folder.glob("*.safetensors")) or None


def run_one(
    task: Task, config: RunConfig, spec: RunSpec, run_dir: Path, prompts: tuple[list[Prompt], list[Prompt]]
) -> RunResult:
    """Train and evaluate one run on ``prompts`` (from :func:`task_prompts`); write ``run_dir/result.json``.

    The policy is measured at ``preset.eval_points`` evenly spaced steps of training, the last after training, and
    (with ``preset.eval_kl``) after the first step at which the KL probe reaches each target; each point records
    why it was taken and is kept in ``run_dir/work/points.json`` as soon as it is measured, so a resumed run keeps
    it (and the targets its points reached).
    """
    tracking = Tracking(config.report_to, f"rewardbench-{task.id}", spec.name, run_dir / "tracking")
    with tracking.open(
        {"task": task.id, "policy": spec.policy, "reward": spec.reward.label, "seed": spec.seed}
    ) as tracker:
        preset = task.preset(config.preset)
        reward = spec.reward.load()
        model_spec = task.model[config.source]
        tok = policy_tokenizer(model_spec)
        train, heldout = prompts
        ctx = RunContext(
            model=model_spec,
            reward=reward,
            train_prompts=train,
            generation=task.generation,
            preset=preset,
            seed=spec.seed,
            work_dir=run_dir / "work",
            options=policy_options(preset, config, spec.policy),
            progress=config.progress,
            log=lambda row: tracker.log({f"curve/{k}": v for k, v in row.items() if k != "step"}, row["step"]),
            tracking=tracking,
            precision=precision.resolve(config.precision),
        )
        policy = POLICIES.get(spec.policy)(ctx)
        points = Points(run_dir / "work" / "points.json")

        def measure(step: int, model: Any, *, final: bool, why: list[dict[str, Any]]) -> None:
            if points.has(step):
                return
            started = time.perf_counter()
            seed_everything(spec.seed)
            rows = N_SAMPLE_ROWS * max(1, preset.samples_per_prompt) if final else N_SAMPLE_ROWS
            found = evaluate_model(
                task,
                config.source,
                policy,
                model,
                reward,
                heldout,
                preset.samples_per_prompt,
                spec.seed,
                tok,
                step=step,
                train_label=spec.reward.label,
                sample_rows=rows,
                progress=config.progress,
            )
            points.add(
                [{**p, "final": p["final"] and final, "why": why} for p in found],
                time.perf_counter() - started,
                during_training=not final,
            )
            for point in found:
                tracker.log(scalars(point), step)

        ctx.eval_steps = policy.eval_steps(preset.eval_points)
        probe = _probe(task, config, preset, policy, tok, train, spec.seed, points, run_dir / "work" / "probe.json")
        ctx.every_step = probe is not None

        def on_eval(step: int, model: Any) -> None:
            why = [{"reason": "step"}] if step in ctx.eval_steps else []
            hit = probe.check(step, model) if probe is not None else None
            if hit is not None:
                why.append(hit)
            if why:
                measure(step, model, final=False, why=why)

        ctx.on_eval = on_eval
        train_seconds = _train_or_load(policy, run_dir, tok, points)
        final_model = policy.model()
        end = {"reason": "end of training" if policy.trains else "untrained"}
        measure(policy.steps if policy.trains else 0, final_model, final=True, why=[end])
        showcase = (
            showcase_samples(task, policy, final_model, reward, preset.samples_per_prompt, spec.seed, tok)
            if task.showcase
            else None
        )
        timing = {
            "train_seconds": train_seconds,
            "eval_seconds": points.eval_seconds(),
            "seconds_per_step": (train_seconds / len(policy.curve)) if train_seconds and policy.curve else None,
        }
        result = _result(
            task,
            config,
            spec,
            policy,
            reward,
            points.all(),
            timing,
            run_dir / "policy",
            n_train=len(train),
            n_heldout=len(heldout),
        )
        if showcase is not None:
            result["showcase"] = showcase  # type: ignore[typeddict-item]
        if probe is not None:
            result["kl_probe"] = probe.describe()  # type: ignore[typeddict-item]
        write_run(run_dir / "result.json", result)
        if not config.keep_policy and (run_dir / "policy").is_dir():
            shutil.rmtree(run_dir / "policy")
        shutil.rmtree(run_dir / "work", ignore_errors=True)
        return result


def _probe(
    task: Task,
    config: RunConfig,
    preset: Any,
    policy: Policy,
    tok: Any,
    train: list[Prompt],
    seed: int,
    points: Points,
    trace_path: Path,
) -> KLProbe | None:
    """The run's KL probe (None when the preset places no points by KL, or the policy does not train), with the
    targets an interrupted invocation's points already reached, and its trace, restored."""
    if not preset.eval_kl or not policy.trains:
        return None
    probe = KLProbe(
        reference=models.load_causal_lm(task.model[config.source]),
        tokenizer=tok,
        prompts=[p.text for p in train[: preset.kl_probe_prompts]],
        gen=task.generation,
        seed=seed,
        targets=tuple(preset.eval_kl),
        trace_path=trace_path,
    )
    for point in points.points:
        for why in point.get("why", []):
            probe.crossed.update(why.get("targets", []))
    return probe


class Points:
    """A run's evaluation points, written to ``path`` after each one, so an interrupted run keeps what it measured.

    Each point records the seconds its evaluation took (shared among the points of one evaluation), so the
    evaluation time survives a resume; ``seconds_during_training`` is the part of this invocation's evaluations
    spent while the policy was training (subtracted from the training time).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.points: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
        self.seconds_during_training = 0.0

    def has(self, step: int) -> bool:
        return any(p["step"] == step for p in self.points)

    def add(self, points: list[dict[str, Any]], seconds: float, *, during_training: bool) -> None:
        self.points += [{**p, "seconds": seconds / len(points)} for p in points]
        write_json_atomic(self.path, self.points)
        if during_training:
            self.seconds_during_training += seconds

    def eval_seconds(self) -> float:
        """Evaluation seconds of every point, this invocation's and any earlier one's."""
        return sum(p.get("seconds", 0.0) for p in self.points)

    def all(self) -> list[dict[str, Any]]:
        return sorted(self.points, key=lambda p: p["step"])


def _train_or_load(policy: Policy, run_dir: Path, tok: Any, points: Points) -> float | None:
    """Train the policy and save it before its final evaluation, or load the one an interrupted invocation saved.

    Returns the training seconds without the mid-training evaluations. They are kept in ``work/timing.json`` before
    the policy is saved, so a resumed run reports them too (None only when they were never recorded).
    """
    saved, work = run_dir / "policy", run_dir / "work"
    curve_path, timing_path = work / "curve.json", work / "timing.json"
    if (saved / "config.json").is_file() and curve_path.is_file():  # trained before an interruption: reuse it
        policy.load(saved, json.loads(curve_path.read_text(encoding="utf-8")))
        if timing_path.is_file():
            return json.loads(timing_path.read_text(encoding="utf-8"))["train_seconds"]
        return None
    t0 = time.perf_counter()
    policy.train()
    seconds = time.perf_counter() - t0 - points.seconds_during_training
    if policy.trains:  # saved before evaluation, so an interrupted evaluation never retrains
        write_json_atomic(timing_path, {"train_seconds": seconds})
        policy.save(saved)
        tok.save_pretrained(saved)
        write_json_atomic(curve_path, policy.curve)
    return seconds


def _result(
    task: Task,
    config: RunConfig,
    spec: RunSpec,
    policy: Policy,
    reward: Reward,
    points: list[dict[str, Any]],
    timing: dict[str, Any],
    saved: Path,
    *,
    n_train: int,
    n_heldout: int,
) -> RunResult:
    """The run document (schema :data:`rewardbench.steering.results.SCHEMA`)."""
    preset = task.preset(config.preset)
    return {
        "schema": SCHEMA,
        "task": {
            "id": task.id,
            "file": Path(task.path).name,
            "source": config.source,
            "preset": config.preset,
            "description": task.description,
        },
        "policy": {
            "id": policy.id,
            "version": policy.version,
            "options": asdict(policy.options),
            "kl_kind": policy.kl_kind,
            "curve_kl_unit": policy.curve_kl_unit,
            "model": models.describe(task.model[config.source]),
        },
        "reward": {
            "id": reward.id,
            "label": spec.reward.label,
            "version": reward.version,
            "options": spec.reward.options,
            "checkpoint": _checkpoint(reward),
        },
        "seed": spec.seed,
        "config": {
            "preset": asdict(preset),
            "generation": asdict(task.generation),
            "n_train_prompts": n_train,
            "n_eval_prompts": n_heldout,
            "eval_split": "train" if config.tune else "heldout",
            "matched_kl": task.matched_kl,
            "eval_steps": sorted({p["step"] for p in points}),
            "precision": precision.why(policy.ctx.precision, config.precision),
        },
        "points": points,  # type: ignore[typeddict-item]
        "curve": policy.curve,
        "timing": timing,  # type: ignore[typeddict-item]
        "policy_dir": str(saved) if (saved / "config.json").is_file() else None,
        "judges": {
            label: {"id": judge.id, "version": judge.version, "checkpoint": _checkpoint(judge)}
            for label, judge in load_judges(task, config.source, spec.reward.label)[0]
        },
        **stamp(),  # type: ignore[typeddict-item]
    }


def _checkpoint(reward: Reward) -> dict[str, Any] | None:
    ckpt = reward.card.checkpoint
    if not ckpt:
        return None
    try:
        return models.describe(ckpt)
    except RewardBenchError:
        return {"spec": ckpt, "source": models.source_kind(ckpt)}
