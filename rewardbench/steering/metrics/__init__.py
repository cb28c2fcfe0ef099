"""Steering metrics: a registry of what every run measures on its held-out samples and how the leaderboard shows it.

The evaluator (:mod:`rewardbench.steering.evaluate`) calls every registered metric's ``compute`` in the order below
and stores the blocks it returns under ``result["metrics"]``; the report (:mod:`rewardbench.steering.report`) builds
its table from every metric's ``columns`` and adds every metric's ``section``.

To add a metric: copy ``diversity.py`` (a block and two columns) to a new module with a ``METRIC = Metric(...)``,
and add one line below. Its test goes in ``tests/steering/metrics/test_NAME.py`` (hand-built inputs, known answers).
"""

from __future__ import annotations

from rewardbench.registry import Registry
from rewardbench.steering.metrics.base import Column, EvalContext, Metric

__all__ = ["METRICS", "Column", "EvalContext", "Metric", "metrics"]

METRICS: Registry[Metric] = Registry(
    "metric",
    {
        "train-reward": "rewardbench.steering.metrics.train_reward:METRIC",
        "judges": "rewardbench.steering.metrics.judges:METRIC",
        "kl": "rewardbench.steering.metrics.kl:METRIC",
        "fluency": "rewardbench.steering.metrics.fluency:METRIC",
        "diversity": "rewardbench.steering.metrics.diversity:METRIC",
        "degeneration": "rewardbench.steering.metrics.degeneration:METRIC",
        "control-codes": "rewardbench.steering.metrics.control_codes:METRIC",
        "reference-overlap": "rewardbench.steering.metrics.reference_overlap:METRIC",
    },
    entry_point_group="rewardbench.metrics",
)


def metrics() -> list[Metric]:
    """Every registered metric, in evaluation and column order."""
    return [METRICS.get(name) for name in METRICS.in_order()]
