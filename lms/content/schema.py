"""What a content source (markdown folder, GIFT file, XLSX sheet, web upload)
parses into, before it is checked and published. Every importer produces these
objects; ``publish`` consumes only these.

The ``data`` of a question, per type (also stored as QuestionVersion.data_json):

    single     {"options": [{"key": "A", "text": "<md>"}, ...], "correct": ["B"]}
    multiple   {"options": [...], "correct": ["A", "C"],
                "weights": {"A": 50, "C": 50, "B": -50}}   # weights optional (GIFT partial credit, percent)
    truefalse  {"correct": true}
    fill       {"blanks": [["次级", "次级类"], ["可疑"]]}   # stem_md holds {{1}}, {{2}} where blanks go
    numeric    {"answer": 1.5, "tolerance": 0.01, "unit": "%"}  # or "ranges": [[1.4, 1.6]]; tolerance absolute
    essay      {"rubric": "<md>"}
    case       {"parts": [{"id": "a", "type": "single", "stem": "<md>", "points": 2,
                           "data": {...}, "explanation": "<md>"}, ...]}   # parts of any type but case

A learner's answer (AttemptItem.answer_json), per type:

    single "B" · multiple ["A", "C"] · truefalse true · fill ["次级", "可疑"] ·
    numeric "1.5" (as typed) · essay "text" · case {"a": <answer of part a>, ...}
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from lms.control_characters import ANY


@dataclass(frozen=True)
class Source:
    path: str  # relative to the content root (or the uploaded file's name)
    line: int = 0
    column: int | None = None

    def __str__(self) -> str:
        # A file named "x\nOK: …" shows as x\x0aOK: …, never as a line of its own.
        path = ANY.sub(lambda m: f"\\x{ord(m.group()):02x}", self.path)
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}:{self.column}" if self.column else where


@dataclass
class Problem:
    source: Source
    message: str
    # The one fault a problem reports, where two checks may word it from either side (an id written twice:
    # ("question", id)); the console shows a fault once.
    fault: tuple | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass
class ParsedCourse:
    id: str
    title: str
    track: str
    summary: str
    source: Source
    intro_md: str = ""  # the optional introduction after course.md's front matter


@dataclass
class ParsedLesson:
    course_id: str
    id: str
    position: int
    title: str
    minutes: int
    objectives: list[str]
    body_md: str
    source: Source


@dataclass
class ParsedAsset:
    course_id: str
    path: str  # relative to the course folder, e.g. "images/flow.png"
    data: bytes
    mimetype: str
    source: Source


@dataclass
class ParsedQuestion:
    id: str
    type: str
    stem_md: str
    points: float
    difficulty: str
    tags: list[str]
    explanation_md: str
    data: dict
    source: Source
    course_id: str | None = None
    bank: str = ""


@dataclass
class ParsedExam:
    id: str
    title: str
    course_id: str | None
    draw: list[dict]
    time_limit_minutes: int
    pass_mark: float
    max_attempts: int | None
    cooldown_minutes: int
    shuffle_options: bool
    layout: str
    review_policy: str
    scoring: str
    partial_credit: bool
    focus_loss_limit: int | None
    closes_at: datetime | None
    source: Source
    open_to_all: bool = False  # any learner may take it, not only members of a programme with it


@dataclass
class ParsedCertification:
    """A ``certifications/<slug>.yaml`` (content/FORMAT.md). ``requires`` is
    normalised: only the keys the file gives, e.g. {"programmes": [slug],
    "exams": [{"exam": slug, "min_score": 80}], "signoff": True,
    "tenure": [{"positions": [code], "months": 12}]}. ``lines`` maps a
    reference ("exams", 0) to its line, for cross-file problems."""
    id: str
    title: str
    summary: str
    serial_prefix: str
    validity_months: int | None  # None: never expires
    renewal_window_days: int
    requires: dict
    source: Source
    lines: dict = field(default_factory=dict)


@dataclass
class ParsedEligibilityRule:
    """An ``eligibility/<slug>.yaml``: who may enter ``target`` (a position
    code or "mentor"). ``requires``: {"certifications": [slug], "tenure":
    [...], "signoff": True, "weeks_passed": {"programme": slug, "last": N, "min": M}}."""
    id: str
    title: str
    summary: str
    target: str
    requires: dict
    source: Source
    lines: dict = field(default_factory=dict)


@dataclass
class ParsedProgrammeItem:
    key: str  # the item's ``id:`` in the file, else its place: "week-1", "bulletin-1"
    kind: str  # week | bulletin
    number: int
    title: str
    lessons: list[str]  # "course-id/lesson-id"
    exam_id: str | None
    opens_on: date
    due_on: date
    source: Source
    explicit_key: bool = False  # the file gives the item an ``id:``


@dataclass
class ParsedProgramme:
    id: str
    title: str
    summary: str
    audience: dict
    items: list[ParsedProgrammeItem]
    source: Source
    in_order: bool = False  # week N's exam opens when week N-1's is passed
    recurring: str = ""  # "" (dated weeks) or "quarterly" (one lesson set and exam, due every quarter)


# Banks read from the content folder are named by their path under it.
FOLDER_BANK_PREFIX = "courses/"


@dataclass
class Scope:
    """What a bundle stands for, so that publishing knows what it may retire.

    ``Scope()`` (the default, e.g. an uploaded GIFT file) retires nothing. The
    whole content folder covers everything; a sub-path covers only the courses,
    course parts, banks, exams or programmes under it. Absent items *inside*
    the scope are retired; items outside it are left alone."""

    path: str = ""  # what was read, relative to the content root ("" = the whole folder)
    all_courses: bool = False  # every course (and so every lesson, asset and question)
    courses: set[str] = field(default_factory=set)  # course ids covered with all their parts
    lessons_of: set[str] = field(default_factory=set)  # course ids whose lessons/ folder is covered
    assets_of: set[str] = field(default_factory=set)  # course ids whose images/attachments are covered
    questions_of: set[str] = field(default_factory=set)  # course ids whose questions/ folder is covered
    banks: set[str] = field(default_factory=set)  # bank files covered (paths relative to the root)
    all_exams: bool = False
    all_programmes: bool = False
    all_certifications: bool = False
    all_eligibility_rules: bool = False

    @property
    def whole(self) -> bool:
        return (self.all_courses and self.all_exams and self.all_programmes and self.all_certifications
                and self.all_eligibility_rules)

    def covers_course(self, course_id: str) -> bool:
        return self.all_courses or course_id in self.courses

    def covers_lessons_of(self, course_id: str) -> bool:
        return self.covers_course(course_id) or course_id in self.lessons_of

    def covers_assets_of(self, course_id: str) -> bool:
        return self.covers_course(course_id) or course_id in self.assets_of

    def covers_question(self, course_id: str | None, bank: str) -> bool:
        if bank in self.banks:
            return True
        # Questions imported from elsewhere (GIFT, XLSX: their bank is the file's
        # name) are not the folder's to retire.
        if course_id is None or not (bank.startswith(FOLDER_BANK_PREFIX) or not bank):
            return False
        return self.covers_course(course_id) or course_id in self.questions_of

    def describe(self) -> str:
        return "the whole content folder" if self.whole else (self.path or "nothing (no retirement)")


@dataclass
class ContentBundle:
    courses: list[ParsedCourse] = field(default_factory=list)
    lessons: list[ParsedLesson] = field(default_factory=list)
    assets: list[ParsedAsset] = field(default_factory=list)
    questions: list[ParsedQuestion] = field(default_factory=list)
    exams: list[ParsedExam] = field(default_factory=list)
    programmes: list[ParsedProgramme] = field(default_factory=list)
    certifications: list[ParsedCertification] = field(default_factory=list)
    eligibility_rules: list[ParsedEligibilityRule] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What was read as the trainer meant it rather than as written (lms.content.source.pasted): warnings
    notes: list[Problem] = field(default_factory=list)
    scope: Scope = field(default_factory=Scope)  # what publishing this bundle may retire
    root: str = ""  # the content folder it was read from, if any
    # course id → {lesson file path inside the course folder → lesson id}, for links between lessons
    lesson_files: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems
