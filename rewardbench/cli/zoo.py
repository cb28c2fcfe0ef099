"""`rewardbench zoo build` and `zoo train`: assemble and cache the embedded models (core install), or rerun the
classifier's recipe (needs peft: the [bench] extra)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rewardbench.cli._common import verb


def cmd_zoo_build(args: argparse.Namespace) -> None:
    from rewardbench.runtime import embedded

    for manifest in embedded.build_all(args.names or None, force=args.force):
        line = f"{manifest['name']} v{manifest['version']}: {embedded.path_of(manifest['name'])}"
        line += f" (built in {manifest['build_seconds']} s"
        if "heldout_metrics" in manifest:
            m = manifest["heldout_metrics"]
            line += (
                f"; held-out accuracy pos-vs-neg {m['accuracy_pos_vs_neg']:.1%} (n={m['n_pos_vs_neg']}), "
                f"3-class {m['accuracy_3class']:.1%} (n={m['n_3class']})"
            )
        if "reference_logits_max_abs_diff" in manifest:
            line += f"; logits within {manifest['reference_logits_max_abs_diff']:.1e} of its card"
        print(line + ")")


def cmd_zoo_train(args: argparse.Namespace) -> None:
    from rewardbench.zoo import minilm_tweets

    recipe = minilm_tweets.FullRecipe() if args.full else minilm_tweets.AdapterRecipe()
    card = json.loads(minilm_tweets.train(Path(args.out), recipe, precision=args.precision).read_text())
    m, v = card["heldout_metrics"], card["validation_metrics"]
    print(
        f"{card['name']} ({card['kind']}) trained in {card['train_seconds']} s: validation pos-vs-neg "
        f"{v['accuracy_pos_vs_neg']:.1%}, held-out pos-vs-neg {m['accuracy_pos_vs_neg']:.1%} "
        f"(3-class {m['accuracy_3class']:.1%}); written to {args.out}"
    )


def add(sub: Any) -> None:
    p = verb(
        sub,
        "zoo",
        "the embedded model zoo",
        "rewardbench zoo build",
        "rewardbench zoo build sentiment-minilm-tweets --force",
    )
    zoo_sub = p.add_subparsers(dest="zoo_command", required=True)
    b = zoo_sub.add_parser("build", help="build (once) and cache the embedded models; prints their checks")
    b.add_argument("names", nargs="*", help="models to build (default: all)")
    b.add_argument("--force", action="store_true", help="rebuild even if cached")
    b.set_defaults(func=cmd_zoo_build)
    t = zoo_sub.add_parser(
        "train",
        help="rerun the classifier's recipe: adapters and card to ship (default), or --full: v1's full fine-tune",
    )
    t.add_argument("name", choices=["sentiment-minilm-tweets"], help="the model whose recipe to run")
    t.add_argument("--out", required=True, help="folder for the weights and card (copy them over zoo/weights/)")
    t.add_argument("--full", action="store_true", help="fine-tune every weight (v1's recipe) instead of adapters")
    t.add_argument("--precision", choices=["fp32", "bf16"], default="fp32", help="training precision (default fp32)")
    t.set_defaults(func=cmd_zoo_train)
