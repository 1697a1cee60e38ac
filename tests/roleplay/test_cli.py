"""``flask roleplay check`` and ``flask roleplay score`` work from the shipped files alone."""
import json


def test_check_prints_the_scorers_verdict(runner):
    result = runner.invoke(args=["roleplay", "check", "--text", "你好，这不归我们管"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.output)
    assert verdict["elements"] == ["greeting"]
    assert {"category": "forbidden_phrase", "evidence": "不归我们管", "span": [4, 9]} in verdict["violations"]
    from_stdin = runner.invoke(args=["roleplay", "check"], input="您好，工号1024为您服务。\n")
    assert json.loads(from_stdin.output)["violations"] == []


def test_score_replays_a_transcript(runner, tmp_path):
    transcript = tmp_path / "call.json"
    transcript.write_text(json.dumps([
        {"text": "您好，中国电信10000号，工号1024为您服务。请问您要查询的手机号码是多少？", "seconds": 12},
        {"text": "你稍等一下。", "seconds": 130},
    ], ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["roleplay", "score", "unexpected-fee", str(transcript)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [turn["points"] for turn in data["turns"]] == [30, 0]
    assert data["failed_reason"] == "customer_lost" and data["mood_trace"] == [1, 1, 4]
    assert len(data["norms_version"]) == 64 and data["max_points"] == 120
    assert runner.invoke(args=["roleplay", "score", "no-such-scenario", str(transcript)]).exit_code == 1
    transcript.write_text("{}", encoding="utf-8")
    assert runner.invoke(args=["roleplay", "score", "unexpected-fee", str(transcript)]).exit_code == 1
