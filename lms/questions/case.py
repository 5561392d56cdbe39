from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from lms import questions as registry
from lms.content.rendering import render_markdown
from lms.content.source.links import course_link_resolver
from lms.questions.base import Grade, QuestionType


class Case(QuestionType):
    """A scenario with sub-questions of the other types. Each part is graded
    by its own type; the fraction is the points-weighted share. When a part
    needs a person (an essay), the other parts are graded and the case waits
    (fraction None, the parts' grades kept)."""

    code = "case"
    has_parts = True

    def _parts(self, data):
        return data.get("parts", [])

    def needs_calculator(self, data):
        return any(_type_of(part).needs_calculator(part.get("data", {})) for part in self._parts(data))

    def grade(self, data, answer, *, partial_credit=False):
        answer = answer or {}
        parts: dict[str, Grade] = {}
        total = earned = 0.0
        waiting = False
        for part in self._parts(data):
            grade = _type_of(part).grade(part.get("data", {}), answer.get(part["id"]), partial_credit=partial_credit)
            parts[part["id"]] = grade
            points = float(part.get("points", 1))
            total += points
            if grade.fraction is None:
                waiting = True
            else:
                earned += grade.fraction * points
        if waiting:
            return Grade(None, parts)
        return Grade(earned / total if total else 0.0, parts)

    def answer_from_form(self, data, form, name, values=None):
        out = {}
        for part in self._parts(data):
            value = _type_of(part).answer_from_form(part.get("data", {}), form, f"{name}-{part['id']}", values)
            if value is not None:
                out[part["id"]] = value
        return out or None

    def is_answered(self, answer):
        return bool(answer)

    def part_is_answered(self, part, answer) -> bool:
        return _type_of(part).is_answered((answer or {}).get(part["id"]))

    def public_data(self, data):
        return {"parts": [{"id": p["id"], "type": p["type"], "stem": p.get("stem", ""), "points": p.get("points", 1),
                           "data": _type_of(p).public_data(p.get("data", {}))} for p in self._parts(data)]}

    def option_order(self, data, rng, shuffle):
        orders = {p["id"]: _type_of(p).option_order(p.get("data", {}), rng, shuffle) for p in self._parts(data)}
        return {k: v for k, v in orders.items() if v is not None} or None

    def auto_points(self, data, grade: dict | None) -> float:
        """Points the parts graded automatically earned (a trainer adds the essay part's)."""
        parts = (grade or {}).get("parts", {})
        return sum(float(p.get("points", 1)) * parts[p["id"]]["fraction"]
                   for p in self._parts(data) if parts.get(p["id"], {}).get("fraction") is not None)

    def render(self, *, name, data, answer, order, stem_html, review, explanation_html="", grade=None,
               points=None, autosave_url=None, saved_target=None, values=None, course_slug=None, own=True,
               answered=True):
        answer = answer or {}
        order = order or {}
        rendered = []
        resolve = course_link_resolver(course_slug) if course_slug else None
        for part in self._parts(data):
            qtype = _type_of(part)
            part_grade = ((grade or {}).get("parts") or {}).get(part["id"])
            html = qtype.render(
                name=f"{name}-{part['id']}", data=part.get("data", {}), answer=answer.get(part["id"]),
                order=order.get(part["id"]), stem_html=render_markdown(part.get("stem", ""), resolve), review=review,
                explanation_html=render_markdown(part.get("explanation", ""), resolve) if review else "",
                grade=part_grade, points=part.get("points", 1), autosave_url=autosave_url, saved_target=saved_target,
                values=values, course_slug=course_slug, own=own, answered=answered)
            rendered.append((part, html))
        html = render_template(self.template, qtype=self, name=name, stem_html=Markup(stem_html or ""),
                               parts=rendered, review=review)
        if review and explanation_html:
            html += render_template("exams/types/_explanation.html", explanation_html=Markup(explanation_html),
                                    grade=None, points=None)
        return Markup(html)

    def key_text(self, data):
        return []

    def parts(self, data):
        return self._parts(data)

    def text_lines(self, data):
        return []

    def plan_lines(self, data):
        return []

    def simulated_answer(self, data, right, rng):
        return {p["id"]: _type_of(p).simulated_answer(p.get("data", {}), right or rng.random() < 0.5, rng)
                for p in self._parts(data)}

    def parse_body(self, reader, body):
        body.data["parts"], body.points = reader.case_parts(body.part_blocks, body.points)

    def from_excel_row(self, reader, row, stem, answer, options):
        # A case spans the rows of its own sheet; a part row is never a case.
        return stem, {}


def _type_of(part: dict) -> QuestionType:
    """A part's question type. The registry imports this module, so it is looked up when a part is read."""
    return registry.get(part["type"])
