"""What may be pooled in one leaderboard: runs trained in one precision, scored by the same reward and judge weights.

A row, frontier curve or fit pools the seeds of one (policy, training reward); every row is compared with the
reference and the other rows of its board. So a board refuses, in one line naming the runs, to mix:

- training precisions within a row (bf16 training moves the KL a policy reaches, :mod:`rewardbench.runtime.precision`);
- versions or weights of a training reward or a judge across the board (an embedded model is known by the hashes
  its build manifest records: for the shipped classifier, those of the files it is assembled from, which do not
  change with the CPU; a hub model by its revision). Older run files that did not record their judges are checked
  on their training reward alone.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.runtime.precision import trained_in
from rewardbench.steering.results import RunResult


def _name(run: RunResult) -> str:
    return f"{run['policy']['id']}/{run['reward']['label']}/seed {run['seed']}"


def _weights(checkpoint: dict[str, Any] | None) -> str:
    """A short identity of a checkpoint's weights: hub revision, or the weight hashes (first 12 hex digits)."""
    if not checkpoint:
        return "no model"
    if checkpoint.get("revision"):
        return f"revision {checkpoint['revision'][:12]}"
    hashes = checkpoint.get("weights_sha256")
    if hashes:
        return "weights " + ",".join(h[:12] for _, h in sorted(hashes.items()))
    return f"{checkpoint.get('spec')} (no hashes recorded)"


def _scorers(run: RunResult) -> list[tuple[str, str]]:
    """(label, identity) of the run's training reward and of each judge it records."""
    r = run["reward"]
    out = [(r["label"], f"v{r['version']}, {_weights(r.get('checkpoint'))}")]
    for label, judge in (run.get("judges") or {}).items():
        out.append((label, f"v{judge['version']}, {_weights(judge.get('checkpoint'))}"))
    return out


def _refuse(directory: Path, what: str, seen: dict[str, list[str]]) -> None:
    parts = "; ".join(f"{value} in {', '.join(names)}" for value, names in sorted(seen.items()))
    raise ConfigError(
        f"{directory}: not pooled: {what} differs between runs ({parts}); keep them in separate folders "
        "or re-run the odd ones"
    )


def check(runs: list[RunResult], directory: Path) -> None:
    """Raise :class:`ConfigError` if ``runs`` (one board) mix training precisions in a row, or reward or judge
    versions or weights anywhere."""
    precisions: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    scorers: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        row = (run["policy"]["id"], run["reward"]["label"])
        precisions[row][trained_in(run["config"].get("precision"))].append(_name(run))
        for label, identity in _scorers(run):
            scorers[label][identity].append(_name(run))
    for (policy, label), seen in precisions.items():
        if len(seen) > 1:
            _refuse(directory, f"the training precision of {policy} on {label}", seen)
    for label, seen in scorers.items():
        if len(seen) > 1:
            _refuse(directory, f"the scorer {label!r}", seen)
