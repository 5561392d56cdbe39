"""Write examples/question_bank_template.xlsx (the blank import template with
its instructions) and examples/question_bank_example.xlsx (banking questions
of every type), from lms.content.importers so that they always match what
the importer reads.

    python scripts/make_xlsx_examples.py
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lms.content.importers.examples import example_questions  # noqa: E402
from lms.content.importers.xlsx import export_xlsx, template_xlsx  # noqa: E402


def main() -> None:
    out = ROOT / "examples"
    out.mkdir(exist_ok=True)
    (out / "question_bank_template.xlsx").write_bytes(template_xlsx())
    (out / "question_bank_example.xlsx").write_bytes(export_xlsx(example_questions()))
    print(f"wrote {out / 'question_bank_template.xlsx'} and {out / 'question_bank_example.xlsx'}")


if __name__ == "__main__":
    main()
