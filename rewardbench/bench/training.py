"""Training benchmark: samples/s, peak memory and a per-step breakdown of each trainer on one task and batch.

The breakdown comes from :class:`PhaseClock`, which times the code the trainers already call, without changing it:
``generate`` (and pfrl's token environment and act), the reward, forward passes outside any other phase (reference,
value and rollout log-prob forwards when gradients are off; the training forward when they are on), ``backward``,
optimiser steps, GRPO/RLOO checkpoints, and rewardbench's own glue (the TRL reward adapter, the token environment's
bookkeeping, pfrl's per-token KL for the curve, the curve callback). Each phase's time is exclusive: a reward called
inside the adapter counts as reward, not adapter.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rewardbench.bench.measure import PeakMemory, synchronize

#: Breakdown columns, in the order the report shows them.
PHASES = ("generation", "reward", "ref_value_forward", "optimisation", "checkpoint", "harness", "other")


class PhaseClock:
    """Exclusive wall time per phase, kept on a stack so nested phases are not counted twice."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.first_start: float | None = None
        self._stack: list[list[Any]] = []  # [phase, start, time spent in nested phases, owner]

    @property
    def busy(self) -> bool:
        return bool(self._stack)

    def enter(self, phase: str, owner: Any = None) -> None:
        synchronize()
        now = time.perf_counter()
        if self.first_start is None:
            self.first_start = now
        self._stack.append([phase, now, 0.0, owner])

    def exit(self) -> None:
        synchronize()
        phase, start, nested, _ = self._stack.pop()
        elapsed = time.perf_counter() - start
        self.seconds[phase] += elapsed - nested
        if self._stack:
            self._stack[-1][2] += elapsed

    def top_owner(self) -> Any:
        return self._stack[-1][3] if self._stack else None

    def wrap(self, phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` timed as ``phase``."""

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.enter(phase)
            try:
                return fn(*args, **kwargs)
            finally:
                self.exit()

        return timed


@contextlib.contextmanager
def instrument(clock: PhaseClock) -> Iterator[None]:
    """Patch the trainers' entry points to report to ``clock`` for the duration of the block."""
    import pfrl
    import torch
    from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
    from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook
    from transformers import GenerationMixin

    from rewardbench.policies import pfrl_ppo, trl_group
    from rewardbench.policies.base import Policy
    from rewardbench.policies.pfrl_ppo import TokenEnv
    from rewardbench.policies.trl_adapter import RewardAdapter
    from rewardbench.policies.trl_common import CurveCallback

    patches = [
        (GenerationMixin, "generate", "generation"),
        (TokenEnv, "observe", "generation"),
        (pfrl.agents.PPO, "batch_act", "generation"),
        (pfrl.agents.PPO, "batch_observe", "optimisation"),  # stores transitions; runs the PPO update when due
        (RewardAdapter, "score_ids", "harness"),
        (TokenEnv, "step", "harness"),
        (pfrl_ppo, "sampled_token_kl", "harness"),  # the KL column of pfrl's training curve
        (CurveCallback, "on_log", "harness"),
        (Policy, "record", "harness"),
        (torch.Tensor, "backward", "optimisation"),
    ]
    originals = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches]
    atomic_saves = trl_group.atomic_saves

    def timed_saves(trainer: Any, output_dir: Path) -> Callable[[], None]:
        """GRPO/RLOO checkpoints: the training thread's part (snapshot; waiting for the previous write) as
        checkpoint; the write itself runs on a thread of its own, beside the next steps."""
        finish = atomic_saves(trainer, output_dir)
        trainer._save_checkpoint = clock.wrap("checkpoint", trainer._save_checkpoint)
        return clock.wrap("checkpoint", finish)

    def pre_forward(module: Any, _args: Any) -> None:
        if not clock.busy:  # an outermost forward: reference/value/log-prob (no grad) or the training forward
            clock.enter("ref_value_forward" if not torch.is_grad_enabled() else "optimisation", owner=module)

    def post_forward(module: Any, _args: Any, _out: Any) -> None:
        if clock.busy and clock.top_owner() is module:
            clock.exit()

    def pre_step(*_: Any) -> None:
        clock.enter("optimisation", owner="optimizer")

    def post_step(*_: Any) -> None:
        if clock.top_owner() == "optimizer":
            clock.exit()

    handles = [
        register_module_forward_pre_hook(pre_forward),
        register_module_forward_hook(post_forward),
        register_optimizer_step_pre_hook(pre_step),
        register_optimizer_step_post_hook(post_step),
    ]
    try:
        for (owner, name, phase), (_, _, fn) in zip(patches, originals):
            setattr(owner, name, clock.wrap(phase, fn))
        trl_group.atomic_saves = timed_saves
        yield
    finally:
        trl_group.atomic_saves = atomic_saves
        for owner, name, fn in originals:
            setattr(owner, name, fn)
        for handle in handles:
            handle.remove()


class TimedReward:
    """A reward wrapper that reports its calls to the clock and counts the texts it scored."""

    def __init__(self, reward: Any, clock: PhaseClock) -> None:
        self.reward, self.clock = reward, clock
        self.__name__ = reward.__name__
        self.texts = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reward, name)

    def __call__(self, **kwargs: Any) -> list[float]:
        self.clock.enter("reward")
        try:
            scores = self.reward(**kwargs)
        finally:
            self.clock.exit()
        self.texts += len(scores)
        return scores


def measure_policy(
    policy_id: str,
    *,
    task_id: str = "dogecoin_negative",
    preset: str = "cpu",
    steps: int = 3,
    seed: int = 0,
    precision: str = "fp32",
    work_dir: Path,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train ``policy_id`` for ``steps`` steps on the task's preset and return its throughput and breakdown."""
    import gc

    from rewardbench.policies import POLICIES, RunContext
    from rewardbench.runtime import models
    from rewardbench.steering import planning
    from rewardbench.tasks import load_task

    task = load_task(task_id)
    config = planning.RunConfig(task=task_id, preset=preset, progress=False)
    train, _ = planning.task_prompts(task, config)
    spec = task.preset(preset)
    clock = PhaseClock()
    base = task.reward["embedded"].load()
    base(prompts=[""], completions=["warm-up"])  # load the reward model outside the timings
    reward = TimedReward(base, clock)
    options = {**spec.policy_options.get(policy_id, {}), "steps": steps}
    if POLICIES.get(policy_id).options_class.__dataclass_fields__.get("save_steps"):
        # checkpoint at the cadence of a full run of the preset (its evenly spaced evaluation points, or halfway
        # when it places its points by KL alone), not of these few steps; a run never checkpoints after its last
        # step, so the bench runs one step past the first checkpoint
        options.setdefault("save_steps", max(1, spec.steps // max(2, spec.eval_points)))
        steps = options["steps"] = max(steps, options["save_steps"] + 1)
    ctx = RunContext(
        model=task.model["embedded"],
        reward=reward,
        train_prompts=train,
        generation=task.generation,
        preset=spec,
        seed=seed,
        work_dir=work_dir / policy_id,
        options=options,
        progress=False,
        precision=precision,
    )
    shutil.rmtree(ctx.work_dir, ignore_errors=True)  # a checkpoint left by an earlier bench would be resumed
    policy = POLICIES.get(policy_id)(ctx)
    gc.collect()
    with PeakMemory() as peak, instrument(clock):
        start = time.perf_counter()
        policy.train()
        synchronize()
        end = time.perf_counter()
    first = clock.first_start or start
    loop = end - first
    seconds = dict(clock.seconds)
    seconds["other"] = max(0.0, loop - sum(seconds.values()))
    per_step = {phase: seconds.get(phase, 0.0) / steps for phase in PHASES}
    result = {
        "policy": policy_id,
        "precision": precision,
        "task": task.id,
        "preset": preset,
        "steps": steps,
        "batch_size": policy.batch_size,
        "options": options,
        "samples": reward.texts,
        "setup_seconds": first - start,
        "loop_seconds": loop,
        "step_seconds": loop / steps,
        "samples_per_s": reward.texts / loop,
        "per_step": per_step,
        "fractions": {phase: per_step[phase] / (loop / steps) for phase in PHASES},
        **peak.as_dict(),
    }
    echo(
        f"    {policy_id} ({precision}): {result['step_seconds']:.2f} s/step, "
        f"{result['samples_per_s']:.2f} samples/s, harness {100 * result['fractions']['harness']:.1f}%"
    )
    del policy, ctx
    shutil.rmtree(work_dir / policy_id, ignore_errors=True)
    models.clear_cache()
    gc.collect()
    return result
