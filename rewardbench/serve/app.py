"""The Starlette app: routes, request validation and the mapping of errors to status codes.

Every error is a JSON ``{"error": "<one line>"}``: 400 malformed JSON, 401 missing or wrong bearer token, 404
unknown route or reward, 413 body over the size limit, 422 wrong shapes, types, unknown fields or reward options,
500 a reward that failed (its message). The server keeps serving after each.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rewardbench.errors import ConfigError, UnknownIdError
from rewardbench.integrations import cached_reward, freeze
from rewardbench.integrations.openrlhf import split_queries
from rewardbench.rewards.base import completion_text, prompt_text
from rewardbench.serve.batching import Batcher

PLAIN_FIELDS = {"prompts", "completions", "options"}
OPENRLHF_FIELDS = {"query", "prompts", "labels", "options"}


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(str(message).split())}, status_code=status)


class RewardServer:
    """The rewards being served (built before the app starts) and one :class:`Batcher` per (id, options)."""

    def __init__(
        self,
        rewards: dict[str, dict[str, Any]],
        *,
        token: str | None = None,
        max_body_bytes: int = 4 * 1024 * 1024,
        strip: tuple[str, ...] = (),
    ) -> None:
        if not rewards:
            raise ConfigError("rewardbench serve needs at least one --reward")
        self.default = next(iter(rewards))
        self.token, self.max_body_bytes, self.strip = token, max_body_bytes, tuple(strip)
        self.options = rewards  #: id -> the options it was started with
        self.batchers: dict[tuple[str, Any], Batcher] = {}
        for rid, options in rewards.items():  # built now: a bad id or option fails at start-up
            self.batchers[(rid, freeze(options))] = Batcher(cached_reward(rid, options))

    async def batcher(self, rid: str, options: Any) -> Batcher:
        if rid not in self.options:
            raise ApiError(404, f"reward {rid!r} is not served here; served: {', '.join(self.options)}")
        if options is None:
            options = self.options[rid]
        if not isinstance(options, dict):
            raise ApiError(422, f"options must be an object, got {type(options).__name__}")
        key = (rid, freeze(options))
        if key not in self.batchers:
            try:  # a reward with other options is built once, off the event loop
                reward = await asyncio.to_thread(cached_reward, rid, options)
            except (ConfigError, UnknownIdError) as exc:
                raise ApiError(422, str(exc)) from None
            self.batchers.setdefault(key, Batcher(reward))
        return self.batchers[key]

    # -- requests -----------------------------------------------------------------------------------------------
    def check_token(self, request: Request) -> None:
        if self.token is not None:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                raise ApiError(401, "missing or wrong bearer token (Authorization: Bearer TOKEN)")

    async def body(self, request: Request, fields: set[str]) -> dict[str, Any]:
        """The request's JSON object, after the token, the size limit and the field names are checked."""
        self.check_token(request)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise ApiError(413, f"request body of {declared} bytes is over the limit of {self.max_body_bytes}")
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > self.max_body_bytes:
                raise ApiError(413, f"request body is over the limit of {self.max_body_bytes} bytes")
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"malformed JSON: {exc}") from None
        if not isinstance(body, dict):
            raise ApiError(422, f"the body must be a JSON object, got {type(body).__name__}")
        unknown = sorted(set(body) - fields)
        if unknown:
            raise ApiError(422, f"unknown fields {unknown}; expected {sorted(fields)}")
        return body

    async def scores(self, rid: str, options: Any, prompts: list[Any], completions: list[Any]) -> list[float]:
        batcher = await self.batcher(rid, options)
        try:
            return await batcher.score(prompts, completions)
        except ConfigError as exc:  # a column or option the reward needs from the request
            raise ApiError(422, str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - a reward failure is a 500 with its message, the server stays up
            raise ApiError(500, f"reward {rid!r} failed: {type(exc).__name__}: {exc}") from None


def _texts(body: dict[str, Any], name: str, *, required: bool = True) -> list[Any]:
    """The list field ``name``: non-empty, each item a string or chat messages as the reward protocol takes them
    (checked here, so that a reward's own TypeError or ValueError is a failure of the reward, a 500)."""
    if name not in body:
        if required:
            raise ApiError(422, f"missing field {name!r} (a list of strings)")
        return []
    values = body[name]
    if not isinstance(values, list) or not values:
        raise ApiError(422, f"{name!r} must be a non-empty list, got {json.dumps(values)[:40]}")
    as_text = completion_text if name == "completions" else prompt_text
    try:
        for value in values:
            as_text(value)
    except TypeError as exc:
        raise ApiError(422, f"{name}: {exc}") from None
    return values


def _same_length(**lists: list[Any]) -> None:
    lengths = {name: len(values) for name, values in lists.items()}
    if len(set(lengths.values())) > 1:
        raise ApiError(422, "lists must have the same length: " + ", ".join(f"{k} {v}" for k, v in lengths.items()))


def build_app(server: RewardServer) -> Starlette:
    """The ASGI app over ``server``."""

    def handler(fn: Callable[..., Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> JSONResponse:
            try:
                return JSONResponse(await fn(request))
            except ApiError as exc:
                return _error(exc.status, str(exc))

        return endpoint

    async def list_rewards(request: Request) -> dict[str, Any]:
        server.check_token(request)
        return {"default": server.default, "rewards": [_card(server, rid) for rid in server.options]}

    async def plain(request: Request) -> dict[str, Any]:
        body = await server.body(request, PLAIN_FIELDS)
        completions = _texts(body, "completions")
        prompts = _texts(body, "prompts", required=False) or [""] * len(completions)
        _same_length(prompts=prompts, completions=completions)
        rid = request.path_params["reward"]
        return {"rewards": await server.scores(rid, body.get("options"), prompts, completions)}

    async def openrlhf(request: Request) -> dict[str, Any]:
        body = await server.body(request, OPENRLHF_FIELDS)
        queries, prompts = _texts(body, "query"), _texts(body, "prompts")
        labels = body.get("labels")
        if labels is not None and (not isinstance(labels, list) or len(labels) != len(queries)):
            raise ApiError(422, "'labels' must be a list as long as 'query' (it is not used)")
        _same_length(query=queries, prompts=prompts)
        try:
            responses = split_queries(queries, prompts, server.strip)
        except ConfigError as exc:
            raise ApiError(422, str(exc)) from None
        rid = request.path_params.get("reward", server.default)
        scores = await server.scores(rid, body.get("options"), prompts, responses)
        return {"rewards": scores, "scores": scores, "extra_logs": {rid: scores}}

    async def health(request: Request) -> dict[str, Any]:
        return {"status": "ok"}

    async def not_found(request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, f"{request.method} {request.url.path}: {exc.detail}")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        for batcher in server.batchers.values():
            await batcher.close()

    routes = [
        Route("/health", handler(health), methods=["GET"]),
        Route("/rewards", handler(list_rewards), methods=["GET"]),
        Route("/rewards/{reward}/score", handler(plain), methods=["POST"]),
        Route("/rewards/{reward}/openrlhf", handler(openrlhf), methods=["POST"]),
        Route("/get_reward", handler(openrlhf), methods=["POST"]),  # OpenRLHF's serve_rm path, default reward
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found}, lifespan=lifespan)


def _card(server: RewardServer, rid: str) -> dict[str, Any]:
    reward = server.batchers[(rid, freeze(server.options[rid]))].reward
    card = dataclasses.asdict(reward.card)
    return {**card, "options": server.options[rid], "offline": reward.card.offline}
