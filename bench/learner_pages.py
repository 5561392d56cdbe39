"""The pages a learner opens in a week, for a learner with a realistic year:
CPU milliseconds per page (median of ``--rounds`` renders), SQL statements
of one render and the bytes of the response (as sent, and gzipped: what a
phone on a slow bank network would receive behind a compressing proxy).

Builds, on top of the loaded demo (``lms.demo.load_demo``, the real thing):
a course of ``--weeks`` lessons of long markdown (headings, lists, a table of
rates, two images, a callout; rendered and sanitised by the publisher's
renderer ``render_markdown``) and a bank of 10 questions per week (single,
multiple and true/false, options with inline markdown, explanations); a
programme of ``--weeks`` weekly exams (10 questions each) with today in its
last week; a learner in a branch of their own who has taken every earlier week
through the exam engine (``lms.exams.demo_results``: start, answers, submit,
the real grading and 错题本) with retakes, paired with the demo's mentor 王师傅,
holding three certificates (issued by HR), with every lesson read and this
week's exam open (the exam page and its review). Seven more learners of the
branch have the same year and are 王师傅's apprentices too: his home (the
师傅 panel) shows eight apprentices of a year each, beside the demo's.
Practice (错题本) is measured as a learner uses it: start (a redirect to the
next question), the question, and a wrong answer posted by htmx with the
page's CSRF token (nothing changes).

Then, in process through Flask's test client (no server: the figures are the
app's own), each page: median CPU time of the process over the rounds, the
statements of one render (an event listener on the engine) and the size.

    python bench/learner_pages.py [--database-url URL | --data FILE] [--weeks 44] [--rounds 15] [--only WORDS] [--profile PREFIX]
"""
from __future__ import annotations

import gzip
import json
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
import _people as people_data  # noqa: E402

PER_WEEK = 10
APPRENTICES = 8  # 王师傅's apprentices of a year each (the learner is one)

LESSON = """本周课程是第 {n} 周的重点：{title}。请在周五前读完并完成测验。

## 一、为什么要学

客户经理每天都会遇到客户问到**{title}**。答得准、讲得清，是合规销售的第一步，
也是客户信任的开始。本节用三个真实案例（已脱敏）说明常见误区：

1. 只讲收益，不讲风险：客户签字前必须听懂*最不利情形*；
2. 口头承诺“保本”：违反《商业银行理财业务监督管理办法》；
3. 没有做适当性评估就推荐高风险产品。

![产品结构示意图](https://static.example.com/lessons/week-{n}/structure.png)

## 二、利率与期限

| 期限 | 挂牌利率 | 优惠后利率 | 起存金额 |
| --- | ---: | ---: | ---: |
| 3 个月 | 1.05% | 1.15% | 50 元 |
| 6 个月 | 1.25% | 1.35% | 50 元 |
| 1 年 | 1.35% | 1.45% | 50 元 |
| 2 年 | 1.45% | 1.55% | 50 元 |
| 3 年 | 1.75% | 1.95% | 50 元 |
| 5 年 | 1.80% | 2.00% | 50 元 |

!!! warning "风险提示"
    利率以营业网点公告为准；提前支取按活期计息。向客户说明时，请当面出示最新公告。

## 三、话术与案例

> 客户：“这个产品是不是跟存款一样保本？”
>
> 客户经理：“不是。它是理财产品，不保本、不保收益，我给您看一下风险等级和过往业绩的说明……”

{paragraphs}

![柜面操作流程](https://static.example.com/lessons/week-{n}/flow.png)

## 四、要点回顾

- 先评估，后推荐：适当性评估结果有效期一年；
- 双录：向 60 岁以上客户销售须全程录音录像；
- 留痕：沟通记录在 CRM 中保存，至少五年；
- 投诉：客户对产品有疑问，**当天**回复。
"""
PARAGRAPH = ("在第 {i} 个案例中，客户张先生（退休教师，风险承受能力评估为 C2 稳健型）来网点咨询一款 R3 级别的"
             "净值型理财。客户经理先核对了评估结果，说明产品等级高于客户能力等级，不能主动推荐；客户坚持购买时，"
             "按流程签署《风险不匹配警示函》并完成双录。事后检查发现录音缺少风险揭示的关键句，被认定为销售不规范。"
             "本案例提醒我们：每一个环节都要完整、可回溯。")


