"""Punctuation belongs to the reader's language (README, Languages): 得分：80 and
第 1 周、第 2 周 on a Chinese page, Score: 80 and Week 1, Week 2 on an English one."""
import re

from flask import g
from flask_babel import force_locale

from lms import punctuation
from lms.audit import labels as audit_labels
from lms.audit import services as audit
from lms.database import transaction


def test_labels_lists_and_brackets_in_each_language(app):
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert punctuation.label("得分") + "80" == "得分：80"
            assert punctuation.listing(["第 1 周", "第 2 周"]) == "第 1 周、第 2 周"
            assert punctuation.clauses(["2026-12-01 截止", "2026-11-30 完成"]) == "2026-12-01 截止，2026-11-30 完成"
            assert punctuation.statements(["无上岗资格", "任柜员 3 个月"]) == "无上岗资格；任柜员 3 个月"
            assert "自 2026-03-01 起" + punctuation.aside("11 个月") == "自 2026-03-01 起（11 个月）"
            # Around a number or a code the brackets stay half-width, after a space.
            assert "李学员" + punctuation.aside("E1001") == "李学员 (E1001)"
        with force_locale("en"):
            assert punctuation.label("Score") + "80" == "Score: 80"
            assert punctuation.listing(["Week 1", "Week 2"]) == "Week 1, Week 2"
            assert punctuation.statements(["a", "b"]) == "a; b"
            assert "since 2026-03-01" + punctuation.aside("11 months") == "since 2026-03-01 (11 months)"


def test_a_label_is_escaped_where_a_page_shows_it(app):
    with app.test_request_context(), force_locale("en"):
        html = app.jinja_env.from_string('{{ name|label }}{{ words|aside }}').render(name="<b>", words="<i>")
    assert html == "&lt;b&gt;:  (&lt;i&gt;)"
    # A translated string with a value is HTML already (its value escaped): not escaped a second time.
    with app.test_request_context(), force_locale("en"):
        html = app.jinja_env.from_string('{{ _("since %(d)s", d=v)|aside }}').render(v="R&D")
    assert html == " (since R&amp;D)"


def test_the_audit_log_in_english_does_not_use_chinese_punctuation(app, make_user):
    """An English reader of the audit log read 'Before：Learner、Mentor；After：…'."""
    admin = make_user(("admin",))
    with transaction():
        event = audit.record("user.roles_changed", admin, actor=admin, before=["learner", "mentor"],
                             after=["learner"])
    with app.test_request_context(), force_locale("en"):
        english = str(audit_labels.details_html(event))
    g.pop("_audit_described", None)  # the page's memo of the event's words (one language a request)
    with app.test_request_context(), force_locale("zh_CN"):
        chinese = str(audit_labels.details_html(event))
    assert not any(mark in english for mark in "：；、"), english
    assert ": " in english and "; " in english and ", " in english, english
    assert "：" in chinese and "；" in chinese and "、" in chinese, chinese


def test_sentences_follow_one_another_in_the_readers_way(app):
    """A plan read "…得分会变。 将不通过：…。 发布时须选择…": a space after each Chinese
    full stop. Chinese writes the next sentence straight after 。, English after ". "."""
    assert punctuation.sentences(["已保存。", "第 2 周顺延。"]) == "已保存。第 2 周顺延。"
    assert punctuation.sentences(["Saved.", "Week 2 moves."]) == "Saved. Week 2 moves."
    assert punctuation.sentences(["已保存。", "", "Done."]) == "已保存。Done."
    assert punctuation.sentences([]) == ""
    with app.test_request_context():
        html = app.jinja_env.from_string('{% set link %}<a href="/n">打开错题本</a>{% endset %}'
                                         '{{ [_("x"), "<b>", link]|sentences }}').render()
    assert html == 'x &lt;b&gt; <a href="/n">打开错题本</a>'
    with app.test_request_context():
        html = app.jinja_env.from_string('{% set link %}<a href="/n">打开错题本</a>{% endset %}'
                                         '{{ ["4 道题已记入错题本。", link]|sentences }}').render()
    assert html == '4 道题已记入错题本。<a href="/n">打开错题本</a>'


