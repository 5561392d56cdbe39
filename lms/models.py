"""Every domain's models, imported in one place so that the metadata is complete
for migrations and for create_app()."""
from lms.audit.models import AuditEvent  # noqa: F401
from lms.auth.models import LoginThrottle, RequestCounter  # noqa: F401
from lms.content.models import (  # noqa: F401
    Asset, ContentRelease, Course, Exam, Lesson, LessonView, Programme, ProgrammeItem,
    ProgrammeItemLesson, Question, QuestionTag, QuestionVersion,
)
from lms.exams.models import Attempt, AttemptItem, IntegrityEvent, NotebookEntry, ScoreOverride  # noqa: F401
from lms.org.models import Branch, PositionRecord, SystemSetting, User, UserRole  # noqa: F401

# Home-page panels and demo hooks register themselves on import.
import lms.main.learner_panel  # noqa: E402,F401
import lms.content.publishing.demo  # noqa: E402,F401  (publishes the shipped curriculum)
import lms.content.console.panels  # noqa: E402,F401
import lms.exams.notebook  # noqa: E402,F401  (the 错题本 panel)
import lms.exams.demo_results  # noqa: E402,F401  (demo attempts for grading and analysis)
import lms.org.panels  # noqa: E402,F401
import lms.programmes.panels  # noqa: E402,F401
