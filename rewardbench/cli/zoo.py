"""`rewardbench zoo build`: build and cache the embedded models (core install)."""

from __future__ import annotations

import argparse
from typing import Any

from rewardbench.cli._common import precision_argument, verb


def cmd_zoo_build(args: argparse.Namespace) -> None:
    from rewardbench.runtime import embedded

    for manifest in embedded.build_all(args.names or None, force=args.force, precision=args.precision):
        line = f"{manifest['name']} v{manifest['version']}: {embedded.path_of(manifest['name'])}"
        line += f" (built in {manifest['build_seconds']} s"
        if "heldout_metrics" in manifest:
            m = manifest["heldout_metrics"]
            line += (
                f"; held-out accuracy pos-vs-neg {m['accuracy_pos_vs_neg']:.1%} (n={m['n_pos_vs_neg']}), "
                f"3-class {m['accuracy_3class']:.1%} (n={m['n_3class']})"
            )
        if "precision" in manifest:
            line += f"; trained in {manifest['precision']}"
        print(line + ")")


def add(sub: Any) -> None:
    p = verb(
        sub,
        "zoo",
        "the embedded model zoo",
        "rewardbench zoo build",
        "rewardbench zoo build smollm2-135m --force",
    )
    zoo_sub = p.add_subparsers(dest="zoo_command", required=True)
    b = zoo_sub.add_parser("build", help="build (once) and cache the embedded models; prints their checks")
    b.add_argument("names", nargs="*", help="models to build (default: all)")
    b.add_argument("--force", action="store_true", help="rebuild even if cached")
    precision_argument(b, "precision of a build that trains (the classifier; written into its manifest)")
    b.set_defaults(func=cmd_zoo_build)