def test_the_publish_plan_reads_as_one_paragraph_in_each_language(app):
    from lms.content.publishing.effects import Effect
    from lms.content.publishing.wording import describe

    effect = Effect("answers_regraded", "pl-003", {"attempts": 2, "to_fail": ["甲学员 (E0001) exam-pl-week #1"],
                                                   "to_pass": [], "waiting": 1})
    with app.test_request_context(), force_locale("zh_CN"):
        text = describe(effect)
    assert "。将不通过：甲学员 (E0001) exam-pl-week #1。其中 1 份仍在等待主观题阅卷。发布时须选择并写明理由：" in text
    assert "。 " not in text and "， " not in text and "： " not in text
    with app.test_request_context(), force_locale("en"):
        text = describe(effect)
    assert "). Would fail: 甲学员 (E0001) exam-pl-week #1. 1 of them still waits for essay grading. Publishing asks" in text


def test_a_folded_chinese_summary_keeps_no_space_after_its_punctuation():
    """``summary: >-`` over two lines: YAML turns the line break into a space, and the certification page
    read "80 分及以上）， 并取得带教师傅的出师评价". English and numbers keep their spaces."""
    import yaml

    from lms.content.source.fields import text_value

    data = yaml.safe_load("summary: >-\n  通过准入考试（80 分及以上），\n  并取得出师评价。证书有效期两年。\n"
                          "english: >-\n  Pass the exam (80 or more),\n  then a sign-off.\n")
    assert text_value(None, data, "summary") == "通过准入考试（80 分及以上），并取得出师评价。证书有效期两年。"
    assert text_value(None, data, "english") == "Pass the exam (80 or more), then a sign-off."


# A placeholder whose value is a code, a number or a date (README, Languages: brackets and quotes in Chinese).
CODE_PLACEHOLDERS = {"h", "on", "serial", "total", "opens", "due", "today", "before", "after", "questions", "place",
                     "min", "last", "code", "file", "when", "p", "day", "d", "employee_no", "no", "apprentice_no",
                     "mentor_no", "value", "n", "num", "cell", "mb", "max", "images", "documents", "row", "id", "url"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)(?:\.\d+)?[sdf]|%%")
_CHINESE = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e“”]")


def bracket_and_quote_faults(text: str) -> list[str]:
    """What breaks the rule in one zh msgstr: 「」 quotes; full-width brackets around only a code, number
    or date (a placeholder of CODE_PLACEHOLDERS or ASCII); half-width ones around Chinese or a word
    placeholder, or touching a Chinese character without a space."""
    faults = [f"「」 instead of “”: {text}"] if re.search("[「」『』]", text) else []
    for inside in re.findall(r"（([^（）]*)）", text):
        names = re.findall(r"%\((\w+)\)", inside)
        if inside.strip() and all(n in CODE_PLACEHOLDERS for n in names) \
                and not _CHINESE.search(_PLACEHOLDER.sub("", inside)):
            faults.append(f"full-width brackets around a code or number （{inside}）: {text}")
    bare = _PLACEHOLDER.sub(lambda m: "X" if m.group(1) in CODE_PLACEHOLDERS or m.group(0) == "%%" else "词",
                            text)
    for found in re.finditer(r"(.?)\(([^()]*)\)(.?)", bare):
        before, inside, after = found.groups()
        if _CHINESE.search(inside):
            faults.append(f"half-width brackets around Chinese ({inside}): {text}")
        elif re.match(r"[\u3400-\u9fff”]", before or "") or re.match(r"[\u3400-\u9fff“]", after or ""):
            faults.append(f"half-width brackets without a space beside Chinese: {text}")
    return faults


