"""Reading the curriculum folder, or a part of it, into a ``ContentBundle``
(content/FORMAT.md). The files of one kind are parsed by ``lms.content.source.parser``;
this module decides which files are read, and reads none through a symbolic
link (``lms.content.source.files``): every link is a problem with its path."""
from __future__ import annotations

import mimetypes
import os
import re
from pathlib import Path

from flask_babel import gettext as _

from lms.content.source.files import (
    image_format_mismatch, is_asset_name, is_link, is_plain_dir, is_plain_file, link_on_path, max_asset_bytes, read_bytes,
    refusal, walk,
)
from lms.content.source.credentials import parse_certification, parse_eligibility_rule
from lms.content.source.links import LinkTargets, referenced_files
from lms.content.source import file_relative, obsidian, pasted
from lms.content.source.fields import read_text
from lms.content.source.parser import (
    lesson_id_from_file_name, parse_course, parse_exam, parse_lesson, parse_programme, parse_question_bank,
)
from lms.content.schema import ContentBundle, ParsedAsset, Problem, Scope, Source

# The folders of YAML files: (the reader's method, the scope's flag when the whole folder is read).
YAML_FOLDERS = {"exams": ("exams", "all_exams"), "programmes": ("programmes", "all_programmes"),
                "certifications": ("certifications", "all_certifications"),
                "eligibility": ("eligibility_rules", "all_eligibility_rules")}

_FRONT_ID = re.compile(r"^id:[ \t]*[\"']?([a-z0-9][a-z0-9-]*)[\"']?[ \t]*(?:#.*)?$", re.M)


def _is_asset(rel_in_course: str) -> bool:
    if rel_in_course == "course.md":
        return False
    top, _, rest = rel_in_course.partition("/")
    return not (top in ("lessons", "questions") and rest.endswith(".md") and "/" not in rest)


def _rel(path: Path, root: Path) -> str:
    text, base = str(path), str(root)
    if text.startswith(base + os.sep):
        return text[len(base) + 1:].replace(os.sep, "/")
    return path.relative_to(root).as_posix()


