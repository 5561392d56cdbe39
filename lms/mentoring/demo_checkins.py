"""The demo's mentoring record for 王师傅 (``mentor``) and 李学员 (``learner``),
after the pairings (order 65, after 60): 李学员 fails week 1's exam twice
today (the failed-twice alert reaches the mentor; 李学员 joined the programme's
audience with the demo, so the early weeks are catch-up for them), and four
check-ins over the last weeks — one action overdue, the last check-in not
acknowledged yet. Found by the two 工号; without that pairing nothing is
added. Loading twice changes nothing."""
from __future__ import annotations

import random
from datetime import timedelta

import click
from sqlalchemy import select

from lms import clock
from lms import questions
from lms.content.models import Exam, ProgrammeItem
from lms.exams import answers as exam_answers
from lms.exams import attempts as exam_attempts
from lms.exams import errors as exam_errors
from lms.exams.models import Attempt
from lms.extensions import db
from lms.mentoring import checkins
from lms.mentoring.models import CheckIn, Pairing, PairingState
from lms.org.models import user_by_employee_no

MENTOR, APPRENTICE = "mentor", "learner"
FAILED_EXAM = "exam-week-01"


def add_demo_check_ins(_password: str) -> None:
    mentor, learner = user_by_employee_no(MENTOR), user_by_employee_no(APPRENTICE)
    if mentor is None or learner is None:
        return
    pairing = db.session.scalar(select(Pairing).where(
        Pairing.mentor_id == mentor.id, Pairing.apprentice_id == learner.id, Pairing.state == PairingState.ACTIVE))
    if pairing is None:
        click.echo("Demo mentoring: no active pairing of mentor and learner; no check-ins added.")
        return
    _fail_a_week(learner)
    _check_ins(pairing, mentor)


def _fail_a_week(learner) -> None:
    """Two failed attempts at week 1's exam, the second after the cool-down:
    the clock is moved back to earlier today for them, and put back."""
    exam = db.session.scalar(select(Exam).where(Exam.slug == FAILED_EXAM))
    if exam is None or db.session.scalar(select(Attempt.id).where(Attempt.exam_id == exam.id,
                                                                  Attempt.user_id == learner.id).limit(1)):
        return
    item = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.exam_id == exam.id,
                                                         ProgrammeItem.retired.is_(False)))
    if item is None or item.opens_on > clock.today():
        return
    rng = random.Random(12)
    now = clock.now()
    first = max(clock.day_start(clock.local_date(now)), now - timedelta(minutes=40))  # earlier today
    gap = timedelta(minutes=(exam.cooldown_minutes or 0) + 6)
    frozen_before = clock._frozen  # put back exactly as it was (tests freeze it)
    try:
        for n, started in enumerate((first, first + gap)):
            clock.freeze(started)
            try:
                attempt = exam_attempts.start_attempt(learner, exam, item)
            except exam_errors.ExamError as exc:
                click.echo(f"Demo mentoring: {learner.employee_no} could not take {exam.slug}: {exc}")
                return
            for k, attempt_item in enumerate(attempt.items):
                version = attempt_item.question_version
                right = k % 3 == 0 if n == 0 else k % 2 == 0  # about a third, then a half: failed both times
                answer = questions.get(version.type).simulated_answer(version.data, right, rng)
                exam_answers.save_answer(attempt, attempt_item, answer)
            clock.freeze(started + timedelta(minutes=5))
            exam_attempts.submit(attempt, learner)
    finally:
        clock.freeze(frozen_before)
    click.echo(f"Demo mentoring: {learner.name} failed {exam.title} twice.")


def _check_ins(pairing: Pairing, mentor) -> None:
    if db.session.scalar(select(CheckIn.id).where(CheckIn.pairing_id == pairing.id).limit(1)):
        return
    today = clock.today()
    start = pairing.start_date
    days = sorted({max(start, today - timedelta(days=d)) for d in (24, 17, 10, 3)})
    tags = checkins.curriculum_tags()
    pick = [t for t in ("个人存款", "个人贷款", "理财", "适当性管理", "流动资金贷款", "票据") if t in tags] or tags[:6]
    plan = [
        ("face_to_face", pick[:2], "第一次面谈：梳理**个人存款与个人贷款**的薄弱环节。\n\n- 利率与期限的计算还不熟练\n- 约定每天晨会后复习 20 分钟",
         [("重做错题本中个人存款的题目", 7), ("整理本周拜访的 5 位个人客户需求", 12)]),
        ("on_the_job", pick[1:3], "跟岗带教：陪同拜访一位代发工资客户，示范**适当性管理**的风险测评流程。",
         [("独立完成 2 份客户风险测评并请师傅复核", 10)]),
        ("phone", pick[2:4], "电话沟通：第 2 周内容进度，提醒按时参加测验。", []),
        ("face_to_face", pick[3:5], "面谈：对公业务入门，讲解流动资金贷款的用途与测算。",
         [("阅读《流动资金贷款管理办法》并写出 3 条要点", 7)]),
    ]
    made = []
    for held_on, (form, topics, notes, actions) in zip(days, plan):
        done = [a.id for a in checkins.open_actions(pairing.id) if a.text.startswith(("重做", "独立"))]
        data = checkins.CheckInInput(held_on=held_on, form=form, topics=topics, notes=notes,
                                     actions=[checkins.NewAction(text, held_on + timedelta(days=d))
                                              for text, d in actions],
                                     done_action_ids=done)
        made.append(checkins.record_check_in(pairing, mentor, data))
    for check_in in made[:-1]:  # the apprentice read all but the last one
        checkins.acknowledge(pairing.apprentice, check_in.id)
    click.echo(f"Demo mentoring: {len(made)} check-ins of {mentor.name} with {pairing.apprentice.name}.")
