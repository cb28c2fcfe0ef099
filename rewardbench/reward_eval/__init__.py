"""Reward evaluation: labelled pairs -> suites -> one JSON file per suite -> leaderboard.

- :mod:`~rewardbench.reward_eval.suites`: the suites (``sentiment``, ``summary``, ``probes``) and their registry.
- :mod:`~rewardbench.reward_eval.results`: the result file's schema and loader.
- :mod:`~rewardbench.reward_eval.report`: ``LEADERBOARD.md`` and plots from those files only.

To add a suite: write a function ``my_suite(config) -> {"rows": [...], "skipped": [...], ...}`` in ``suites.py``
(copy ``probes_suite``), add it to ``SUITES``, describe its keys in ``results.py`` and its section in ``report.py``.
"""
