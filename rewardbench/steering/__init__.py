"""Steering: task -> prompts -> policy training -> sampling -> metrics -> run file -> leaderboard.

- :mod:`~rewardbench.steering.planning`: ``rewardbench run``'s configuration, grid (shards) and option checks;
  :mod:`~rewardbench.steering.harness`: running it (locks, resume, evaluation points, one run end to end);
  :mod:`~rewardbench.steering.pool`: ``--jobs N`` worker processes; :mod:`~rewardbench.steering.grid`: the cell lines,
  progress line and live leaderboard; :mod:`~rewardbench.steering.cell_log`: each cell's ``log.txt``.
- :mod:`~rewardbench.steering.sampling`: seeded sampling and token log-probs, the one path every policy is
  evaluated through; :mod:`~rewardbench.steering.evaluate`: one policy on the held-out prompts.
- :mod:`~rewardbench.steering.metrics`: the metric registry (one module per metric).
- :mod:`~rewardbench.steering.results`: the run file's schema and loader; :mod:`~rewardbench.steering.report`:
  leaderboards and plots from run files only; :mod:`~rewardbench.steering.export`: a trained policy out as an HF
  folder.

To add a metric, see :mod:`rewardbench.steering.metrics`; a new key of the run file goes in ``results.py`` first.
"""
