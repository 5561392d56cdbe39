"""What issues certificates without anyone asking: the exam engine's and
mentoring's signals (connected in ``lms.certificates.setup``), the daily
scan and the batch after a programme closes.

Each receiver runs after the exam's (or sign-off's) change is committed and
evaluates only the certifications that change could affect, each in its own
transaction (``issuing.issue_if_met``). A failure is logged and never
reaches the learner's submit or the mentor's sign-off."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from lms.certificates import issuing
from lms.certificates.expiry import NoticeCount, send_expiry_notices
from lms.certificates.requirements import certifications_requiring, evaluate, tenure_condition
from lms.content.models import Certification, Exam, Programme
from lms.exams.models import Attempt, AttemptState
from lms.extensions import db
from lms.org.models import User
from lms.programmes.audience import members

log = logging.getLogger(__name__)


def _try_issue(person: User, certifications: list[Certification]) -> list:
    issued = []
    for certification in certifications:
        try:
            certificate = issuing.issue_if_met(person, certification)
        except Exception:
            db.session.rollback()
            log.exception("automatic issue of %s to user %s failed", certification.slug, person.id)
            continue
        if certificate is not None:
            issued.append(certificate)
    return issued


def on_attempt_finalised(_app, attempt_id: int, **_extra) -> None:
    """An attempt has its result: the certifications naming its exam (or a
    programme with it) are evaluated for the learner."""
    try:
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is None or attempt.state != AttemptState.FINALISED:
            return
        # Tenure first (cheap, from the positions already loaded): a certification
        # whose tenure is not served is not met whatever the exam gave.
        certifications = [c for c in certifications_requiring(exam_slug=attempt.exam.slug)
                          if _tenure_met(attempt.user, c)]
        if certifications:
            _try_issue(attempt.user, certifications)
    except Exception:
        log.exception("certificates after attempt %s failed", attempt_id)


def on_attempts_regraded(_app, attempt_ids: list[int], **_extra) -> None:
    """A corrected key re-graded these attempts: the certifications naming
    their exams are evaluated for their learners who now have a result —
    each exam's certifications looked up once, each learner once, and no
    learner at all when no certification names the exams (a re-grade never
    revokes)."""
    try:
        finalised: dict[str, set[int]] = {}  # exam id (slug) → learners
        for start in range(0, len(attempt_ids), 900):
            for slug, user_id in db.session.execute(
                    select(Exam.slug, Attempt.user_id).join(Exam, Exam.id == Attempt.exam_id)
                    .where(Attempt.id.in_(attempt_ids[start:start + 900]),
                           Attempt.state == AttemptState.FINALISED)):
                finalised.setdefault(slug, set()).add(user_id)
        wanted: dict[int, dict[int, Certification]] = {}  # learner → certifications to evaluate
        for slug in sorted(finalised):
            certifications = certifications_requiring(exam_slug=slug)
            for user_id in finalised[slug] if certifications else ():
                wanted.setdefault(user_id, {}).update({c.id: c for c in certifications})
        for user_id in sorted(wanted):
            person = db.session.get(User, user_id)
            due = [c for c in wanted[user_id].values() if person is not None and _tenure_met(person, c)]
            if due:
                _try_issue(person, due)
    except Exception:
        log.exception("certificates after re-grading %s attempts failed", len(attempt_ids))


def on_signoff_given(_app, apprentice_id: int, **_extra) -> None:
    """A mentor signed the apprentice off: the certifications asking for a sign-off."""
    try:
        person = db.session.get(User, apprentice_id)
        certifications = certifications_requiring(signoff=True)
        if person is not None and certifications:
            _try_issue(person, certifications)
    except Exception:
        log.exception("certificates after the sign-off of user %s failed", apprentice_id)


@dataclass
class ScanResult:
    issued: int
    notices: NoticeCount


def _tenure_met(person: User, certification: Certification) -> bool:
    """The cheap part first: only the tenure lines, from the positions already loaded."""
    return all(tenure_condition(person, t.get("positions") or [], int(t.get("months", 0))).met
               for t in certification.requirements.get("tenure") or [])


def scan() -> ScanResult:
    """Issue what tenure now allows (the requirements that time alone can
    complete), then send the expiry notices. Running it again does nothing new."""
    issued = 0
    certifications = certifications_requiring(tenure=True)
    if certifications:
        people = list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
        for person in people:
            due = [c for c in certifications if _tenure_met(person, c)]
            issued += len(_try_issue(person, due)) if due else 0
    return ScanResult(issued, send_expiry_notices())


@dataclass
class BatchResult:
    considered: int
    issued: int
    not_met: int
    not_due: int


def batch_candidates(certification: Certification, programme_slug: str | None = None) -> list[int]:
    """The people the batch looks at: a programme's members, or every active person."""
    if programme_slug:
        programme = db.session.scalar(select(Programme).where(Programme.slug == programme_slug))
        if programme is None:
            raise LookupError(programme_slug)
        return sorted(m.user.id for m in members(programme))
    return list(db.session.scalars(select(User.id).where(User.active.is_(True)).order_by(User.id)))


def issue_batch(certification: Certification, person_ids: list[int], progress=None) -> BatchResult:
    """Issue to everyone in ``person_ids`` who meets the requirements and is
    due: each certificate in its own short transaction, its PDF rendered
    after that commit, the evaluation read before it — a request never waits
    long for the write lock."""
    result = BatchResult(len(person_ids), 0, 0, 0)
    for person_id in person_ids:
        person = db.session.get(User, person_id)
        if person is None or not issuing.automatic_issue_due(person_id, certification):
            result.not_due += 1
        elif not (evaluation := evaluate(person, certification)).met:
            result.not_met += 1
        else:
            try:
                if issuing.issue(person, certification, evaluation=evaluation) is not None:
                    result.issued += 1
                else:
                    result.not_due += 1
            except Exception:
                db.session.rollback()
                log.exception("batch issue of %s to user %s failed", certification.slug, person_id)
        db.session.expunge_all()  # 500 people: keep the session small
        certification = db.session.get(Certification, certification.id)
        if progress is not None:
            progress()
    return result

