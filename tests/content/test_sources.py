from webapp.content.sources import canonical_text, content_hash, display_path, read_source


def test_canonical_text_drops_bom_and_windows_line_endings():
    assert canonical_text("\ufeff---\r\nid: x\r\n".encode()) == "---\nid: x\n"
    assert content_hash(canonical_text(b"a\r\nb")) == content_hash("a\nb")


def test_invalid_utf8_is_reported_at_its_line(tmp_path):
    path = tmp_path / "bad.md"
    path.write_bytes(b"---\nid: x\ntitle: \xff\n")
    text, problems = read_source(path, "bad.md")
    assert text is None
    assert [str(p) for p in problems] == ["bad.md:3: the file is not valid UTF-8 text"]


def test_display_path_is_relative_to_the_root_when_inside(tmp_path):
    inside = tmp_path / "courses" / "m" / "module.md"
    assert display_path(inside, tmp_path) == "courses/m/module.md"
    assert display_path(inside, tmp_path / "elsewhere") == inside.as_posix()
