from pathlib import Path

from webapp.quizzes.bank import parse_bank_file

SAMPLE = Path(__file__).parent / "data" / "hotline.gift"


def test_import_gift_writes_a_valid_bank_and_lists_what_was_not_converted(app, runner, tmp_path):
    app.config["CONTENT_ROOT"] = str(tmp_path)
    args = ["quizzes", "import-gift", str(SAMPLE), "--bank", "gift-demo", "--lesson", "telephone-etiquette.standard-phrases",
            "--title", "GIFT 导入", "--module", "telephone-etiquette"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "essay questions" in result.output and "10 question(s) converted" in result.output
    bank, problems = parse_bank_file(tmp_path / "quizzes/banks/gift-demo.md", tmp_path)
    assert problems == [] and len(bank.questions) == 10
    again = runner.invoke(args=args)  # appended, numbered after the existing questions
    assert again.exit_code == 0
    bank, problems = parse_bank_file(tmp_path / "quizzes/banks/gift-demo.md", tmp_path)
    assert problems == [] and bank.questions[-1].id == "gift-demo.q020"


def test_import_gift_dry_run_prints_and_writes_nothing(app, runner, tmp_path):
    app.config["CONTENT_ROOT"] = str(tmp_path)
    result = runner.invoke(args=["quizzes", "import-gift", str(SAMPLE), "--bank", "x", "--lesson", "a.b", "--dry-run"])
    assert result.exit_code == 0 and "## x.q001" in result.output
    assert not (tmp_path / "quizzes").exists()
