from __future__ import annotations

import pytest

from rewardbench.cli import main


def test_list_rewards_shows_every_id(capsys):
    from rewardbench.rewards import REWARDS

    assert main(["list", "rewards"]) == 0
    out = capsys.readouterr().out
    for rid in REWARDS.ids():
        assert rid in out
    assert "hub" in out and "offline" in out


def test_list_models(capsys):
    assert main(["list", "models"]) == 0
    assert "embedded:smollm2-135m" in capsys.readouterr().out


def test_score_with_vader(capsys):
    assert main(["score", "--reward", "vader", "--target", "negative", "dogecoin is a scam", "dogecoin is great"]) == 0
    out = capsys.readouterr().out
    assert "dogecoin is a scam" in out and "vader v1" in out


def test_unknown_reward_exits_2_with_suggestion(capsys):
    assert main(["score", "--reward", "vadr", "x"]) == 2
    assert "did you mean 'vader'" in capsys.readouterr().err


def test_bad_option_exits_2(capsys):
    assert main(["score", "--reward", "vader", "--option", "mode", "x"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_bad_option_value_is_reported(capsys):
    assert main(["score", "--reward", "vader", "--mode", "bogus", "x"]) == 2
    assert "vader mode must be" in capsys.readouterr().err


@pytest.mark.slow
def test_score_with_embedded_classifier(capsys):
    assert (
        main(
            [
                "score",
                "--reward",
                "sentiment-minilm-tweets",
                "--target",
                "negative",
                "dogecoin is a scam",
                "dogecoin is great",
            ]
        )
        == 0
    )
    rows = [line for line in capsys.readouterr().out.splitlines() if "dogecoin" in line]
    scam, great = (float(r.split("|")[2]) for r in rows)
    assert scam > great