def test_the_bracket_and_quote_rule_holds_in_every_chinese_translation():
    """Codes, dates and names sat in （…） in some messages, in (…) or 「…」 in others: 李学员（E1001）
    in a notification, 李学员 (E1001) on the pages, 「考试」 beside “考试”. One rule (README, Languages)."""
    from lms import i18n

    wrong = []
    for domain in i18n.domains():
        for message in i18n.load(domain) or ():
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            wrong += [f"{domain}: {fault}" for s in strings if s for fault in bracket_and_quote_faults(s)]
    assert not wrong, "\n".join(wrong)


def test_the_bracket_rule_catches_each_kind_of_fault():
    assert bracket_and_quote_faults("您的“%(certification)s”证书（%(serial)s）已撤销。")
    assert bracket_and_quote_faults("空白模板（XLSX）")
    assert bracket_and_quote_faults("没有工号为「%(value)s」的人员。")
    assert bracket_and_quote_faults("自 %(d)s 起 (%(months)s 个月)")
    assert bracket_and_quote_faults("关闭 (%(when)s)后可练习")
    assert not bracket_and_quote_faults("您的“%(certification)s”证书 (%(serial)s) 已撤销。")
    assert not bracket_and_quote_faults("%(learner)s（%(employee_no)s，%(branch)s）培训逾期")
    assert not bracket_and_quote_faults("课时 %(id)s（%(title)s）将停用")
    assert not bracket_and_quote_faults("请在题干中用 （ ） 或 ____ 标出每个空")


# A placeholder whose value is a name or a title: Chinese, so no space between it and the Chinese beside it
# (README, Languages: spaces). Names often end with their 工号 (李学员 (A001)), which keeps its space after it,
# so only the side a name starts on is checked for them; titles end in Chinese too. The content checks' messages
# name ids and slugs (exam-rm-entry), which are codes, so they are left out.
STARTS_WITH_A_WORD = {"name", "person", "who", "mentor", "apprentice", "learner", "exam", "week", "programme",
                      "certification", "title", "position", "positions"}
ENDS_WITH_A_WORD = {"exam", "week", "programme", "certification", "title", "position", "positions"}
_HAN = r"[\u3400-\u9fff“”]"


def space_faults(text: str) -> list[str]:
    """Where one zh msgstr puts a space between Chinese and a name or a title (李学员 的培训进度)."""
    faults = [f"a space before %({name})s: {text}" for name in re.findall(_HAN + r" %\((\w+)\)s", text)
              if name in STARTS_WITH_A_WORD]
    faults += [f"a space after %({name})s: {text}" for name in re.findall(r"%\((\w+)\)s " + _HAN, text)
               if name in ENDS_WITH_A_WORD]
    return faults


def test_no_space_between_chinese_and_a_name_or_title_in_any_chinese_translation():
    """帮扶记录已保存，已提醒 李学员 确认 / 已将 柜员甲 加入培训对象: a space around a name that Chinese does
    not write. Numbers, dates and codes keep theirs (第 3 周, 于 2026-03-01, 李学员 (A001) 的出师评价)."""
    from lms import i18n

    wrong = []
    for domain in i18n.domains():
        if domain == "content":
            continue
        for message in i18n.load(domain) or ():
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            wrong += [f"{domain}: {fault}" for s in strings if s for fault in space_faults(s)]
    assert not wrong, "\n".join(wrong)


def test_the_space_rule_catches_a_name_or_title_spaced_and_lets_codes_be():
    assert space_faults("帮扶记录已保存，已提醒 %(name)s 确认。")
    assert space_faults("%(exam)s 现在可以补考了。")
    assert space_faults("%(programme)s · %(week)s 已于 %(due)s 截止")
    assert not space_faults("帮扶记录已保存，已提醒%(name)s确认。")
    assert not space_faults("撤销%(person)s 的出师评价")  # 李学员 (A001) 的出师评价: a bracket, then a space
    assert not space_faults("第 %(n)d 题的答案过长：您输入了 %(count)d 个字")
    assert not space_faults("证书 %(serial)s 继续有效")
