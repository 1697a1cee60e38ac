"""The content framework: every kind of content file behind ``flask content …``.

Domains register their kinds with ``webapp.content.registry.register_kind``; see
docs/dev-conventions.md "Content framework".
"""

from flask import Flask

from webapp.registry import add_demo_loader

from .cli import content_cli, load_demo_content

#: Demo content loads before anything that depends on it (certificates, sample attempts).
DEMO_CONTENT_ORDER = 10


def init_app(app: Flask) -> None:
    app.cli.add_command(content_cli)
    add_demo_loader(app, load_demo_content, order=DEMO_CONTENT_ORDER)
