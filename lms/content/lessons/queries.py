"""What learners read: the live catalogue, lessons and their neighbours, reading marks, and course assets."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms import clock
from lms.content.models import Asset, Course, Lesson, LessonView
from lms.content.source.files import is_asset_name
from lms.database import transaction
from lms.extensions import db


def catalogue() -> list[tuple[Course, list[Lesson]]]:
    """Courses of every track that have lessons, each with its live lessons
    in reading order. Retired courses and lessons are not listed."""
    courses = db.session.scalars(
        select(Course).where(Course.retired.is_(False)).order_by(Course.track, Course.title, Course.slug)).all()
    lessons = db.session.scalars(
        select(Lesson).where(Lesson.retired.is_(False)).order_by(Lesson.course_id, Lesson.position)).all()
    by_course: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        by_course.setdefault(lesson.course_id, []).append(lesson)
    return [(c, by_course[c.id]) for c in courses if c.id in by_course]


def may_read(user, course: Course) -> bool:
    """Who may read a course: its page, its lessons and the files they show
    (images, attachments: ``find_asset``), by one rule, so that nobody fetches
    a file by its address whose lesson they may not open. A course is the
    bank's library, read by every signed-in employee (learners of any
    programme or none, mentors, trainers, HR, administrators), while it is
    live; a retired course is read by nobody. Programmes decide who must
    *pass* a week (``lms.programmes.access``), not who may read."""
    return bool(getattr(user, "is_authenticated", False)) and not course.retired


def live_course(user, slug: str) -> Course | None:
    """The course ``user`` may read (``may_read``), or None."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    return course if course is not None and may_read(user, course) else None


def live_lessons(course: Course) -> list[Lesson]:
    return [lesson for lesson in course.lessons if not lesson.retired]


def live_lesson(user, lesson_id: int) -> Lesson | None:
    """A live lesson of a course ``user`` may read (``may_read``), or None."""
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.retired or not may_read(user, lesson.course):
        return None
    return lesson


def lesson_exists(lesson_id: int) -> bool:
    """Whether the id is a lesson's, live or retired."""
    return db.session.get(Lesson, lesson_id) is not None


def live_lesson_by_slug(user, course_slug: str, lesson_slug: str) -> Lesson | None:
    """A live lesson by its course and lesson ids (how one lesson links to another), as ``live_lesson``."""
    lesson = db.session.scalar(select(Lesson).join(Course, Course.id == Lesson.course_id).where(
        Course.slug == course_slug, Lesson.slug == lesson_slug, Lesson.retired.is_(False)))
    return lesson if lesson is not None and may_read(user, lesson.course) else None


def neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The previous and next live lessons of the same course."""
    lessons = live_lessons(lesson.course)
    i = lessons.index(lesson)
    return (lessons[i - 1] if i > 0 else None, lessons[i + 1] if i + 1 < len(lessons) else None)


def lesson_view(user, lesson: Lesson) -> LessonView | None:
    return db.session.get(LessonView, (user.id, lesson.id))


@transaction()
def mark_lesson_read(user, lesson: Lesson) -> LessonView:
    """Record that ``user`` finished reading ``lesson``; the first time
    counts (marking again keeps the original completion time). Two tabs
    marking at once make one row and keep one time: the row is inserted
    unless there, and the time set only while it is empty, each in one
    statement (on PostgreSQL the second waits for the first's row lock)."""
    now = clock.now()
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(LessonView).values(user_id=user.id, lesson_id=lesson.id, first_viewed_at=now)
                       .on_conflict_do_nothing(index_elements=["user_id", "lesson_id"]))
    db.session.execute(update(LessonView)
                       .where(LessonView.user_id == user.id, LessonView.lesson_id == lesson.id,
                              LessonView.completed_at.is_(None))
                       .values(completed_at=now).execution_options(synchronize_session=False))
    return db.session.execute(select(LessonView).where(LessonView.user_id == user.id,
                                                       LessonView.lesson_id == lesson.id)
                              .execution_options(populate_existing=True)).scalar_one()


def read_lesson_ids(user, lessons: list[Lesson]) -> set[int]:
    if not lessons:
        return set()
    return set(db.session.scalars(select(LessonView.lesson_id).where(
        LessonView.user_id == user.id, LessonView.completed_at.is_not(None),
        LessonView.lesson_id.in_([lesson.id for lesson in lessons]))))


def find_asset(user, course_slug: str, path: str) -> Asset | None:
    """An image or attachment of a course ``user`` may read (``may_read``: the
    lesson page's rule), by its path in the course folder; only images and
    documents are ever served (not a bank or a spreadsheet published before
    assets were limited to them)."""
    if not is_asset_name(path):
        return None
    found = db.session.execute(
        select(Asset, Course).join(Course, Course.id == Asset.course_id)
        .where(Course.slug == course_slug, Asset.path == path, Asset.retired.is_(False))).first()
    if found is None or not may_read(user, found.Course):
        return None
    return found.Asset


def is_inline_image(mimetype: str) -> bool:
    # SVG can carry script: it is never shown inline.
    return mimetype.startswith("image/") and mimetype != "image/svg+xml"
