"""How a bank's HR system spells what the people import reads: its headers
(员工编号 for 工号, 所属机构 for 支行…), names padded or dotted another way,
branches under the bank's full name. Read by ``lms.org.imports``.

A name is read as HR meant, with a note the preview shows: a space between two
Chinese characters is padding (HR systems align two-character names as
``李　明``) and left out; a dot between two Chinese characters (``•``, ``・``,
``．``, ``.``) is the middle dot of a minority name, written ``·`` as on the
identity card. A branch is never guessed: a cell that only adds a prefix to one
of our branches (``XX银行天元支行``) is refused, naming the branch to write.
"""
from __future__ import annotations

import re
import unicodedata

# 工号, 姓名, 支行, 岗位, 入职日期, 角色, 邮箱 → the headers HR systems write, the more exact first.
HEADER_ALIASES = {
    "工号": ("员工编号", "人员编码", "人员编号", "员工工号", "员工号", "职工号", "职工编号"),
    "姓名": ("员工姓名", "人员姓名", "职工姓名"),
    "支行": ("所属支行", "所属机构", "机构名称", "所属网点", "网点", "机构", "所属部门", "部门"),
    "岗位": ("岗位名称", "现岗位", "当前岗位", "职位"),
    "入职日期": ("入行日期", "入职时间", "入行时间"),
    "角色": ("系统角色",),
    "邮箱": ("电子邮箱", "电子邮件", "邮件地址", "email", "e-mail"),
}
_ALIAS_COLUMN = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}

_HAN = r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]"
_PADDING = re.compile(rf"(?<={_HAN})\s+(?={_HAN})")
# A dot between two Chinese characters, with spaces around it or not: the name's middle dot.
_DOT = re.compile(rf"(?<={_HAN})\s*[·•・．.﹒‧∙⋅]\s*(?={_HAN})")


def column_of_alias(header: str) -> str | None:
    return _ALIAS_COLUMN.get(header.lower())


def tidy_name(name: str) -> str:
    """The name as HR meant it (see the module's docstring); other spaces made one space."""
    name = _DOT.sub("·", name)
    name = _PADDING.sub("", name)
    return re.sub(r"\s+", " ", name)


def branch_meant(value: str, branches) -> object | None:
    """The one branch whose name ends the cell (``XX银行天元支行``, ``株洲分行 天元支行``),
    the longest such name; None when there is none or two are alike."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    found = [b for b in branches if len(b.name) >= 2 and text.endswith(b.name)]
    if not found:
        return None
    longest = max(len(b.name) for b in found)
    found = [b for b in found if len(b.name) == longest]
    return found[0] if len(found) == 1 else None