def _lesson_md(n: int, title: str) -> str:
    return LESSON.format(n=n, title=title, paragraphs="\n\n".join(PARAGRAPH.format(i=i) for i in range(1, 9)))


def _question(n: int, k: int, rng: random.Random) -> tuple[str, dict, str, str]:
    """(type, data, stem markdown, explanation markdown) of the k-th question of week n."""
    stem = (f"第 {n} 周第 {k + 1} 题：客户王女士（风险承受能力 **C3 平衡型**）咨询一款期限 *180 天* 的"
            f"产品，年化业绩比较基准 `3.{k}%`。关于向她介绍这款产品，下列说法{{}}？")
    options = [{"key": key, "text": text} for key, text in zip("ABCD", [
        "应先核对其风险评估结果是否**在有效期内**", "可以口头承诺到期*保本保收益*",
        "须向客户说明业绩比较基准**不是**预期收益", "客户年满 60 岁时应全程双录"])]
    explanation = ("**解析：** 业绩比较基准不等于收益承诺；不得承诺保本。参见第 {n} 周课程第二节和"
                   "《理财业务管理办法》第二十六条。").format(n=n)
    kind = ("single", "multiple", "truefalse")[k % 3]
    if kind == "single":
        return kind, {"options": options, "correct": ["C"]}, stem.format("正确的是"), explanation
    if kind == "multiple":
        return kind, {"options": options, "correct": ["A", "C", "D"]}, stem.format("正确的有"), explanation
    return kind, {"correct": rng.random() < 0.5}, stem.format("是否可以只介绍收益，不介绍风险（判断）").replace(
        "下列说法", ""), explanation


