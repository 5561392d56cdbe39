from __future__ import annotations

from lms.questions.base import Grade, QuestionType

# The demo's answers: a good one first, then weaker ones.
SIMULATED_ESSAYS = ("应先实地走访企业，核实经营场所和财务报表的真实性，再核查关联交易和担保情况。",
                    "贷前调查要看第一还款来源，核实现金流；同时关注担保和抵押物的合规性。",
                    "不清楚。")


class Essay(QuestionType):
    """Graded by a trainer against the rubric; the rubric stays hidden until
    the attempt is finalised."""

    code = "essay"
    excel_name = "简答"
    has_rubric = True
    excel_aliases = ("问答", "问答题", "论述", "论述题")
    secret_keys = ("rubric",)

    def grade(self, data, answer, *, partial_credit=False):
        return Grade(None)

    def answer_from_form(self, data, form, name, values=None):
        value = form.get(name)
        if value is None:
            return None
        value = value.replace("\r\n", "\n").strip()
        return value or None

    def correct_answer(self, data):
        return data.get("rubric", "")

    def key_text(self, data):
        return []

    def rubric(self, data):
        return data.get("rubric", "")

    def text_lines(self, data):
        return ["评分要点：", data.get("rubric", "").strip()]

    def plan_lines(self, data):
        return ["评分要点：", data.get("rubric", "")]

    def simulated_answer(self, data, right, rng):
        return SIMULATED_ESSAYS[0 if right else rng.randrange(1, len(SIMULATED_ESSAYS))]

    def bank_body(self, stem, data, guard):
        if not data.get("rubric"):
            return stem, None
        guard.text(data["rubric"], "rubric")
        return stem, ["评分要点：", data["rubric"]]

    def excel_answer(self, data, stem):
        return data.get("rubric", ""), stem

    def parse_body(self, reader, body):
        pass  # the stem and the rubric (read before, as has_rubric says) are all an essay has

    def from_excel_row(self, reader, row, stem, answer, options):
        return stem, reader.rubric(row, answer)
