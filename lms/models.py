"""Every domain's models, imported in one place so that the metadata is complete
for migrations and for create_app(). Only models: nothing registers itself here
(each domain's ``init_app`` does that)."""
from lms.audit.models import AuditEvent  # noqa: F401
from lms.auth.models import LoginThrottle, RequestCounter  # noqa: F401
from lms.content.models import (  # noqa: F401
    Asset, Certification, EligibilityRule, ContentRelease, Course, Exam, Lesson, LessonView, Programme, ProgrammeItem,
    ProgrammeItemLesson, Question, QuestionTag, QuestionVersion,
)
from lms.exams.models import Attempt, AttemptItem, IntegrityEvent, NotebookEntry, ScoreOverride  # noqa: F401
from lms.programmes.models import ProgrammeMember  # noqa: F401
from lms.notify.models import Delivery, Notification  # noqa: F401
from lms.org.models import Branch, PositionRecord, SystemSetting, User, UserRole  # noqa: F401
from lms.mentoring.models import (  # noqa: F401
    CheckIn, CheckInAction, MentorCapacity, Pairing, SignOff, SignOffDimension,
)
from lms.certificates.models import Certificate, SerialCounter  # noqa: F401