def build(data: h.Data, weeks: int) -> dict:
    """The demo, then the learner's year; returns the ids the pages take."""
    from sqlalchemy import select

    from lms import clock
    from lms.certificates import issuing
    from lms.content.models import (Certification, Course, Exam, Lesson, LessonView, Programme, ProgrammeItem,
                                    ProgrammeItemLesson, Question, QuestionVersion, QuestionTag)
    from lms.content.rendering import render_markdown
    from lms.demo import load_demo
    from lms.exams import attempts as exam_attempts, demo_results
    from lms.exams.models import Attempt, NotebookEntry
    from lms.extensions import db
    from lms.mentoring import pairing as pairings, settings as mentoring_settings
    from lms.org.models import Branch, PositionRecord, User, UserRole, user_by_employee_no

    rng = random.Random(20261202)
    t0 = time.perf_counter()
    today = clock.today()
    start = people_data.first_day(today, weeks)
    with data.app.app_context():
        load_demo("demo-pass-2024")
        print(f"  demo loaded in {time.perf_counter() - t0:.0f} s", flush=True)
        branch = Branch(code=f"LP{h.RUN}", name=f"压测支行{h.RUN}")
        db.session.add(branch)
        db.session.flush()
        def person(no: str, name: str) -> User:
            user = User(employee_no=f"bench-{h.RUN}-{no}", name=name, password_hash="",
                        branch_id=branch.id, hire_date=start - timedelta(days=30))
            user.role_rows = [UserRole(role="learner")]
            user.positions = [PositionRecord(position="rm_junior", start_date=start - timedelta(days=30))]
            db.session.add(user)
            return user

        learner = person("learner", "压测学员")
        # The mentor's other apprentices, in the same branch with the same year.
        others = [person(f"apprentice{i}", f"压测徒弟{i}") for i in range(1, APPRENTICES)]
        course = Course(slug=f"bench-{h.RUN}", title="压测：一年的产品知识", track="products",
                        intro_md="一年的周课。", intro_html="<p>一年的周课。</p>")
        db.session.add(course)
        db.session.flush()
        exams, lessons = [], []
        for n in range(1, weeks + 1):
            title = f"第 {n} 周 理财产品销售的适当性与双录"
            body = _lesson_md(n, title)
            lessons.append(Lesson(course_id=course.id, slug=f"w{n:02d}", position=n, title=title, minutes=20,
                                  objectives_json=json.dumps(["讲清风险", "做好双录"], ensure_ascii=False),
                                  body_md=body, body_html=str(render_markdown(body)), content_hash=f"l{n}"))
            slugs = []
            for k in range(PER_WEEK):
                kind, qdata, stem, explanation = _question(n, k, rng)
                q = Question(slug=f"bench-{h.RUN}-w{n:02d}q{k}", course_id=course.id, bank=f"week-{n}.md")
                db.session.add(q)
                db.session.flush()
                v = QuestionVersion(question_id=q.id, version=1, type=kind, stem_md=stem,
                                    stem_html=str(render_markdown(stem)), explanation_md=explanation,
                                    explanation_html=str(render_markdown(explanation)),
                                    data_json=json.dumps(qdata, ensure_ascii=False), points=10.0,
                                    content_hash=f"b{n}-{k}")
                v.tag_rows = [QuestionTag(tag=f"知识点{(n * PER_WEEK + k) % 23}")]
                db.session.add(v)
                db.session.flush()
                q.current_version_id = v.id
                slugs.append(q.slug)
            exams.append(Exam(slug=f"bench-{h.RUN}-w{n:02d}", title=f"第 {n} 周测验", course_id=course.id,
                              draw_json=json.dumps([{"questions": slugs}]), time_limit_minutes=30, pass_mark=80.0,
                              max_attempts=None, cooldown_minutes=0, scoring="best"))
        db.session.add_all(lessons + exams)
        db.session.flush()
        programme = Programme(slug=f"bench-{h.RUN}", title=f"压测：一年的周训{h.RUN}",
                              audience_json=json.dumps({"branches": [branch.code], "roles": ["learner"]}))
        programme.items = [ProgrammeItem(key=f"week-{n}", kind="week", number=n, title=f"第 {n} 周",
                                         exam_id=exams[n - 1].id, opens_on=start + timedelta(days=7 * (n - 1)),
                                         due_on=start + timedelta(days=7 * (n - 1) + 6),
                                         lesson_links=[ProgrammeItemLesson(lesson_id=lessons[n - 1].id)])
                           for n in range(1, weeks + 1)]
        db.session.add(programme)
        db.session.add_all(LessonView(user_id=user.id, lesson_id=lesson.id,
                                      first_viewed_at=datetime.combine(start, datetime.min.time()))
                           for user in [learner, *others] for lesson in lessons)
        db.session.commit()
        print(f"  course, {weeks} lessons, {weeks * PER_WEEK} questions in {time.perf_counter() - t0:.0f} s", flush=True)

        now = clock.now()
        loader = demo_results._Loader(rng, now)
        frozen = clock._frozen
        try:
            for n, user_id in enumerate([learner.id] + [o.id for o in others]):
                taker = demo_results._Taker(db.session.get(User, user_id), 0.45 if n == 0 else 0.3 + 0.05 * n)
                for item in sorted(programme.items, key=lambda i: i.number)[:-1]:  # this week's is open (below)
                    r = rng.random()
                    failures = 0 if r < 0.5 else 1 if r < 0.9 else 2
                    loader.until_passed(taker, item, item.opens_on, item.due_on, failures)
                    db.session.expire_all()
        finally:
            clock.freeze(frozen)
        print(f"  {loader.attempts} attempts in {time.perf_counter() - t0:.0f} s", flush=True)

        hr, mentor = user_by_employee_no("hr"), user_by_employee_no("mentor")
        mentoring_settings.set_capacity(mentor, 20, actor=hr)  # the demo's apprentices and these
        db.session.commit()
        for user_id in [learner.id] + [o.id for o in others]:
            apprentice = db.session.get(User, user_id)
            pairings.pair(mentor, apprentice, today - timedelta(days=200), today + timedelta(days=165),
                          "一年内独立开展理财销售", actor=hr)
            db.session.commit()
            for slug in ("rm-qualification", "rm-intermediate-qualification", "mentor-qualification"):
                certification = db.session.scalar(select(Certification).where(Certification.slug == slug))
                issuing.issue(apprentice, certification, actor=hr, reason="压测：历史证书补录",
                              on=today - timedelta(days=rng.randint(30, 300)), render_now=False)
                db.session.commit()
        learner = db.session.get(User, learner.id)
        current = programme.items[-1]
        attempt = exam_attempts.start_attempt(learner, db.session.get(Exam, current.exam_id), current)
        db.session.commit()
        last = db.session.scalar(select(Attempt).where(Attempt.user_id == learner.id,
                                                       Attempt.submitted_at.is_not(None))
                                 .order_by(Attempt.submitted_at.desc()).limit(1))
        # A single-choice entry: practice answers it wrong (B; the key is C), which changes nothing.
        entry = db.session.scalar(select(NotebookEntry.id)
                                  .join(QuestionVersion, QuestionVersion.id == NotebookEntry.version_id)
                                  .where(NotebookEntry.user_id == learner.id, QuestionVersion.type == "single")
                                  .order_by(NotebookEntry.id).limit(1))
        attempts = db.session.scalar(select(db.func.count()).select_from(Attempt).where(Attempt.user_id == learner.id))
        entries = db.session.scalar(select(db.func.count()).select_from(NotebookEntry)
                                    .where(NotebookEntry.user_id == learner.id))
        print(f"  the learner: {weeks} weeks, {attempts} attempts, {entries} 错题本 entries, 3 certificates; "
              f"王师傅: {APPRENTICES} such apprentices ({loader.attempts} attempts in all) and the demo's; "
              f"built in {time.perf_counter() - t0:.0f} s", flush=True)
        return {"learner": learner.get_id(), "mentor": mentor.get_id(), "programme": programme.id,
                "lesson": lessons[-1].id, "attempt": attempt.id, "result": last.id, "entry": entry,
                "course": course.slug}


