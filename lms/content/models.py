"""The curriculum as published: courses, lessons, versioned questions, exams
and programmes. Content files are the source of truth for what is taught;
these rows are what was published from them.

Stable ids come from the files (``slug``). Publishing never deletes: an item
that disappeared from the files is *retired*; a question whose text changed
gets a new ``QuestionVersion`` so that past attempts keep the version they saw.
"""
from __future__ import annotations

import json
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from lms import clock, questions
from lms.extensions import db

TRACKS = ("products", "credit", "risk-cases", "warning-education", "other")
QUESTION_TYPES = questions.QUESTION_TYPES  # the registry's codes (lms/questions)
DIFFICULTIES = ("easy", "medium", "hard")
REVIEW_POLICIES = ("after_submit", "after_pass", "after_close", "never")
LAYOUTS = ("one_page", "per_question")
SCORING = ("best", "latest")
# What the pages say for each code (the files and the database keep the codes).
# The review setting has one name and one wording on every page that shows it (the console's exam page, the
# exam form and its preview, the plan of a publish): "Answers and explanations shown: After submitting".
REVIEW_POLICY_SETTING = _l("Answers and explanations shown")
REVIEW_POLICY_LABELS = {
    "after_submit": lazy_pgettext("answers shown", "After submitting"),
    "after_pass": lazy_pgettext("answers shown", "Once passed"),
    "after_close": lazy_pgettext("answers shown", "After the exam closes"),
    "never": lazy_pgettext("answers shown", "Never"),
}
LAYOUT_LABELS = {"one_page": _l("All questions on one page"), "per_question": _l("One question per page")}
SCORING_LABELS = {"best": _l("best attempt"), "latest": _l("latest attempt")}


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    track: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text, default="")
    intro_md: Mapped[str] = mapped_column(Text, default="")  # course.md's introduction
    intro_html: Mapped[str] = mapped_column(Text, default="")  # rendered and sanitised at publish
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    retired: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    lessons: Mapped[list[Lesson]] = relationship(back_populates="course", order_by="Lesson.position")


class Lesson(db.Model):
    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(default=0)
    objectives_json: Mapped[str] = mapped_column(Text, default="[]")
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered and sanitised at publish
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    retired: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    course: Mapped[Course] = relationship(back_populates="lessons")

    @property
    def objectives(self) -> list[str]:
        return json.loads(self.objectives_json)


class Asset(db.Model):
    """An image or attachment of a course folder, served to signed-in users."""

    __tablename__ = "asset"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    path: Mapped[str] = mapped_column(String(255))  # relative to the course folder
    mimetype: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes]
    content_hash: Mapped[str] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(default=False)  # gone from the course folder (never deleted)


