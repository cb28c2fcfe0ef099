"""The reward zoo: ``load_reward(id_or_model, **options)`` and the registry behind it.

Every reward is called keyword-only on whole batches, ``reward(prompts=[...], completions=[...]) -> list[float]``,
which is also TRL's ``reward_funcs`` signature, so rewards drop into ``GRPOTrainer``/``RLOOTrainer`` unchanged.

To add a reward: copy ``vader.py`` (no model) or ``sentiment.py`` (a model checkpoint) to a new module, subclass
:class:`Reward` with a :class:`RewardCard` (what it measures, range, direction, checkpoint, citation, probe pairs)
and ``_score``, and add one line to ``REWARDS`` below; bump the card's ``version`` whenever the scoring changes. The
conformance test runs ``rewardbench.testing.check_reward`` over every registered reward. Other packages register
through the ``rewardbench.rewards`` entry-point group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rewardbench.errors import UnknownIdError
from rewardbench.options import check_options
from rewardbench.registry import Registry
from rewardbench.rewards.base import Probe, Reward, RewardCard

__all__ = ["REWARDS", "Probe", "Reward", "RewardCard", "load_reward", "list_rewards"]

REWARDS: Registry[Any] = Registry(
    "reward",
    {
        "sentiment-cardiffnlp": "rewardbench.rewards.sentiment:cardiffnlp",
        "sentiment-sst2": "rewardbench.rewards.sentiment:sst2",
        "sentiment-imdb": "rewardbench.rewards.sentiment:imdb",
        "sentiment-minilm-tweets": "rewardbench.rewards.sentiment:minilm_tweets",
        "vader": "rewardbench.rewards.vader:VaderReward",
        "textblob": "rewardbench.rewards.textblob_lexicon:TextBlobReward",
        "afinn": "rewardbench.rewards.afinn_lexicon:AfinnReward",
        "lm-judge": "rewardbench.rewards.lm_judge:LMJudgeReward",
        "inverse-perplexity": "rewardbench.rewards.perplexity:InversePerplexityReward",
        "inverse-perplexity-gpt2": "rewardbench.rewards.perplexity:gpt2",
        "summary-fill": "rewardbench.rewards.summary_fill:bert",
        "summary-fill-smollm2": "rewardbench.rewards.summary_fill:smollm2",
        "control-code": "rewardbench.rewards.control:ControlCodeReward",
        "control-code-imdb": "rewardbench.rewards.control:imdb",
        "negative-and-fluent": "rewardbench.rewards.compose:negative_and_fluent",
    },
    entry_point_group="rewardbench.rewards",
)

#: Reward family for a checkpoint given by path or hub id, chosen from its config's architecture.
_FAMILY_BY_ARCHITECTURE = {
    "ForSequenceClassification": "rewardbench.rewards.sentiment:SentimentReward",
    "ForCausalLM": "rewardbench.rewards.perplexity:InversePerplexityReward",
    "LMHeadModel": "rewardbench.rewards.perplexity:InversePerplexityReward",
    "ForMaskedLM": "rewardbench.rewards.summary_fill:SummaryFillReward",
}


def load_reward(spec: str, **options: Any) -> Reward:
    """A reward by registry id, or by model (hub id or local folder) with the family inferred from its config.

    Args:
        spec: a registry id (``rewardbench list rewards``), a local model folder, or a hub model id.
        **options: passed to the reward's constructor (``target="negative"``, ``mode="logit"``, ...).

    Raises:
        UnknownIdError: ``spec`` is neither registered nor a model; the message lists close matches.
        ConfigError: an option the reward does not take (with close matches and the list of its options), or a
            value of the wrong type.
    """
    if spec in REWARDS:
        factory = REWARDS.get(spec)
        check_options(factory, options, f"reward {spec!r}:")
        return factory(**options)
    if Path(spec).expanduser().is_dir() or ("/" in spec and not spec.startswith((".", "/"))):
        return _reward_for_model(spec, **options)
    REWARDS.get(spec)  # raises with close matches
    raise AssertionError("unreachable")


def _reward_for_model(spec: str, **options: Any) -> Reward:
    from transformers import AutoConfig

    from rewardbench.errors import ConfigError
    from rewardbench.registry import import_object
    from rewardbench.runtime import models

    config = models.from_pretrained(AutoConfig.from_pretrained, spec)
    for arch in getattr(config, "architectures", None) or []:
        for suffix, family in _FAMILY_BY_ARCHITECTURE.items():
            if arch.endswith(suffix):
                if family.endswith("SummaryFillReward"):
                    options.setdefault("filler", "masked")
                reward_class = import_object(family)
                check_options(reward_class, options, f"reward {spec!r}:")
                return reward_class(model=spec, **options)
    raise ConfigError(
        f"cannot tell which reward {spec!r} is for (architectures: {getattr(config, 'architectures', None)}); "
        "expected a sequence classifier, causal LM or masked LM"
    )


def list_rewards() -> list[RewardCard]:
    """The cards of every registered reward, built with default options (no weights are loaded)."""
    cards = []
    for rid in REWARDS.ids():
        try:
            cards.append(REWARDS.get(rid)().card)
        except UnknownIdError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not hide the others
            cards.append(RewardCard(id=rid, version=0, measures=f"(failed to construct: {exc})", range="?"))
    return cards