def pages(ids: dict) -> list[tuple[str, str, str]]:
    """(who, label, URL); a URL starting with "POST " is an htmx form post
    (with the page's CSRF token), one answering 302 a redirect."""
    return [
        ("learner", "home (本周培训)", "/"),
        ("learner", "我的培训", "/programmes/"),
        ("learner", "programme page", f"/programmes/{ids['programme']}"),
        ("learner", "lesson page", f"/lessons/{ids['lesson']}"),
        ("learner", "exam page (open attempt)", f"/attempts/{ids['attempt']}"),
        ("learner", "review before submit", f"/attempts/{ids['attempt']}/review"),
        ("learner", "result page (last attempt)", f"/attempts/{ids['result']}/result"),
        ("learner", "错题本", "/notebook/"),
        ("learner", "practice: start (302)", "/notebook/practice"),
        ("learner", "practice (one question)", f"/notebook/practice/{ids['entry']}"),
        ("learner", "practice: answer (htmx POST)", f"POST /notebook/practice/{ids['entry']}"),
        ("learner", "我的证书", "/certificates/mine"),
        ("learner", "my mentor", "/mentoring/me"),
        ("mentor", "mentor's home (师傅 panel)", "/"),
    ]


def _open_attempt(data: h.Data, ids: dict) -> int:
    """This week's attempt, started again when the kept one has run out (30 minutes)."""
    from lms import clock
    from lms.content.models import ProgrammeItem
    from lms.exams import attempts as exam_attempts
    from lms.exams.models import Attempt
    from lms.extensions import db

    with data.app.app_context():
        attempt = db.session.get(Attempt, ids["attempt"])
        if attempt.state == "open" and not attempt.is_expired(clock.now()):
            return attempt.id
        exam_attempts.expire_if_due(attempt)
        db.session.commit()
        item = db.session.get(ProgrammeItem, attempt.programme_item_id)
        fresh = exam_attempts.start_attempt(attempt.user, attempt.exam, item)
        db.session.commit()
        return fresh.id