class Question(db.Model):
    """A question's stable identity; its text lives in versions."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)  # stable id from the bank file
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    bank: Mapped[str] = mapped_column(String(200), default="")  # file it came from
    # No foreign key: question and question_version would reference each other,
    # a cycle that SQLite cannot add after CREATE TABLE. Publish keeps it right.
    current_version_id: Mapped[int | None]
    retired: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course | None] = relationship()
    current_version: Mapped[QuestionVersion | None] = relationship(
        primaryjoin="foreign(Question.current_version_id) == QuestionVersion.id", post_update=True)
    versions: Mapped[list[QuestionVersion]] = relationship(
        foreign_keys="QuestionVersion.question_id", back_populates="question", order_by="QuestionVersion.version")


class QuestionVersion(db.Model):
    """One immutable version of a question. ``data_json`` holds the type's
    payload (options and key, blanks, numeric answer, rubric, case parts); its
    shape per type is documented in lms/content/schema.py."""

    __tablename__ = "question_version"
    __table_args__ = (UniqueConstraint("question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    version: Mapped[int]
    type: Mapped[str] = mapped_column(String(16))
    stem_md: Mapped[str] = mapped_column(Text)
    stem_html: Mapped[str] = mapped_column(Text, default="")
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    points: Mapped[float] = mapped_column(default=1.0)
    difficulty: Mapped[str] = mapped_column(String(8), default="medium")
    explanation_md: Mapped[str] = mapped_column(Text, default="")
    explanation_html: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # The course whose images the relative links of the options, case parts and
    # rubric show (the stem and explanation were resolved at publish), read with
    # the version: the exam page reads no statement more per question for it.
    course_slug: Mapped[str | None] = column_property(
        select(Course.slug).where(Course.id == Question.course_id, Question.id == question_id)
        .correlate_except(Course, Question).scalar_subquery())

    question: Mapped[Question] = relationship(foreign_keys=[question_id], back_populates="versions")
    tag_rows: Mapped[list[QuestionTag]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def data(self) -> dict:
        return json.loads(self.data_json)

    @property
    def tags(self) -> list[str]:
        return sorted(t.tag for t in self.tag_rows)


class QuestionTag(db.Model):
    """Knowledge-point tags of a version, as rows so that draws and the
    wrong-answer notebook can filter and group in SQL."""

    __tablename__ = "question_tag"

    version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class Exam(db.Model):
    """How an exam is drawn, timed, passed and reviewed."""

    __tablename__ = "exam"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # [{"count": 5, "type": "single", "tags": [...], "difficulty": "hard", "course": "slug"} |
    #  {"questions": ["q-id", ...]}] — see lms/content/schema.py
    draw_json: Mapped[str] = mapped_column(Text, default="[]")
    time_limit_minutes: Mapped[int] = mapped_column(default=30)
    pass_mark: Mapped[float] = mapped_column(default=60.0)  # percent of the points
    max_attempts: Mapped[int | None]  # None: unlimited (weekly exams: everybody passes)
    cooldown_minutes: Mapped[int] = mapped_column(default=0)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    layout: Mapped[str] = mapped_column(String(16), default="one_page")
    review_policy: Mapped[str] = mapped_column(String(16), default="after_submit")
    scoring: Mapped[str] = mapped_column(String(8), default="best")
    partial_credit: Mapped[bool] = mapped_column(default=False)  # multiple choice
    focus_loss_limit: Mapped[int | None]  # submit the attempt past this many tab switches
    closes_at: Mapped[datetime | None]
    # Any learner may take it, not only members of a programme whose week
    # includes it (from that week's opening).
    open_to_all: Mapped[bool] = mapped_column(default=False, server_default=false())
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    retired: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course | None] = relationship()

    @property
    def draw(self) -> list[dict]:
        return json.loads(self.draw_json)


class Programme(db.Model):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    # {"branches": [codes], "positions": [codes], "roles": [roles]}; empty lists mean everyone
    audience_json: Mapped[str] = mapped_column(Text, default="{}")
    # Week N's exam opens only when week N-1's is passed (bulletins are outside the chain).
    in_order: Mapped[bool] = mapped_column(default=False, server_default=false())
    # "" for dated weeks; "quarterly" for a requirement due every quarter (one item, kind "quarterly").
    recurring: Mapped[str] = mapped_column(String(16), default="", server_default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    retired: Mapped[bool] = mapped_column(default=False)

    # In date order; items opening on the same day in the order they were added (PostgreSQL
    # returns rows of equal date in storage order, which an update changes).
    items: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="programme", order_by=lambda: (ProgrammeItem.opens_on, ProgrammeItem.id))

    @property
    def audience(self) -> dict:
        return json.loads(self.audience_json)


class ProgrammeItem(db.Model):
    """A week of a programme (lessons + an exam + open and due dates), or a
    mid-week product bulletin (one lesson + a 3–5 question check)."""

    __tablename__ = "programme_item"
    __table_args__ = (UniqueConstraint("programme_id", "key"), Index("ix_programme_item_dates", "opens_on", "due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # "week-1", "bulletin-2"
    kind: Mapped[str] = mapped_column(String(12), default="week")  # week | bulletin | quarterly
    number: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exam.id"))
    opens_on: Mapped[date]
    due_on: Mapped[date]
    retired: Mapped[bool] = mapped_column(default=False)

    programme: Mapped[Programme] = relationship(back_populates="items")
    exam: Mapped[Exam | None] = relationship()
    lesson_links: Mapped[list[ProgrammeItemLesson]] = relationship(
        cascade="all, delete-orphan", order_by="ProgrammeItemLesson.position", lazy="selectin")

    @property
    def lessons(self) -> list[Lesson]:
        return [link.lesson for link in self.lesson_links]


class ProgrammeItemLesson(db.Model):
    __tablename__ = "programme_item_lesson"

    item_id: Mapped[int] = mapped_column(ForeignKey("programme_item.id", ondelete="CASCADE"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    lesson: Mapped[Lesson] = relationship()


class LessonView(db.Model):
    """A learner opened (and finished reading) a lesson."""

    __tablename__ = "lesson_view"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), primary_key=True)
    first_viewed_at: Mapped[datetime] = mapped_column(default=clock.now)
    completed_at: Mapped[datetime | None]


class ContentRelease(db.Model):
    """One publish: who, when, from where, and what it changed."""

    __tablename__ = "content_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(255), default="")
    summary_json: Mapped[str] = mapped_column(Text, default="{}")

    @property
    def summary(self) -> dict:
        return json.loads(self.summary_json)


class Certification(db.Model):
    """A certification as published from ``content/certifications/<slug>.yaml``
    (e.g. 客户经理上岗资格): what a person must have done to be issued one, how
    long a certificate is valid, and when renewal opens. Issued certificates
    are ``lms.certificates.models.Certificate``."""

    __tablename__ = "certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    # Serial numbers are PREFIX-YEAR-SEQUENCE (e.g. RMQ-2026-000042).
    serial_prefix: Mapped[str] = mapped_column(String(16))
    validity_months: Mapped[int | None]  # None: never expires
    renewal_window_days: Mapped[int] = mapped_column(default=90)
    # {"programmes": [slug], "exams": [{"exam": slug, "min_score": 80}],
    #  "signoff": true, "tenure": [{"positions": [code], "months": 6}]} — content/FORMAT.md
    requirements_json: Mapped[str] = mapped_column(Text, default="{}")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    retired: Mapped[bool] = mapped_column(default=False)

    @property
    def requirements(self) -> dict:
        return json.loads(self.requirements_json)


class EligibilityRule(db.Model):
    """Who may enter a position (准入), as published from
    ``content/eligibility/<slug>.yaml``: required valid certifications, tenure
    in a previous position, a mentor's sign-off, weekly exams passed lately."""

    __tablename__ = "eligibility_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The position (lms.org.models.POSITIONS code) or "mentor" (the mentor role) it gates.
    target: Mapped[str] = mapped_column(String(32), index=True)
    # {"certifications": [slug], "tenure": [{"positions": [code], "months": 12}],
    #  "signoff": true, "weeks_passed": {"programme": slug, "last": 8, "min": 8}} — content/FORMAT.md
    requirements_json: Mapped[str] = mapped_column(Text, default="{}")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    retired: Mapped[bool] = mapped_column(default=False)

    @property
    def requirements(self) -> dict:
        return json.loads(self.requirements_json)
