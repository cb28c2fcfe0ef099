"""Any zoo reward as a TRL 1.12 PPO ``reward_model``.

TRL's PPO reads a reward through ``getattr(model, model.base_model_prefix)(input_ids=..., attention_mask=...,
output_hidden_states=True).hidden_states[-1]`` followed by ``model.score(...)``, at the last non-pad token of
``query + response`` given as the *policy's* token ids. :class:`RewardAdapter` decodes those ids with the policy
tokenizer, splits prompt from completion at the fixed query width, calls the text reward (which may use a tokenizer of
its own) and returns its score at every position as a one-channel hidden state, with ``score`` the identity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import torch
from torch import nn

from rewardbench.tasks.prompts import Prompt, columns_for


class _Backbone(nn.Module):
    def __init__(self, owner: RewardAdapter) -> None:
        super().__init__()
        self._owner = [owner]  # a list, so the owner is not registered as a child module (no cycle)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None, **_: Any
    ) -> SimpleNamespace:
        scores = self._owner[0].score_ids(input_ids, attention_mask)
        hidden = scores.to(input_ids.device)[:, None, None].expand(input_ids.shape[0], input_ids.shape[1], 1)
        return SimpleNamespace(hidden_states=(hidden,))


class RewardAdapter(nn.Module):
    """Wraps ``reward(prompts=..., completions=..., **columns)`` as a TRL PPO reward model.

    Args:
        reward: a zoo reward (or any callable with the same keyword-only signature).
        tokenizer: the policy tokenizer.
        prompts: the training prompts; their extra columns (e.g. ``documents``) are passed to the reward.
        query_width: the fixed, left-padded width of every query (the harness pads the dataset to it).
    """

    base_model_prefix = "backbone"

    def __init__(
        self, reward: Callable[..., list[float]], tokenizer: Any, prompts: Sequence[Prompt], query_width: int
    ) -> None:
        super().__init__()
        self.reward = reward
        self.tokenizer = tokenizer
        self.query_width = query_width
        self.by_ids = {tuple(tokenizer(p.text)["input_ids"]): p for p in prompts}
        self.backbone = _Backbone(self)
        self.score = nn.Identity()

    def score_ids(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None) -> torch.Tensor:
        mask = attention_mask.bool() if attention_mask is not None else input_ids != self.tokenizer.pad_token_id
        prompts, completions, found = [], [], []
        for row in range(input_ids.shape[0]):
            query = input_ids[row, : self.query_width][mask[row, : self.query_width]].tolist()
            response = input_ids[row, self.query_width :][mask[row, self.query_width :]].tolist()
            prompt = self.by_ids.get(tuple(query)) or Prompt(self.tokenizer.decode(query, skip_special_tokens=True))
            found.append(prompt)
            prompts.append(prompt.text)
            completions.append(self.tokenizer.decode(response, skip_special_tokens=True))
        scores = self.reward(prompts=prompts, completions=completions, **columns_for(found, list(range(len(found)))))
        return torch.tensor(scores, dtype=torch.float32)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None, **_: Any
    ) -> SimpleNamespace:
        """Sequence-classifier style output: ``logits`` of shape (batch, 1)."""
        return SimpleNamespace(logits=self.score_ids(input_ids, attention_mask)[:, None])
