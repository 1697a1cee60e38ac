"""``flask roleplay check`` and ``flask roleplay score``: the scorer and the call engine on the
shipped files (quizzes/roleplay/ under the content root), no database needed."""
import json
from functools import partial
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.content.problems import ContentProblems

from .call import Reply, replay
from .kinds import NORMS_FILE, SCENARIO_FOLDER
from .norms import Norms, load_norms
from .scenarios import parse_scenario_file
from .scoring import score_reply

roleplay_cli = AppGroup("roleplay", help="Score replies and replay role-play transcripts from the shipped files.")


def _content_root() -> Path:
    return Path(current_app.config["CONTENT_ROOT"])


def _shipped_norms() -> Norms:
    try:
        return load_norms(_content_root() / NORMS_FILE)
    except ContentProblems as error:
        _fail([str(problem) for problem in error.problems])


def _fail(messages: list[str]):
    for message in messages:
        click.echo(message, err=True)
    sys.exit(1)


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@roleplay_cli.command("check")
@click.option("--text", help="The reply to score (default: read it from stdin).")
def check_command(text: str | None) -> None:
    """Score one reply against the norms and print the verdict as JSON."""
    reply = text if text is not None else sys.stdin.read()
    _echo_json(score_reply(reply.strip(), _shipped_norms()).as_json())


@roleplay_cli.command("score")
@click.argument("scenario_id")
@click.argument("transcript", type=click.File("r", encoding="utf-8"))
def score_command(scenario_id: str, transcript) -> None:
    """Replay TRANSCRIPT (a JSON list of {"text", "seconds"}) through SCENARIO_ID; print the results."""
    path = _content_root() / SCENARIO_FOLDER / f"{scenario_id}.md"
    if not path.is_file():
        _fail([f"unknown scenario {scenario_id!r} (no {SCENARIO_FOLDER / path.name})"])
    scenario, problems = parse_scenario_file(path, _content_root())
    if scenario is None:
        _fail([str(problem) for problem in problems])
    try:
        items = json.load(transcript)
        if not isinstance(items, list):
            raise TypeError
        replies = [Reply(str(item["text"]), float(item.get("seconds", 0))) for item in items]
    except (ValueError, TypeError, KeyError, AttributeError):
        _fail(['the transcript must be a JSON list of {"text": "...", "seconds": 12}'])
    norms = _shipped_norms()
    result = replay(scenario, replies, partial(score_reply, norms=norms))
    _echo_json({**result.as_json(), "norms_version": norms.version})