def _request(client, url: str, token: str):
    """One request of a page as ``pages`` names it: the response."""
    if url.startswith("POST "):
        return client.post(url[5:], data={"answer": "B"}, headers={"HX-Request": "true", "X-CSRFToken": token})
    return client.get(url)


def _timed(client, url: str, token: str, rounds: int) -> list[float]:
    cpu = []
    for _ in range(rounds):
        c0 = time.process_time()
        response = _request(client, url, token)
        cpu.append((time.process_time() - c0) * 1000)
        response.close()
    return cpu


def _csrf_token(client, url: str) -> str:
    import re

    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def measure(data: h.Data, ids: dict, rounds: int, only: str, profile: str) -> None:
    from lms.extensions import db

    with data.app.app_context():
        statements = h.Statements(db.engine)
    clients = {who: data.client(ids[who]) for who in ("learner", "mentor")}
    token = _csrf_token(clients["learner"], f"/notebook/practice/{ids['entry']}")
    print(f"\n{'page':<44} {'CPU ms':>7} {'SQL':>5} {'bytes':>8} {'gzip':>7}")
    for who, label, url in pages(ids):
        if only and only not in f"{who} {label}":
            continue
        client = clients[who]
        _request(client, url, token)  # warm-up: templates compiled
        before = statements.count
        response = _request(client, url, token)
        sql = statements.count - before
        expected = 302 if "(302)" in label else 200
        assert response.status_code == expected, (url, response.status_code, response.headers.get("Location"))
        body = response.get_data()
        cpu = _timed(client, url, token, rounds)
        if profile:
            import cProfile

            profiler = cProfile.Profile()  # over the rounds: one render is too noisy to read
            profiler.enable()
            for _ in range(rounds):
                _request(client, url, token)
            profiler.disable()
            profiler.dump_stats(profile + "".join(c if c.isalnum() else "-" for c in f"{who} {label}") + ".prof")
        print(f"{who + ': ' + label:<44} {statistics.median(cpu):>7.1f} {sql:>5} {len(body):>8,} "
              f"{len(gzip.compress(body, 6)):>7,}", flush=True)


def main() -> None:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="SQLite file to build once and reuse (the ids kept beside it)")
    parser.add_argument("--weeks", type=int, default=44)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", default="", help="only the pages whose '<who> <label>' holds these words")
    parser.add_argument("--profile", default="", help="cProfile ``--rounds`` more renders of each page: <PREFIX><page>.prof")
    args = parser.parse_args()
    url = h.database_url(args.database_url or (f"sqlite:///{args.data}" if args.data else None))
    kept = Path(args.data + ".json") if args.data else None
    data = h.Data(url)
    data.migrate()
    print(f"The learner's pages on {h.dialect(url)}, {args.weeks} weeks, {date.today():%d %B %Y}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    if kept is not None and kept.exists():
        ids = json.loads(kept.read_text())
        ids["attempt"] = _open_attempt(data, ids)
    else:
        ids = build(data, args.weeks)
        if kept is not None:
            kept.write_text(json.dumps(ids))
    measure(data, ids, args.rounds, args.only, args.profile)


if __name__ == "__main__":
    main()
