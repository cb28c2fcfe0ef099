"""Best-of-n (rejection sampling): draw n completions from the reference and keep the one the reward likes best.

No training. The KL of the best-of-n distribution from the reference is at most ``log n - (n-1)/n`` (Stiennon et
al. 2020, appendix; Beirami et al. 2024 show it is an upper bound); the policy states that bound
(:meth:`BestOfNPolicy.analytic_kl`), marked analytic, because the best-of-n distribution has no per-token
log-probabilities to measure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.policies.base import CommonOptions, Policy
from rewardbench.tasks.prompts import Prompt, columns_for


@dataclass(frozen=True)
class BestOfNOptions(CommonOptions):
    n: int = 8  #: completions drawn from the reference per returned completion


class BestOfNPolicy(Policy):
    id = "best-of-n"
    trains = False
    options_class = BestOfNOptions
    kl_kind = "analytic"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        if self.options.n < 1:
            raise ConfigError(f"best-of-n: n must be at least 1, got {self.options.n}")

    def train(self) -> None:
        return None

    def samples_needed(self, n: int) -> int:
        return n * self.options.n

    def analytic_kl(self) -> tuple[float, str]:
        n = self.options.n
        return math.log(n) - (n - 1) / n, "best-of-n bound log n - (n-1)/n"

    def select(self, prompts: list[Prompt], samples: list[Any]) -> list[Any]:
        """Keep the best of each consecutive group of ``n`` samples of the same prompt (ties: the first)."""
        n = self.options.n
        scores = self.ctx.reward(
            prompts=[prompts[s.prompt_index].text for s in samples],
            completions=[s.text for s in samples],
            **columns_for(prompts, [s.prompt_index for s in samples]),
        )
        kept = []
        for start in range(0, len(samples), n):
            group = range(start, start + n)
            kept.append(samples[max(group, key=lambda i: scores[i])])
        return kept
