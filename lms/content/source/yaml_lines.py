"""YAML that remembers where each key and list item was written, so that a
problem in a content file can name its line."""
from __future__ import annotations

import re
import unicodedata

import yaml
from flask_babel import gettext as _

from lms.content.schema import Problem, Source

try:  # libyaml when available: ten times faster on a large curriculum
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader


class Loader(_BaseLoader):
    """The safe loader, except that a date that does not exist (start: 2026-02-30)
    stays the text it is, for the field's own problem with its line, instead of
    the ValueError that stopped the whole check."""


def _timestamp(loader, node):
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


# pass_mark: ８０ — typed with the input method in full-width mode, it looks like 80 and
# was the text '８０' ("'pass_mark' must be a percentage…"): it is the number it shows.
_FULL_WIDTH_NUMBER = re.compile("^[-+－＋]?[０-９]+(?:[.．][０-９]+)?$")
_FULL_WIDTH_TAG = "tag:lms,2026:full-width-number"


def _full_width_number(loader, node):
    text = unicodedata.normalize("NFKC", loader.construct_scalar(node))
    return float(text) if "." in text else int(text)


Loader.add_implicit_resolver(_FULL_WIDTH_TAG, _FULL_WIDTH_NUMBER, list("０１２３４５６７８９－＋-+"))
Loader.add_constructor(_FULL_WIDTH_TAG, _full_width_number)


def load_yaml(text: str, path: str, first_line: int = 1):
    """(data, {key path tuple: line}, problems). Key paths are tuples of
    mapping keys and list indexes, e.g. ("draw", 2, "count")."""
    lines: dict[tuple, int] = {}
    problems: list[Problem] = []
    try:
        loader = Loader(text)
        try:
            node = loader.get_single_node()  # parsed once: lines from the nodes, data built from them
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        # The context (where the unfinished list or key began) is where a
        # trainer has to look; the problem mark is where the parser gave up.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark else 0)
        column = (mark.column + 1) if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = _("invalid YAML: %(reason)s", reason=reason + (f" ({context})" if context else ""))
        hint = _common_mistake(text, exc)
        if hint:
            (line, column), message = (first_line + hint[0], hint[1]), hint[2]
        problems.append(Problem(Source(path, line, column), message))
        return None, {}, problems
    if node is not None:
        _walk(node, (), lines, first_line, path, problems)
    return data, lines, problems


_CHINESE_COLON_KEY = re.compile(r"^(\s*(?:-\s+)?)[^\s:：#'\"{\[][^:：#]*?\s*：")


def _common_mistake(text: str, exc: yaml.YAMLError) -> tuple[int, int, str] | None:
    """(line from 0, column from 1, message) for the two mistakes a trainer
    makes most, which the parser reports in its own words ("found character
    that cannot start any token"): a tab in the indentation, and the colon
    of a Chinese input method after a key ("title：…")."""
    marks = [m for m in (getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)) if m is not None]
    if not marks:
        return None
    lines = text.split("\n")
    first, last = min(m.line for m in marks), min(max(m.line for m in marks), len(lines) - 1)
    for number in range(first, last + 1):
        line = lines[number]
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return number, indent.index("\t") + 1, _(
                "invalid YAML: a tab in the indentation; indent with spaces")
    for number in range(first, last + 1):
        match = _CHINESE_COLON_KEY.match(lines[number])
        if match:
            return number, match.end(), _(
                "invalid YAML: the Chinese colon '：' after a key; write the key with ':' and a space "
                "(title: …)")
    return None


def _walk(node, key_path: tuple, lines: dict, first_line: int, path: str, problems: list[Problem]) -> None:
    lines.setdefault(key_path, first_line + node.start_mark.line)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = first_line + key_node.start_mark.line
            if key in seen:
                problems.append(Problem(Source(path, line), _("'%(key)s' is given twice", key=key)))
            seen.add(key)
            lines[key_path + (key,)] = line
            _walk(value_node, key_path + (key,), lines, first_line, path, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, key_path + (index,), lines, first_line, path, problems)
