"""What the exam engine refuses, as exceptions whose message is shown to the
learner as it is. Raised by ``lms.exams.attempts`` (start, submit, time up),
``lms.exams.answers`` (saving) and ``lms.exams.retakes`` (via start); no
transaction lives here."""
from __future__ import annotations

from flask_babel import lazy_gettext as _

from lms.exams.models import Attempt
from lms.questions import MAX_ANSWER_CHARS  # noqa: F401  (an essay of ten pages; longer is not an answer)


class ExamError(Exception):
    """A learner action the rules refuse; the message is shown as it is."""


class ExamForbidden(ExamError):
    """The learner may not take this exam (not in a programme with it, or its
    week has not opened): a 403 page saying so, not a retry later."""


class TimeUp(ExamError):
    """A save or submit after deadline + grace; the attempt has been finalised."""

    def __init__(self, attempt: Attempt):
        super().__init__(_("Time is up. Your answers saved before the deadline were submitted."))
        self.attempt = attempt


class AnswerRefused(ExamError):
    """This answer cannot be saved (nothing is); the exam goes on."""


class AnswerTooLong(AnswerRefused):
    """An answer box holding more than ``MAX_ANSWER_CHARS`` typed characters
    (``lms.questions.typed_length``); nothing is saved. The message names the
    count the learner sees under the box."""

    def __init__(self, position: int, typed: int):
        super().__init__(_("Question %(n)d: your answer has %(count)d characters, more than the %(max)d allowed; it "
                           "was not saved. Shorten it and save again.",
                           n=position, count=typed, max=MAX_ANSWER_CHARS))
        self.position = position
        self.typed = typed


class UnknownChoice(AnswerRefused):
    """A choice that the attempt's page never offered (a bank letter, a value
    from another attempt or a forged form); nothing is saved."""

    def __init__(self, position: int):
        super().__init__(_("Question %(n)d: that choice is not one of the options on your exam page; nothing was "
                           "saved. Reload the page and choose again.", n=position))
        self.position = position


class AttemptClosed(ExamError):
    """The attempt no longer accepts answers (submitted from another tab, ...)."""

    def __init__(self, attempt: Attempt):
        super().__init__(_("This attempt has already been submitted; answers can no longer be changed."))
        self.attempt = attempt


class NotYourItem(ExamError):
    """No such question in an attempt of this learner (the view answers 404)."""
