"""The shipped question banks do not reward guessing by position: answering
the same letter every time scores about chance on single-choice questions,
no position is right in every multiple-choice question, and true/false keys
are not mostly one way. (Options may be shuffled in an exam, but a learner
who sees the bank's order — the notebook, an exam without shuffling — must
not learn "always B".)"""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from lms.content.source.bank_parser import parse_question_bank

CONTENT = Path(__file__).resolve().parents[2] / "content"


def shipped_choice_questions():
    """(id, type, data) of every question and case part of the shipped banks."""
    out = []
    for path in sorted(CONTENT.glob("courses/*/questions/*.md")):
        questions, problems = parse_question_bank(path.read_text(encoding="utf-8"), str(path), path.parts[-3])
        assert not problems, [str(p) for p in problems]
        for q in questions:
            parts = q.data["parts"] if q.type == "case" else [{"id": "", "type": q.type, "data": q.data}]
            out += [(f"{q.id}/{p['id']}".rstrip("/"), p["type"], p["data"]) for p in parts]
    return out


def test_always_the_same_letter_scores_about_chance_on_single_choice(app):
    singles = [data for _id, qtype, data in shipped_choice_questions()
               if qtype == "single" and len(data["options"]) == 4]
    assert len(singles) >= 40
    keys = Counter(data["correct"][0] for data in singles)
    for letter in "ABCD":
        score = keys[letter] / len(singles)
        assert score <= 0.35, f"always answering {letter} scores {score:.0%} ({dict(keys)})"
        assert score >= 0.15, f"{letter} is almost never right ({dict(keys)})"


def test_no_position_is_always_right_in_multiple_choice(app):
    by_size = defaultdict(list)
    for _id, qtype, data in shipped_choice_questions():
        if qtype == "multiple":
            by_size[len(data["options"])].append(set(data["correct"]))
    assert sum(len(v) for v in by_size.values()) >= 20
    for size, keys in by_size.items():
        if len(keys) < 5:
            continue
        rates = {letter: sum(letter in k for k in keys) / len(keys) for letter in "ABCDEF"[:size]}
        assert max(rates.values()) < 1, f"{size} options: a position is right in every question ({rates})"
        assert max(rates.values()) - min(rates.values()) <= 0.2, f"{size} options: keys bunch up ({rates})"


def test_true_false_keys_are_not_mostly_one_way(app):
    keys = Counter(data["correct"] for _id, qtype, data in shipped_choice_questions() if qtype == "truefalse")
    assert max(keys.values()) / sum(keys.values()) <= 0.6, dict(keys)
