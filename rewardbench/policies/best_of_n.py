"""Best-of-n (rejection sampling): draw n completions from the reference and keep the one the reward likes best.

No training. Its completions have no per-token log-probabilities to measure a KL from, so it states one: the
estimate of KL(best-of-n ‖ reference) from the reference samples' reward ranks (Beirami et al. 2024), beside the
analytic ``log n - (n-1)/n`` (Stiennon et al. 2020), which Beirami et al. show is an upper bound. Every n of
``ns`` is evaluated from one set of reference samples, so the report draws best-of-n's reward-KL frontier.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.policies.base import CommonOptions, Policy, Selection
from rewardbench.stats import best_of_n_bound, best_of_n_kl_estimate
from rewardbench.tasks.prompts import Prompt, columns_for


@dataclass(frozen=True)
class BestOfNOptions(CommonOptions):
    n: int = 8  #: completions drawn from the reference per returned completion (the final table's n)
    ns: tuple[int, ...] = (1, 2, 4, 8, 16)  #: every n evaluated, re-selected from one set of reference samples


class BestOfNPolicy(Policy):
    id = "best-of-n"
    trains = False
    options_class = BestOfNOptions
    kl_kind = "stated"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        if self.options.n < 1 or any(m < 1 for m in self.options.ns):
            raise ConfigError(
                f"best-of-n: n and every ns must be at least 1, got n={self.options.n}, ns={self.options.ns}"
            )

    @property
    def group(self) -> int:
        """Reference samples drawn per returned completion: the largest n evaluated."""
        return max(self.options.n, *self.options.ns)

    def train(self) -> None:
        return None

    def samples_needed(self, n: int) -> int:
        return n * self.group

    def selections(self, prompts: list[Prompt], samples: list[Any], per_prompt: int) -> list[Selection]:
        """For every n, the best of the first n samples of each group (ties: the first), with its KL.

        The KL of each n is stated twice: the bound ``log n - (n-1)/n`` and the estimate from every reference sample
        of the prompt (:func:`rewardbench.stats.best_of_n_kl_estimate`, averaged over prompts).
        """
        scores = self.ctx.reward(
            prompts=[prompts[s.prompt_index].text for s in samples],
            completions=[s.text for s in samples],
            **columns_for(prompts, [s.prompt_index for s in samples]),
        )
        by_prompt: dict[int, list[int]] = {}
        for i, s in enumerate(samples):
            by_prompt.setdefault(s.prompt_index, []).append(i)
        out = []
        for n in sorted({*self.options.ns, self.options.n}):
            kept = []
            for start in range(0, len(samples), self.group):
                kept.append(samples[max(range(start, start + n), key=lambda i: scores[i])])
            estimate = statistics.fmean(
                best_of_n_kl_estimate([samples[i].text for i in idx], [scores[i] for i in idx], n)
                for idx in by_prompt.values()
            )
            kl = {
                "bound": best_of_n_bound(n),
                "estimate": estimate,
                "note": "best-of-n: estimate from the reference samples' reward ranks (Beirami et al. 2024) "
                "and the bound log n - (n-1)/n",
            }
            out.append(Selection(kept, label=f"n={n}", final=n == self.options.n, kl=kl))
        return out
