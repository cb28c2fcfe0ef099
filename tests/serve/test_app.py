"""The reward server in-process: routes, OpenRLHF's exact reply, error codes for bad requests, batching."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from rewardbench.rewards import REWARDS, load_reward
from rewardbench.serve.app import RewardServer, build_app
from tests.conftest import contains_word_reward

VADER = load_reward("vader", target="negative")


def _server(**kw) -> RewardServer:
    return RewardServer({"vader": {"target": "negative"}}, token=kw.get("token"), max_body_bytes=kw.get("size", 4096))


async def _post(app, path: str, body=None, *, raw: bytes | None = None, headers=None) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        if raw is not None:
            return await client.post(path, content=raw, headers=headers or {})
        return await client.post(path, json=body, headers=headers or {})


def run(coro):
    return asyncio.run(coro)


def test_plain_route_scores_as_the_reward_does():
    app = build_app(_server())
    response = run(_post(app, "/rewards/vader/score", {"prompts": ["a", "b"], "completions": [" scam", " love"]}))
    assert response.status_code == 200
    assert response.json() == {"rewards": VADER(prompts=["a", "b"], completions=[" scam", " love"])}


def test_openrlhf_route_answers_byte_for_byte_what_openrlhf_reads():
    app = build_app(_server())
    body = {"query": ["hi what a scam"], "prompts": ["hi "], "labels": [None]}
    for path in ("/get_reward", "/rewards/vader/openrlhf"):
        response = run(_post(app, path, body))
        scores = VADER(prompts=["hi "], completions=["what a scam"])
        assert (
            response.content
            == json.dumps(
                {"rewards": scores, "scores": scores, "extra_logs": {"vader": scores}}, separators=(",", ":")
            ).encode()
        )


def test_card_listing():
    async def get():
        app = build_app(_server())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.get("/rewards")

    listing = run(get()).json()
    assert listing["default"] == "vader"
    assert listing["rewards"][0]["id"] == "vader" and listing["rewards"][0]["options"] == {"target": "negative"}


BAD_REQUESTS = [
    ("malformed JSON", "/rewards/vader/score", b'{"prompts": [', {}, 400, "malformed JSON"),
    ("not an object", "/rewards/vader/score", b"[1, 2]", {}, 422, "must be a JSON object"),
    ("wrong types", "/rewards/vader/score", b'{"completions": "a text"}', {}, 422, "must be a non-empty list"),
    ("a number as text", "/rewards/vader/score", b'{"completions": [3]}', {}, 422, "must be a str"),
    ("empty lists", "/rewards/vader/score", b'{"completions": []}', {}, 422, "non-empty list"),
    ("length mismatch", "/rewards/vader/score", b'{"prompts": ["a"], "completions": ["b", "c"]}', {}, 422, "same"),
    ("unknown field", "/rewards/vader/score", b'{"completions": ["b"], "temperature": 1}', {}, 422, "unknown fields"),
    ("unknown option", "/rewards/vader/score", b'{"completions": ["b"], "options": {"targt": "x"}}', {}, 422, "targt"),
    ("unknown reward", "/rewards/vadr/score", b'{"completions": ["b"]}', {}, 404, "not served here"),
    ("unknown route", "/score", b'{"completions": ["b"]}', {}, 404, "Not Found"),
    ("unsplittable query", "/get_reward", b'{"query": ["xyz"], "prompts": ["abc"]}', {}, 422, "does not start"),
    ("oversize body", "/rewards/vader/score", b'{"completions": ["' + b"a" * 5000 + b'"]}', {}, 413, "over the limit"),
]


@pytest.mark.parametrize("case", BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS])
def test_bad_requests_get_a_4xx_and_one_line_and_the_server_keeps_serving(case):
    _, path, raw, headers, status, words = case
    app = build_app(_server())
    response = run(_post(app, path, raw=raw, headers={"content-type": "application/json", **headers}))
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert words in message and "\n" not in message
    assert run(_post(app, "/rewards/vader/score", {"completions": ["ok"]})).status_code == 200


def test_a_bearer_token_is_required_when_set():
    app = build_app(_server(token="s3cret"))
    assert run(_post(app, "/rewards/vader/score", {"completions": ["a"]})).status_code == 401
    wrong = run(_post(app, "/rewards/vader/score", {"completions": ["a"]}, headers={"authorization": "Bearer no"}))
    assert wrong.status_code == 401
    ok = run(_post(app, "/rewards/vader/score", {"completions": ["a"]}, headers={"authorization": "Bearer s3cret"}))
    assert ok.status_code == 200


def test_a_failing_reward_is_a_500_with_its_message_and_only_for_the_request_that_broke_it():
    broken = contains_word_reward("scam")
    original = broken._score

    def score(prompts, completions, **_):
        if "boom" in completions:
            raise ValueError("the reward's own bug")  # a reward's ValueError is its failure (500), not the request's
        return original(prompts, completions)

    broken._score = score
    with REWARDS.override("test-broken-serve", lambda **_: broken):
        app = build_app(RewardServer({"test-broken-serve": {}}, token=None, max_body_bytes=4096))

        async def both():
            return await asyncio.gather(
                _post(app, "/rewards/test-broken-serve/score", {"completions": ["boom"]}),
                _post(app, "/rewards/test-broken-serve/score", {"completions": ["a scam"]}),
            )

        bad, good = run(both())
    assert bad.status_code == 500 and "ValueError: the reward's own bug" in bad.json()["error"]
    assert good.status_code == 200 and good.json() == {"rewards": [0.5]}


def test_concurrent_requests_are_gathered_into_few_reward_calls():
    server = _server()
    app = build_app(server)
    texts = [f" text {i} is a scam" for i in range(16)]

    async def many():
        return await asyncio.gather(*[_post(app, "/rewards/vader/score", {"completions": [t]}) for t in texts])

    responses = run(many())
    assert [r.json()["rewards"][0] for r in responses] == VADER(prompts=[""] * 16, completions=texts)
    calls = next(iter(server.batchers.values())).calls
    assert sum(calls) == 16 and len(calls) < 16, calls
