"""What ``rewardbench run`` will do: its configuration, the grid of cells, the option checks and the prompts.

Everything here runs before a model loads, so a typo fails in a second; running the cells (locks, resume, points,
the executors) is :mod:`rewardbench.steering.harness`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rewardbench.errors import ConfigError, RewardBenchError
from rewardbench.options import build, check_options
from rewardbench.policies import POLICIES
from rewardbench.policies.training import policy_tokenizer
from rewardbench.registry import did_you_mean
from rewardbench.rewards import REWARDS
from rewardbench.runtime import precision
from rewardbench.runtime.threads import cores
from rewardbench.runtime.tracking import check_tracker
from rewardbench.tasks import Preset, RewardSpec, Task, load_task
from rewardbench.tasks.prompts import Prompt, build_prompts


@dataclass(frozen=True)
class RunConfig:
    """One ``rewardbench run`` invocation."""

    task: str  #: task id or YAML path
    source: str = "embedded"  #: embedded (no hub) or hub (the seeds' models and data)
    preset: str = "cpu"  #: preset of the task: cpu or gpu
    policies: tuple[str, ...] = ()  #: policy ids (default: the preset's)
    #: training reward ids (default: the preset's, else the task's); options come from the task if ids match
    rewards: tuple[str, ...] = ()
    seeds: tuple[int, ...] = (0,)  #: one run per seed
    #: runs go to ``{out}/{task}/runs/`` (``runs/`` is git-ignored; ``results/`` holds committed copies)
    out: str = "runs"
    shard: tuple[int, int] = (1, 1)  #: run only the I-th of N interleaved shares of the grid (1-based)
    policy_options: dict[str, dict[str, Any]] = field(default_factory=dict)  #: per-policy overrides
    keep_policy: bool = True  #: keep each trained model (needed by ``rewardbench export``)
    progress: bool = True  #: progress bars
    report_to: str = "none"  #: experiment tracker of every cell: none, tensorboard, trackio or wandb
    #: training precision: auto (fp32 on a CPU, bf16 on a CUDA GPU with it), fp32 or bf16
    #: (:mod:`rewardbench.runtime.precision`)
    precision: str = "auto"
    #: evaluate on (the first ``eval_prompts`` of) the training prompts instead of the held-out ones: for tuning a
    #: preset without looking at the held-out prompts; the run files say so and the report marks them
    tune: bool = False
    #: cells run at once: 1 in this process; N > 1 in N worker processes with an equal share of the cores' threads
    #: each; 0 chooses N from this machine's cores and the preset's ``run_cpus`` (:func:`default_jobs`)
    jobs: int = 1
    #: re-render ``{out}/{task}/LEADERBOARD.md`` (and its plots and frontier file) after every finished cell,
    #: marked partial until every cell of the grid has a run file
    live_report: bool = False
    #: show the libraries' own output (load reports, warnings, trainer banners and logs) on the terminal as well;
    #: it always goes to the cell's ``log.txt``
    verbose: bool = False


@dataclass(frozen=True)
class RunSpec:
    """One cell of the grid."""

    policy: str  #: policy id
    reward: RewardSpec  #: the training reward and its options
    seed: int

    @property
    def name(self) -> str:
        return f"{self.policy}__{self.reward.label.replace(':', '-').replace('/', '_')}__seed{self.seed}"


@dataclass
class RunOutcome:
    spec: RunSpec
    status: str  #: done, skipped (already finished), busy (another process runs it) or failed
    path: Path | None = None
    error: str | None = None


def plan(config: RunConfig) -> tuple[Task, list[RunSpec]]:
    """The task and the grid of runs of this shard, in a fixed order."""
    task = load_task(config.task)
    task.check_source(config.source)
    check_tracker(config.report_to)
    precision.resolve(config.precision)  # bf16 on a machine without it fails here, before anything loads
    check_policy_ids(task)
    preset = task.preset(config.preset)
    policies = config.policies or preset.policies
    for pid in policies:  # a typo, a missing extra or a TRL without PPO fails here, not after the models have loaded
        POLICIES.get(pid).check_installed()
        build(POLICIES.get(pid).options_class, policy_options(preset, config, pid), f"policy {pid} options:")
    for pid in config.policy_options:
        if pid not in policies:
            raise ConfigError(
                f"--policy-option {pid}:...: policy {pid!r} is not in this run's grid "
                f"({', '.join(policies)}){did_you_mean(pid, policies)}"
            )
    reward_ids = config.rewards or preset.rewards
    rewards = [_reward_spec(task, config.source, rid) for rid in reward_ids] or [task.reward[config.source]]
    for reward in [*rewards, *task.judges]:
        if reward.id in REWARDS:
            check_options(REWARDS.get(reward.id), reward.options, f"reward {reward.label!r}:")
    index, count = config.shard
    if not 1 <= index <= count:
        raise ConfigError(f"--shard {index}/{count}: need 1 <= I <= N")
    if config.jobs < 0:
        raise ConfigError(f"--jobs {config.jobs}: need 0 (chosen from the cores) or more")
    grid = [RunSpec(p, r, s) for r in rewards for p in policies for s in config.seeds]
    return task, [spec for i, spec in enumerate(grid) if i % count == index - 1]


def default_jobs(preset: Preset, cells: int, available: int | None = None) -> int:
    """Cells to run at once: as many as this machine's cores hold at the preset's ``run_cpus`` each, at most
    ``cells`` (those left to run), at least one."""
    available = cores() if available is None else available
    return max(1, min(cells, available // max(1, preset.run_cpus)))


def threads_per_job(jobs: int, available: int | None = None) -> int:
    """Each of ``jobs`` worker processes' equal share of the cores, as torch threads (at least one)."""
    available = cores() if available is None else available
    return max(1, available // max(1, jobs))


def policy_options(preset: Preset, config: RunConfig, pid: str) -> dict[str, Any]:
    """The options of policy ``pid``: the preset's, overridden by the command line's."""
    return {**preset.policy_options.get(pid, {}), **config.policy_options.get(pid, {})}


def check_policy_ids(task: Task) -> None:
    """Every policy id a preset of the task names is registered (the task loader cannot check: tasks sit below
    policies), with the task file and preset named in the error."""
    for name, preset in task.presets.items():
        for pid in list(preset.policies) + list(preset.policy_options):
            try:
                POLICIES.get(pid)
            except RewardBenchError as exc:
                raise ConfigError(f"{Path(task.path).name}: presets.{name}: {exc}") from None


def _reward_spec(task: Task, source: str, rid: str) -> RewardSpec:
    for spec in [task.reward.get(source), *task.judges]:
        if spec is not None and rid in (spec.id, spec.label):
            return spec
    if rid not in REWARDS and not Path(rid).is_dir() and "/" not in rid:
        REWARDS.get(rid)  # raises with close matches
    return RewardSpec(rid)


def task_prompts(task: Task, config: RunConfig) -> tuple[list[Prompt], list[Prompt]]:
    """The training and held-out prompts of the task, cut to the preset's counts (the same for every run)."""
    preset = task.preset(config.preset)
    train, heldout = build_prompts(task.prompts, config.source, policy_tokenizer(task.model[config.source]))
    train = train[: preset.train_prompts] if preset.train_prompts else train
    if config.tune:  # tuning never sees a held-out prompt
        heldout = train
    heldout = heldout[: preset.eval_prompts] if preset.eval_prompts else heldout
    return train, heldout
