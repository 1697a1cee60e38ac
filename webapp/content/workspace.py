"""A scratch content root for the kinds' parsers, which read files (docs/dev-conventions.md).

Content lives in the database; to validate or publish, the published files plus the drafts are
written to a private temporary folder for the length of one call and removed after it. It is
never read back as content, so nodes need no shared disk. In memory (/dev/shm) where the node
has it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

_MEMORY = Path("/dev/shm")


@contextmanager
def materialized(files: Mapping[str, bytes]) -> Iterator[Path]:
    """A temporary content root holding ``files`` (root-relative path → bytes)."""
    scratch = str(_MEMORY) if _MEMORY.is_dir() else None
    with tempfile.TemporaryDirectory(prefix="hotline-content-", dir=scratch) as folder:
        root = Path(folder)
        for path, data in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        yield root
