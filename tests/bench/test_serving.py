"""The serving part of the bench: a bounded loopback load and the bad-request catalogue, recorded and rendered."""

from __future__ import annotations

from rewardbench.bench.render import serving_section
from rewardbench.bench.results import ServingCase
from rewardbench.bench.serving import BAD_REQUESTS, measure_serving
from rewardbench.io import check_schema


def test_a_small_load_is_measured_and_every_bad_request_gets_a_4xx_while_the_server_keeps_serving():
    case = measure_serving("vader", clients=2, requests=3)
    check_schema(case, ServingCase, "serving case:")
    assert case["requests"] == 6 and sum(1 for _ in case["bad_requests"]) == len(BAD_REQUESTS)
    assert 1 <= case["reward_calls"] <= 6
    for row in case["bad_requests"]:
        assert 400 <= row["status"] < 500, row
        assert row["served_after"], row
    assert {r["request"]: r["status"] for r in case["bad_requests"]}["missing token"] == 401
    markdown = "\n".join(serving_section(case))
    assert "| server |" in markdown and "| in-process |" in markdown and "| missing token | 401 |" in markdown
    # a case carries where it ran: the section names it only where the bench file's machine is another
    assert case["machine"]["cores"] >= 1 and "another machine" not in markdown
    elsewhere = {**case["machine"], "cpu": "Some Other CPU"}
    assert "Measured on another machine than the sections above" in "\n".join(serving_section(case, elsewhere))
    assert "another machine" not in "\n".join(serving_section(case, case["machine"]))
