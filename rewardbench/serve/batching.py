"""One queue per reward: concurrent requests gathered into one batched reward call, run in a worker thread.

Gathering is safe because ``check_reward`` guarantees batch-size and batch-order invariance. The reward runs in a
thread (``asyncio.to_thread``), so torch never blocks the event loop; one worker per reward means one call at a
time per model. While a call runs, new requests queue up and go together into the next call.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from rewardbench.rewards import Reward


@dataclass
class _Pending:
    prompts: list[Any]
    completions: list[Any]
    done: asyncio.Future = field(repr=False)


class Batcher:
    """Scores requests for one reward, gathering whatever is queued (up to ``max_texts``) into one call.

    Args:
        reward: the reward.
        max_texts: the most texts of one reward call (a request larger than this is scored alone).
        wait_s: how long the worker waits for more requests after the first of a batch.
    """

    def __init__(self, reward: Reward, *, max_texts: int = 256, wait_s: float = 0.002) -> None:
        self.reward, self.max_texts, self.wait_s = reward, max_texts, wait_s
        self.calls: list[int] = []  #: texts per reward call, for tests and the bench
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._worker: asyncio.Task | None = None

    async def score(self, prompts: list[Any], completions: list[Any]) -> list[float]:
        """The scores of one request; raises what the reward raised for it."""
        loop = asyncio.get_running_loop()
        if self._worker is None or self._worker.done() or self._worker.get_loop() is not loop:
            self._queue = asyncio.Queue()  # a queue belongs to one event loop (tests run one loop per request)
            self._worker = loop.create_task(self._run(self._queue))
        done = loop.create_future()
        await self._queue.put(_Pending(prompts, completions, done))
        return await done

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    async def _run(self, queue: asyncio.Queue[_Pending]) -> None:
        while True:
            batch = [await queue.get()]
            size = len(batch[0].completions)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.wait_s
            while size < self.max_texts:
                try:
                    item = (
                        queue.get_nowait()
                        if loop.time() >= deadline
                        else await asyncio.wait_for(queue.get(), deadline - loop.time())
                    )
                except (asyncio.QueueEmpty, asyncio.TimeoutError):
                    break
                batch.append(item)
                size += len(item.completions)
            await self._score(batch)

    async def _score(self, batch: list[_Pending]) -> None:
        prompts = [p for item in batch for p in item.prompts]
        completions = [c for item in batch for c in item.completions]
        try:
            self.calls.append(len(completions))
            scores = await asyncio.to_thread(self.reward, prompts=prompts, completions=completions)
        except Exception as exc:  # noqa: BLE001 - the failure goes back to the request(s) that caused it
            if len(batch) == 1:
                _settle(batch[0], exc)
            else:  # score each request alone, so one bad request fails only itself
                for item in batch:
                    await self._score([item])
            return
        start = 0
        for item in batch:
            _settle(item, scores[start : start + len(item.completions)])
            start += len(item.completions)


def _settle(item: _Pending, outcome: list[float] | BaseException) -> None:
    if item.done.done():  # the client went away
        return
    if isinstance(outcome, BaseException):
        item.done.set_exception(outcome)
    else:
        item.done.set_result(outcome)