class _FolderReader:
    def __init__(self, root: Path):
        self.root = root
        self.bundle = ContentBundle(root=str(root))

    def refuse_link(self, path: Path) -> None:
        """A symbolic link, a hard link or anything else that is not a file (a named pipe, a device),
        named as what it is (``files.refusal``)."""
        self.bundle.problems.append(Problem(Source(_rel(path, self.root)), refusal(path)))

    def course(self, folder: Path, *, lessons=None, questions=None, assets=None) -> str | None:
        """Read one course folder; ``lessons``/``questions``/``assets``: None for
        all of them, or a list of files to read (possibly empty). Symbolic links
        anywhere in it are problems and are never read (``lms.content.source.files``)."""
        course_md = folder / "course.md"
        rel_folder = _rel(folder, self.root)
        if is_link(folder) or is_link(course_md):
            self.refuse_link(folder if is_link(folder) else course_md)
            return None
        if not os.path.lexists(course_md):
            self.bundle.problems.append(Problem(Source(rel_folder + "/course.md"),
                                                _("the course folder has no course.md")))
            return None
        text = self.cleaned(read_text(course_md, _rel(course_md, self.root), self.bundle.problems), course_md)
        if text is None:
            return None
        files, links = walk(folder)
        for path in links:
            self.refuse_link(path)
        inside = {_rel(p, folder): p for p in files}
        text = obsidian.lesson_text(text, _rel(course_md, self.root), set(inside), self.bundle.notes,
                                    self.bundle.problems)
        lesson_files = sorted((p for rel, p in inside.items() if rel.startswith("lessons/") and rel.endswith(".md")
                               and rel.count("/") == 1), key=lambda p: obsidian.lesson_order(p.name))
        bank_files = [p for rel, p in inside.items() if rel.startswith("questions/") and rel.endswith(".md")
                      and rel.count("/") == 1]
        # once: for links, then to parse
        notes_from = len(self.bundle.notes)
        reads = {path: self.read(path, set(inside), path in bank_files) for path in lesson_files + bank_files}
        texts = {path: text or "" for path, (text, _problems) in reads.items()}
        targets = self.link_targets(folder, inside, lesson_files, texts)
        course, problems = parse_course(text, _rel(course_md, self.root), course_files=targets)
        self.bundle.problems.extend(problems)
        if course is None:
            return None
        self.bundle.courses.append(course)
        self.bundle.lesson_files[course.id] = {rel: lesson_id for rel, (lesson_id, _b) in targets.lessons.items()}
        positions = {p: i for i, p in enumerate(lesson_files, start=1)}
        for path in (lesson_files if lessons is None else lessons):
            rel = _rel(path, self.root)
            text, problems = reads.get(path) or self.read(path)
            self.bundle.problems.extend(problems)
            if text is None:
                continue
            lesson, problems = parse_lesson(text, rel, course.id, positions.get(path, 0), course_files=targets)
            self.bundle.problems.extend(problems)
            if lesson:
                self.bundle.lessons.append(lesson)
        for path in (bank_files if questions is None else questions):
            rel = _rel(path, self.root)
            text, problems = reads.get(path) or self.read(path)
            self.bundle.problems.extend(problems)
            if text is None:
                continue
            parsed, problems = parse_question_bank(text, rel, course.id, course_files=targets)
            self.bundle.questions.extend(parsed)
            self.bundle.problems.extend(problems)
        # Every lesson and bank is read for the links, but only those checked say what was read another way
        # (`check` of one bank, or the editor's preview of it, did list each lesson's notes too).
        parsed = set(lesson_files if lessons is None else lessons) | set(bank_files if questions is None else questions)
        unparsed = {_rel(p, self.root) for p in reads if p not in parsed}
        if unparsed:
            self.bundle.notes[notes_from:] = [n for n in self.bundle.notes[notes_from:] if n.source.path not in unparsed]
        referenced = referenced_files(course.intro_md).union(*(referenced_files(t) for t in texts.values()))
        self.assets(course.id, inside, referenced, assets)
        return course.id

    def read(self, path: Path, course_files: set[str] = frozenset(), bank: bool = False,
             ) -> tuple[str | None, list[Problem]]:
        """A lesson or a bank as the trainer meant it (``pasted``, ``obsidian``); ``course_files``: the
        paths in its course folder, which Obsidian's wikilinks name."""
        problems: list[Problem] = []
        rel = _rel(path, self.root)
        text = self.cleaned(read_text(path, rel, problems), path)
        if text is not None:
            text = (obsidian.bank_text(text, rel, self.bundle.notes) if bank
                    else obsidian.lesson_text(text, rel, course_files, self.bundle.notes, problems))
            text = file_relative.course_relative(text, "questions" if bank else "lessons", course_files)
        return text, problems

    def cleaned(self, text: str | None, path: Path) -> str | None:
        """The text as the trainer meant it where Word or WPS changed it (``pasted``), with notes."""
        return None if text is None else pasted.clean(text, _rel(path, self.root), self.bundle.notes)

    def link_targets(self, folder: Path, inside: dict, lesson_files: list[Path], texts: dict) -> LinkTargets:
        """The files and lessons (id and body, from every lesson file) links may name."""
        lessons = {}
        for path in lesson_files:
            # The id without parsing the YAML (parse_lesson does that, with the problems).
            text = texts[path]
            front, body = "", text
            if text.startswith("---\n") and "\n---" in text[3:]:
                end = text.index("\n---", 3)
                front, body = text[4:end], text[end + 4:].partition("\n")[2]
            match = _FRONT_ID.search(front)
            lesson_id = match[1] if match else lesson_id_from_file_name(path.name)
            lessons[_rel(path, folder)] = (lesson_id, body)
        return LinkTargets(_rel(folder, self.root), set(inside), lessons)

    def assets(self, course_id: str, inside: dict, referenced: set[str], only: list | None) -> None:
        """Images and documents that the course links to; any other file is never
        stored. Each gets the upload size limit."""
        limit = max_asset_bytes()
        for rel_in_course, path in inside.items():
            if not _is_asset(rel_in_course) or not is_asset_name(rel_in_course) or rel_in_course not in referenced:
                continue
            if only is not None and path not in only:
                continue
            rel = _rel(path, self.root)
            try:
                size = os.lstat(path).st_size
                if size > limit:
                    self.bundle.problems.append(Problem(Source(rel), _(
                        "the file is %(mb).1f MB: images and documents may be at most %(max)d MB",
                        mb=size / 1024 / 1024, max=limit // 1024 // 1024)))
                    continue
                data = read_bytes(path)
            except OSError:
                self.refuse_link(path)
                continue
            wrong = image_format_mismatch(path.name, data)
            if wrong:
                self.bundle.problems.append(Problem(Source(rel), _(
                    "the file is named %(suffix)s but is a %(kind)s image (renamed, not converted): only PNG, JPG, "
                    "GIF and WebP images are published. Open it in Paint (画图) or WPS, save it as PNG or JPG "
                    "(另存为) and link that file",
                    suffix=path.suffix.lower(), kind=wrong)))
                continue
            mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self.bundle.assets.append(ParsedAsset(course_id=course_id, path=rel_in_course, data=data,
                                                  mimetype=mimetype, source=Source(rel)))

    def yaml_file(self, path: Path, parse, target: list) -> None:
        rel = _rel(path, self.root)
        text = self.cleaned(read_text(path, rel, self.bundle.problems), path)
        if text is None:
            return
        parsed, problems = parse(text, rel)
        self.bundle.problems.extend(problems)
        if parsed is not None:
            target.append(parsed)

    def yaml_files(self, folder: Path) -> list[Path]:
        if is_link(folder):
            self.refuse_link(folder)
            return []
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.iterdir()):
            if path.suffix in (".yaml", ".yml") and not path.name.startswith("."):
                if is_plain_file(path):
                    found.append(path)
                elif not is_plain_dir(path):  # a link, a hard link, a pipe: named, never read
                    self.refuse_link(path)
        return found

    def exams(self, files=None) -> None:
        for path in files if files is not None else self.yaml_files(self.root / "exams"):
            self.yaml_file(path, parse_exam, self.bundle.exams)

    def programmes(self, files=None) -> None:
        for path in files if files is not None else self.yaml_files(self.root / "programmes"):
            self.yaml_file(path, parse_programme, self.bundle.programmes)

    def certifications(self, files=None) -> None:
        for path in files if files is not None else self.yaml_files(self.root / "certifications"):
            self.yaml_file(path, parse_certification, self.bundle.certifications)

    def eligibility_rules(self, files=None) -> None:
        for path in files if files is not None else self.yaml_files(self.root / "eligibility"):
            self.yaml_file(path, parse_eligibility_rule, self.bundle.eligibility_rules)

    def all_courses(self) -> None:
        folder = self.root / "courses"
        if is_link(folder):
            self.refuse_link(folder)
        elif folder.is_dir():
            for course in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
                if is_link(course):
                    self.refuse_link(course)
                elif course.is_dir():
                    self.course(course)


# A picture larger than this is a photo straight from a phone or a scanner: a learner on a
# phone downloads all of it each time the lesson opens.
LARGE_IMAGE_BYTES = 2 * 1024 * 1024


def large_image_warnings(bundle: ContentBundle) -> list[Problem]:
    """A warning (never a problem) for each image over LARGE_IMAGE_BYTES."""
    return [Problem(asset.source, _(
        "the picture is %(mb).1f MB: every learner who opens the lesson on a phone downloads all of it. Make it "
        "smaller (画图 → 重新调整大小 to about 1,600 pixels wide, then 另存为 JPG) unless its detail is needed",
        mb=len(asset.data) / 1024 / 1024))
        for asset in bundle.assets if asset.mimetype.startswith("image/") and len(asset.data) > LARGE_IMAGE_BYTES]


def parse_folder(root: Path, subpath: Path | None = None) -> ContentBundle:
    """Read the content folder, or the part of it ``subpath`` names (a course
    folder, its lessons/ or questions/ folder, one file, exams/, one exam...).
    ``bundle.scope`` says what a publish of this bundle may retire."""
    root = Path(root).resolve()
    reader = _FolderReader(root)
    bundle = reader.bundle
    if not root.is_dir():
        bundle.problems.append(Problem(Source(str(root)), _("the content folder does not exist")))
        return bundle
    # Lexically normalised, never resolved: a symbolic link is refused, not followed.
    target = root if subpath is None else Path(os.path.abspath(subpath if Path(subpath).is_absolute()
                                                               else root / subpath))
    try:
        parts = target.relative_to(root).parts
    except ValueError:
        bundle.problems.append(Problem(Source(str(subpath)), _("the path is outside the content folder")))
        return bundle
    rel = "/".join(parts)
    link = link_on_path(root, target)
    if link is not None:
        reader.refuse_link(link)
        return bundle
    if not target.exists():
        bundle.problems.append(Problem(Source(rel), _("no such file or folder in the content folder")))
        return bundle
    scope = Scope(path=rel)
    bundle.scope = scope
    if not parts:
        scope.all_courses = scope.all_exams = scope.all_programmes = True
        scope.all_certifications = scope.all_eligibility_rules = True
        reader.all_courses()
        reader.exams()
        reader.programmes()
        reader.certifications()
        reader.eligibility_rules()
    elif parts[0] == "courses" and len(parts) == 1:
        scope.all_courses = True
        reader.all_courses()
    elif parts[0] == "courses":
        folder = root / "courses" / parts[1]
        inner = parts[2:]
        if not folder.is_dir():
            bundle.problems.append(Problem(Source(rel), _("not a course folder")))
        elif not inner:
            course_id = reader.course(folder)
            if course_id:
                scope.courses.add(course_id)
        elif inner == ("course.md",):
            reader.course(folder, lessons=[], questions=[], assets=[])
        elif inner[0] == "lessons":
            files = [target] if is_plain_file(target) else None  # else the folder: its walk names the link
            course_id = reader.course(folder, lessons=files, questions=[], assets=[])
            if course_id and files is None:
                scope.lessons_of.add(course_id)
        elif inner[0] == "questions":
            files = [target] if is_plain_file(target) else None  # else the folder: its walk names the link
            course_id = reader.course(folder, lessons=[], questions=files, assets=[])
            if course_id:
                if files is None:
                    scope.questions_of.add(course_id)
                else:
                    scope.banks.add(rel)
        else:
            files = [target] if is_plain_file(target) else walk(target)[0]
            reader.course(folder, lessons=[], questions=[], assets=files)
            if target.is_file() and not any(a.source.path == rel for a in bundle.assets) and not bundle.problems:
                bundle.problems.append(Problem(Source(rel), _(
                    "only images and documents that a lesson links to are published")))
    elif parts[0] in YAML_FOLDERS and len(parts) <= 2:
        files = [target] if target.is_file() else None
        if files and target.suffix not in (".yaml", ".yml"):
            bundle.problems.append(Problem(Source(rel), _("not a YAML file (.yaml)")))
        else:
            read, flag = YAML_FOLDERS[parts[0]]
            getattr(reader, read)(files)
            setattr(scope, flag, files is None)
    else:
        bundle.problems.append(Problem(Source(rel), _(
            "not part of the content folder (courses/, exams/, programmes/, certifications/, eligibility/)")))
    return bundle
