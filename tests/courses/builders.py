"""Small course folders written to tmp_path for parsing, import and view tests."""

from __future__ import annotations

from pathlib import Path

MODULE_MD = """\
---
id: {module_id}
title:
  zh: {title_zh}
  en: {title_en}
summary: 一段简介。
order: {order}
minutes: 30
tags: [礼仪, 规范用语]
---
模块导言，先看[第一课](01-first.md)。
"""

LESSON_MD = """\
---
id: {lesson_id}
title: {title}
minutes: 10{extra}
---
## 第一节
{body}
"""


def write_file(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_module(root: Path, module_id: str = "etiquette", *, order: int = 1, lessons: dict | None = None,
                 title_zh: str = "电话礼仪", title_en: str = "Telephone etiquette") -> Path:
    """A module folder; ``lessons`` maps file name -> body (default: two short lessons)."""
    folder = root / "courses" / module_id
    write_file(folder, "module.md", MODULE_MD.format(module_id=module_id, order=order,
                                                     title_zh=title_zh, title_en=title_en))
    lessons = lessons if lessons is not None else {
        "01-first.md": "::: 规范用语\n“您好，很高兴为您服务。”\n:::\n\n[下一课](02-second.md)",
        "02-second.md": "### 小结\n正文。",
    }
    for file_name, body in lessons.items():
        write_lesson(folder, file_name, body)
    return folder


def write_lesson(folder: Path, file_name: str, body: str, *, lesson_id: str | None = None,
                 title: str = "课程标题", extra: str = "") -> Path:
    slug = file_name[3:-3]
    return write_file(folder, file_name, LESSON_MD.format(
        lesson_id=lesson_id or f"{folder.name}.{slug}", title=title, extra=extra, body=body))
