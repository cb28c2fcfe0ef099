"""The model runtime: where weights come from, the shared model cache, batched LM scoring.

- :mod:`~rewardbench.runtime.models`: ``hub id`` / local folder / ``embedded:NAME`` sources, the shared cache, loaders.
- :mod:`~rewardbench.runtime.embedded`: the registry of embedded models and their build-once cache (the recipes
  themselves live in :mod:`rewardbench.zoo`).
- :mod:`~rewardbench.runtime.lm`: completion log-probs under a causal LM; :mod:`~rewardbench.runtime.batching`:
  length buckets.
- :mod:`~rewardbench.runtime.paths`: ``$REWARDBENCH_HOME`` and file hashes.

Nothing here imports the rest of the project (rewards, tasks, policies, steering): everything else builds on it.
To add an embedded model, write its recipe in ``rewardbench/zoo/`` (copy ``zoo/smollm2.py``) and add one line to
:data:`rewardbench.runtime.embedded.EMBEDDED`.
"""
