from pathlib import Path

from tests.quizzes.builders import make_bank_text, question_section
from tests.quizzes.conftest import install
from webapp.quizzes.bank import parse_bank_file
from webapp.quizzes.gift import convert_gift
from webapp.quizzes.moodle_xml import convert_moodle_xml

SAMPLE = Path(__file__).parent / "data" / "hotline.gift"


def test_import_gift_writes_a_valid_bank_and_lists_what_was_not_converted(app, runner, tmp_path):
    app.config["CONTENT_ROOT"] = str(tmp_path)
    args = ["quizzes", "import-gift", str(SAMPLE), "--bank", "gift-demo", "--lesson", "telephone-etiquette.standard-phrases",
            "--title", "GIFT 导入", "--module", "telephone-etiquette"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "essay question" in result.output and "12 question(s) converted, 2 not converted" in result.output
    bank, problems = parse_bank_file(tmp_path / "quizzes/banks/gift-demo.md", tmp_path)
    assert problems == [] and len(bank.questions) == 12
    again = runner.invoke(args=args)  # appended, numbered after the existing questions
    assert again.exit_code == 0
    bank, problems = parse_bank_file(tmp_path / "quizzes/banks/gift-demo.md", tmp_path)
    assert problems == [] and bank.questions[-1].id == "gift-demo.q024"


def test_import_gift_dry_run_prints_and_writes_nothing(app, runner, tmp_path):
    app.config["CONTENT_ROOT"] = str(tmp_path)
    result = runner.invoke(args=["quizzes", "import-gift", str(SAMPLE), "--bank", "x", "--lesson", "a.b", "--dry-run"])
    assert result.exit_code == 0 and "## x.q001" in result.output
    assert not (tmp_path / "quizzes").exists()


def test_import_gift_in_windows_1252_and_unreadable_files(app, runner, tmp_path):
    app.config["CONTENT_ROOT"] = str(tmp_path)
    latin = tmp_path / "latin.gift"
    latin.write_bytes("::Café::Le café est-il « chaud » ?{T#Oui.}".encode("windows-1252"))
    result = runner.invoke(args=["quizzes", "import-gift", str(latin), "--bank", "x", "--lesson", "a.b", "--dry-run"])
    assert result.exit_code == 0 and "Le café est-il « chaud » ?" in result.output
    result = runner.invoke(args=["quizzes", "import-gift", str(latin), "--bank", "x", "--lesson", "a.b", "--encoding", "utf-8"])
    assert result.exit_code == 1 and f"{latin}:1: the file is not utf-8 text" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_import_moodle_xml_writes_a_valid_bank(app, runner, tmp_path):
    app.config["CONTENT_ROOT"] = str(tmp_path)
    source = Path(__file__).parent / "data" / "moodle-export.xml"
    result = runner.invoke(args=["quizzes", "import-moodle-xml", str(source), "--bank", "xml-demo", "--lesson", "a.b"])
    assert result.exit_code == 0, result.output
    assert "9 question(s) converted, 4 not converted" in result.output
    assert f"{source}:73: not converted: an essay question needs a human grader" in result.output
    bank, problems = parse_bank_file(tmp_path / "quizzes/banks/xml-demo.md", tmp_path)
    assert problems == [] and len(bank.questions) == 9
    assert len(list((tmp_path / "quizzes/banks/images").glob("*.png"))) == 1  # the embedded image, beside the bank


def test_export_gift_and_moodle_xml_of_a_published_bank_read_back(app, runner, tmp_path):
    sections = [question_section(n, type=kind) for n, kind in enumerate(
        ["single", "multiple", "truefalse", "fill", "numerical", "matching", "ordering"], start=1)]
    install(make_bank_text(sections=sections))
    result = runner.invoke(args=["quizzes", "export-gift", "demo"])
    assert result.exit_code == 0, result.output
    assert "demo.q005: not exported: GIFT numerical questions take no units" in result.output
    assert "demo.q007: not exported: ordering questions" in result.output
    assert "5 question(s) exported, 2 not exported" in result.output
    assert len(convert_gift(result.stdout).questions) == 5

    target = tmp_path / "demo.xml"
    result = runner.invoke(args=["quizzes", "export-moodle-xml", "demo", "-o", str(target)])
    assert result.exit_code == 0 and f"6 question(s) exported, 1 not exported, written to {target}" in result.output
    assert [q.type for q in convert_moodle_xml(target.read_text(encoding="utf-8")).questions] == [
        "single", "multiple", "truefalse", "fill", "numerical", "matching"]


def test_export_of_an_unknown_bank_says_so(app, runner):
    result = runner.invoke(args=["quizzes", "export-gift", "nope"])
    assert result.exit_code == 1 and "no published bank 'nope'" in result.output
