"""The "posts" content kind: quizzes/posts/<post-id>.md <-> Post, PostVersion."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from webapp.content.registry import Catalog, ContentKind
from webapp.content.sources import ContentFiles, parse_texts
from webapp.extensions import db

from .models import Certificate, Post, PostAssignment, PostVersion
from .posts import PostDefinition, check_references, parse_post

POSTS_FOLDER = Path("quizzes") / "posts"
#: Catalog names of the ids a post refers to (offered by the courses, quiz and scenario kinds).
MODULES, QUIZZES, SCENARIOS, SCENARIO_TAGS = "courses.module", "quizzes.quiz", "scenarios", "scenarios.tag"


class PostsKind(ContentKind):
    name = "posts"
    order = 60
    patterns = (f"{POSTS_FOLDER.as_posix()}/*.md",)

    def parse(self, paths: list[str], files: ContentFiles) -> tuple[list[PostDefinition], list]:
        posts, problems = parse_texts(paths, files, parse_post)
        return posts, sorted(problems)

    def ids(self, parsed: list[PostDefinition]) -> dict[str, Iterable[str]]:
        return {"posts.post": [post.post_id for post in parsed]}

    def check(self, parsed: list[PostDefinition], catalog: Catalog) -> list:
        """References are checked against every kind that has landed (a missing kind checks nothing)."""
        known = set(catalog.names())

        def ids_or_anything(name: str):
            return catalog.ids(name) if name in known else _Everything()

        return [problem for post in parsed for problem in check_references(
            post, ids_or_anything(MODULES), ids_or_anything(QUIZZES), ids_or_anything(SCENARIOS),
            ids_or_anything(SCENARIO_TAGS))]

    def import_items(self, parsed: list[PostDefinition]) -> dict[str, int]:
        counts = Counter(created=0, updated=0, unchanged=0)
        for definition in parsed:
            counts[_upsert_post(definition)] += 1
        return dict(counts)

    def published_files(self) -> dict[str, bytes]:
        posts = db.session.scalars(db.select(Post).where(Post.current_version_id.is_not(None)).order_by(Post.id))
        return {f"{POSTS_FOLDER.as_posix()}/{post.id}.md": post.current_version.source.encode("utf-8") for post in posts}

    def content_stats(self) -> dict[str, int]:
        return {"posts": _count(Post.id), "post_versions": _count(PostVersion.id)}

    def stats(self) -> dict[str, int]:
        return self.content_stats() | {
            "assignments": _count(PostAssignment.id),
            "certificates": _count(Certificate.id),
            "revoked_certificates": _count(Certificate.id, Certificate.revoked_at.is_not(None)),
        }


def _count(column, *criteria) -> int:
    return db.session.scalar(db.select(db.func.count(column)).where(*criteria)) or 0


class _Everything:
    """Stands in for the ids of a kind that is not registered yet."""

    def __contains__(self, item) -> bool:
        return True


def _upsert_post(definition: PostDefinition) -> str:
    post = db.session.get(Post, definition.post_id)
    if post is not None and post.current_version and post.current_version.content_hash == definition.content_hash:
        return "unchanged"
    outcome = "created" if post is None else "updated"
    if post is None:
        post = Post(id=definition.post_id)
        db.session.add(post)
    post.title_zh, post.title_en = definition.title_zh, definition.title_en
    version = db.session.scalar(db.select(PostVersion).where(
        PostVersion.post_id == definition.post_id, PostVersion.content_hash == definition.content_hash))
    if version is None:  # a reverted edit reuses its earlier version
        version = PostVersion(post_id=definition.post_id, content_hash=definition.content_hash,
                              source=definition.source)
        db.session.add(version)
        db.session.flush()
    post.current_version = version
    return outcome
