"""What a publish does to learners, in words: the sentence a trainer reads
for each effect (``lms.content.publishing.effects``), made at display time
in the reader's language; exam settings before → after (also for the audit
log of a publish)."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from lms.content.models import REVIEW_POLICY_LABELS, REVIEW_POLICY_SETTING, SCORING_LABELS
from lms.content.publishing.effects import Effect
from lms.numbers import counted, reading_number
from lms.punctuation import listing, sentences
from lms.scores import score as format_score


def _setting_label(name: str) -> str:
    return {"pass_mark": _("Pass mark"), "time_limit": _("Time limit"), "attempts": _("Attempts"),
            "cooldown": _("Cooldown"), "review": str(REVIEW_POLICY_SETTING), "scoring": _("Scoring"),
            "partial": _("Partial credit"), "shuffle": _("Shuffle options"), "focus": _("Tab-switch limit"),
            "closes_at": _("Closes"), "open_to_all": _("Open to all learners"), "draw": _("Draw rules")}[name]


def _setting_value(name: str, value) -> str:
    if value is None:
        return {"attempts": _("unlimited")}.get(name, "—")
    if name == "pass_mark":
        return f"{format_score(value)}%"
    if name in ("time_limit", "cooldown"):
        return _("%(n)d min", n=value)
    if name == "review":
        return str(REVIEW_POLICY_LABELS.get(value, value))
    if name == "scoring":
        return str(SCORING_LABELS.get(value, value))
    if name == "closes_at":
        if isinstance(value, str):  # as the audit log keeps it
            value = datetime.fromisoformat(value)
        return format_datetime(value, "yyyy-MM-dd HH:mm")  # stored in UTC, shown in the bank's zone
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


# Settings read when they are used, so a change reaches attempts already
# started or finished: when answers are shown, how many attempts and how long
# between them, which attempt counts, the closing time, the tab-switch limit.
AT_ONCE = ("review", "attempts", "cooldown", "scoring", "closes_at", "focus", "open_to_all")


def _join(parts: list[str]) -> str:
    locale = get_locale()
    return ("；" if locale is None or locale.language == "zh" else "; ").join(parts)


def _numbers(numbers: list[int]) -> str:
    locale = get_locale()
    return ("、" if locale is None or locale.language == "zh" else ", ").join(str(n) for n in numbers)


def settings_text(settings: dict) -> str:
    parts = []
    for name, (before, after) in settings.items():
        if name == "draw":
            parts.append(_("the draw rules change"))
        else:
            parts.append(f"{_setting_label(name)} {_setting_value(name, before)} → {_setting_value(name, after)}")
    return _join(parts)


def _in_progress(n: int) -> str:
    return counted("%(num)s attempt in progress", "%(num)s attempts in progress", n)


def _submitted(n: int) -> str:
    return counted("%(num)s submitted attempt", "%(num)s submitted attempts", n)


def regraded_text(n: int) -> str:
    """What a publish with --regrade (or the console's choice) reports when it is done."""
    return counted("%(num)s submitted attempt was re-graded (the learner is notified if the result changed).",
                   "%(num)s submitted attempts were re-graded (each learner whose result changed is notified).", n)


def _question_version(key: str, d: dict) -> str:
    versions = listing(str(v) for v in d["versions"])
    parts = []
    if d["open"]:
        parts.append(_("question %(id)s: %(open)s and %(done)s drew version %(versions)s and keep it: they are "
                       "graded against it, and their results, review, wrong-answer notebook and item analysis show "
                       "it.", id=key, open=_in_progress(d["open"]), done=_submitted(d["done"]), versions=versions))
        parts.append(_("The learners of those attempts in progress were shown another text than the new version's: "
                       "if you choose to re-grade (--regrade), they are re-graded with the new version when they "
                       "submit; otherwise they are graded against the version they were shown."))
    elif d["done"]:
        parts.append(counted("question %(id)s: %(num)s submitted attempt drew version %(versions)s and keeps it: it "
                             "is graded against it, and its result, review, wrong-answer notebook and item analysis "
                             "show it.",
                             "question %(id)s: %(num)s submitted attempts drew version %(versions)s and keep it: "
                             "they are graded against it, and their results, review, wrong-answer notebook and item "
                             "analysis show it.", d["done"], id=key, versions=versions))
    if d.get("moving"):
        parts.append(counted("question %(id)s: %(num)s attempt in progress was shown the same question as the new "
                             "version (only its key, weights or explanation change): it moves to the new version now "
                             "and is graded with it when it is submitted.",
                             "question %(id)s: %(num)s attempts in progress were shown the same question as the new "
                             "version (only its key, weights or explanation change): they move to the new version "
                             "now and are graded with it when they submit.", d["moving"], id=key))
    parts.append(_("Attempts started after publishing get the new version."))
    return sentences(parts)


def describe(effect: Effect) -> str:
    """The effect as one sentence for the trainer, in the reader's language."""
    d = effect.data
    if effect.kind == "question_version":
        return _question_version(effect.key, d)
    if effect.kind == "question_retired":
        sentence = _("question %(id)s is retired (no longer in its bank): new attempts do not draw it; "
                     "%(open)s and %(done)s drew it and keep it: they are graded against it, and their results, "
                     "review and item analysis show it.",
                     id=effect.key, open=_in_progress(d["open"]), done=_submitted(d["done"]))
        if d["notebooks"]:
            sentence = sentences([sentence, counted(
                "%(num)s learner has it in their wrong-answer notebook: it stays there as a record, marked retired, "
                "and is no longer practised.",
                "%(num)s learners have it in their wrong-answer notebook: it stays there as a record, marked "
                "retired, and is no longer practised.", d["notebooks"])])
        return sentence
    if effect.kind == "answers_regraded":
        sentence = _("corrected answers (%(questions)s): %(attempts)s would score differently under the new key "
                     "(each against its own pass mark and partial-credit rule); pass or fail would flip for "
                     "%(to_fail)s (passed → failed) and %(to_pass)s (failed → passed).",
                     questions=effect.key, attempts=_submitted(d["attempts"]),
                     to_fail=reading_number(len(d["to_fail"])), to_pass=reading_number(len(d["to_pass"])))
        if d["to_fail"]:
            sentence = sentences([sentence, _("Would fail: %(people)s.", people=_join(d["to_fail"]))])
        if d["to_pass"]:
            sentence = sentences([sentence, _("Would pass: %(people)s.", people=_join(d["to_pass"]))])
        if d["waiting"]:
            sentence = sentences([sentence, counted("%(num)s of them still waits for essay grading.",
                                                    "%(num)s of them still wait for essay grading.", d["waiting"])])
        return sentences([sentence, _("Publishing asks you to choose, with a reason: re-grade these attempts or "
                                      "leave their results as they are.")])
    if effect.kind == "question_reverted":
        return _("question %(id)s goes back to the text of version %(version)s (published %(published)s), although "
                 "version %(latest)s is newer: is this an older copy of the file?",
                 id=effect.key, version=d["version"], published=format_datetime(d["published"], "yyyy-MM-dd HH:mm"),
                 latest=d["latest"])
    if effect.kind == "exam_settings":
        sentence = _("exam %(id)s: %(settings)s. Attempts in progress (%(open)s) keep their questions, deadline, "
                     "pass mark and partial-credit rule; learners who passed (%(passed)s) stay passed; new attempts "
                     "follow the new settings.", id=effect.key, settings=settings_text(d["settings"]),
                     open=reading_number(d["open"]), passed=reading_number(d["passed"]))
        at_once = [_setting_label(name) for name in d["settings"] if name in AT_ONCE]
        if at_once:
            sentence = sentences([sentence, _("%(settings)s apply at once to every learner, finished attempts too.",
                                             settings=_join(at_once))])
        return sentence
    if effect.kind == "exam_retired":
        return _("exam %(id)s is retired: nobody can start it; attempts in progress (%(open)s) can still be "
                 "submitted; submitted attempts (%(done)s, learners who passed: %(passed)s) stay in their records.",
                 id=effect.key, open=reading_number(d["open"]), done=reading_number(d["done"]),
                 passed=reading_number(d["passed"]))
    if effect.kind == "week_retired":
        return counted("%(week)s of %(programme)s is retired: it no longer counts toward progress, the roster or "
                       "certificates; %(num)s learner passed its exam (the result stays).",
                       "%(week)s of %(programme)s is retired: it no longer counts toward progress, the roster or "
                       "certificates; %(num)s learners passed its exam (their results stay).",
                       d["passed"], week=d["title"], programme=d["programme"])
    if effect.kind == "week_added":
        sentence = _("%(programme)s: “%(week)s” is inserted as week %(n)s (%(opens)s – %(due)s); the weeks after "
                     "it that have no dates of their own move with it.",
                     programme=d["programme"], week=d["title"], n=d["number"], opens=d["opens"], due=d["due"])
        if d["overdue"]:
            sentence = sentences([sentence, counted(
                "It is already past its due date: %(num)s learner is overdue on it at once (they are told, and so are "
                "their mentor and managers); give it later dates to avoid this.",
                "It is already past its due date: %(num)s learners are overdue on it at once (they are told, and so "
                "are their mentors and managers); give it later dates to avoid this.", d["overdue"])])
        elif d["learners"]:
            sentence = sentences([sentence, counted("It is open now: %(num)s learner must pass it.",
                                                    "It is open now: %(num)s learners must pass it.", d["learners"])])
        return sentence
    if effect.kind == "week_moved":
        sentence = counted(
            "%(programme)s: “%(week)s” moves from week %(before)s to week %(after)s (due %(due_before)s → "
            "%(due_after)s); it stays the same week: %(num)s learner who passed it stays passed, its notifications "
            "are not sent again.",
            "%(programme)s: “%(week)s” moves from week %(before)s to week %(after)s (due %(due_before)s → "
            "%(due_after)s); it stays the same week: %(num)s learners who passed it stay passed, its notifications "
            "are not sent again.", d["passed"], programme=d["programme"], week=d["title"], before=d["before"],
            after=d["after"], due_before=d["due_before"], due_after=d["due_after"])
        return sentences([sentence, _overdue_at_once(d)])
    if effect.kind == "week_dates_changed":
        sentence = counted(
            "%(programme)s: %(week)s now runs %(opens_after)s – %(due_after)s (was %(opens_before)s – "
            "%(due_before)s); it stays the same week: %(num)s learner who passed it stays passed, its notifications "
            "are not sent again.",
            "%(programme)s: %(week)s now runs %(opens_after)s – %(due_after)s (was %(opens_before)s – "
            "%(due_before)s); it stays the same week: %(num)s learners who passed it stay passed, its notifications "
            "are not sent again.", d["passed"], programme=d["programme"], week=_week(d["number"], d["title"]),
            opens_after=d["opens_after"], due_after=d["due_after"], opens_before=d["opens_before"],
            due_before=d["due_before"])
        return sentences([sentence, _overdue_at_once(d)])
    if effect.kind == "programme_past_due":
        return _("%(programme)s is new and its weeks %(weeks)s were due between %(first)s and %(last)s, before "
                 "today (%(today)s): everyone in its audience who joined before then is overdue on them the day "
                 "it is published (they are told, and so are their mentors and managers). Give those weeks later "
                 "dates, or a later 'start', to avoid this.",
                 programme=effect.key, weeks=_numbers(d["weeks"]), first=d["first_due"],
                 last=d["last_due"], today=d["today"])
    if effect.kind == "week_exam_changed":
        return counted(
            "%(programme)s: %(week)s gets another exam (%(before)s → %(after)s): the %(num)s learner "
            "who passed %(before)s no longer has this week passed until they pass %(after)s.",
            "%(programme)s: %(week)s gets another exam (%(before)s → %(after)s): the %(num)s learners "
            "who passed %(before)s no longer have this week passed until they pass %(after)s.",
            d["passed"], programme=d["programme"], week=_week(d["number"], d["title"]), before=d["before"],
            after=d["after"])
    if effect.kind == "weeks_counted":
        parts = []
        if d["certifications"]:
            parts.append(_("%(programme)s: certifications that require it completed (%(certifications)s) count its "
                           "weeks as they are after publishing: a learner who had every week passed has not while an "
                           "inserted week is not passed, and one who missed only a removed week now has; "
                           "certificates already issued stay.", programme=d["programme"],
                           certifications=_join(d["certifications"])))
        if d["rules"]:
            parts.append(_("%(programme)s: eligibility rules that count its recent weeks passed (%(rules)s) count "
                           "the weeks as they are after publishing: who meets them may change.",
                           programme=d["programme"], rules=_join(d["rules"])))
        return sentences(parts)
    if effect.kind == "lesson_retired" and d.get("renamed"):
        return _("lesson %(id)s (%(title)s) is retired, and the new %(new)s (%(file)s) looks like it under a new "
                 "file name: if you only renamed the file, write “id: %(slug)s” in the front matter at the top of "
                 "%(name)s and the lesson is kept (learners who read it: %(readers)d; their record and every link to "
                 "it stay as they are)", id=effect.key, title=d["title"], new=d["renamed"]["key"],
                 file=_in_course(d["renamed"]["file"]), slug=effect.key.split("/", 1)[1],
                 name=d["renamed"]["file"].rsplit("/", 1)[-1], readers=d["readers"])
    if effect.kind == "lesson_retired":
        return counted("lesson %(id)s (%(title)s) is retired: %(num)s learner read it; it leaves the course and its "
                       "weeks.",
                       "lesson %(id)s (%(title)s) is retired: %(num)s learners read it; it leaves the course and its "
                       "weeks.", d["readers"], id=effect.key, title=d["title"])
    raise ValueError(effect.kind)


def moved_note(plan, key: str) -> str:
    """Where a question went when it moved to another bank ('' if it did not):
    its bank files, inside the course when it stays in it. The console's plan
    row and ``flask content plan`` say it in these words."""
    if key not in plan.moves:
        return ""
    before, after = plan.moves[key]
    if before.split("/")[:2] == after.split("/")[:2] and before.startswith("courses/"):
        before, after = before.split("/", 2)[2], after.split("/", 2)[2]
    old_text, new_text = plan.texts.get(("question", key), ("", ""))
    if old_text != new_text:
        return _("moved from %(before)s to %(after)s", before=before, after=after)
    return _("moved from %(before)s to %(after)s (the question is unchanged: same version)", before=before,
             after=after)


def _week(number: int, title: str) -> str:
    """A week in a sentence of the plan: week 3 “存款产品”, or its title alone when the title
    already names the week (“第 3 周 风险揭示” read 第 3 周“第 3 周 风险揭示”)."""
    bare = re.sub(r"\s+", "", title).lower()
    if bare.startswith(f"第{number}周") or re.match(rf"week{number}(?!\d)", bare):
        return _("“%(title)s”", title=title)
    return _("week %(n)s “%(title)s”", n=number, title=title)


def _in_course(path: str) -> str:
    """courses/corp-accounts/lessons/01-x.md as the trainer sees it in the course folder: lessons/01-x.md."""
    parts = path.split("/")
    return "/".join(parts[2:]) if len(parts) > 2 and parts[0] == "courses" else path


def _overdue_at_once(d: dict) -> str:
    """The sentence a week given earlier dates adds: who is overdue the day it is published."""
    if not d.get("overdue"):
        return ""
    return counted("It is now past its due date: %(num)s learner who has not passed it is overdue at once (they are "
                   "told, and so are their mentor and managers); give it later dates to avoid this.",
                   "It is now past its due date: %(num)s learners who have not passed it are overdue at once (they "
                   "are told, and so are their mentors and managers); give it later dates to avoid this.",
                   d["overdue"])


def not_reviewed_message() -> str:
    """A web Publish that carries no reviewed plan (a page opened before the
    fingerprint existed, or a request made by hand): nothing is published."""
    return _("This Publish did not carry the changes you reviewed (a page opened before an update, or a request "
             "made by hand). Nothing was published. Check the changes below, then publish.")
