"""The questionnaire as an Excel workbook: write a blank or filled one, and read answers back.

Reading gives the same data as a YAML assessment plus, for every value, the cell it came from, so
that every error names its sheet and cell. A hidden sheet records the ruleset the workbook was made
from (id, version, sha256) and each question's answer type.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .errors import InputError, Problem
from .loading import MAX_FILE_BYTES, Document, LoadError, Path_, display_name
from .models import AnswerType, Incident, SecurityActor
from .questionnaire import HEADER_FIELDS, KINDS, MULTI_SEPARATOR, fact_allowed, guides, rule_titles
from .rulesets import Ruleset

PROFILE_SHEET = "Profile"
INCIDENTS_SHEET = "Incidents"
META_SHEET = "vpsa"
FORMAT = "vpsa-questionnaire 1"
QUESTION_HEADINGS = ["Question id", "Question", "Help", "Allowed values", "Answer", "Evidence", "Comment"]
ANSWER, EVIDENCE, COMMENT = 5, 6, 7  # columns of a pillar sheet
WIDTHS = [14, 48, 60, 32, 22, 40, 40]
HEADER_FIELD_MARK, PROFILE_FACT_MARK = "Field", "Fact"
VALUE_COLUMN = 4  # column of the answers on the Profile sheet
INCIDENT_ROWS = 200  # rows prepared (drop-downs) on the Incidents sheet
FIXED_TIME = dt.datetime(2000, 1, 1)  # workbook timestamps: same inputs give the same bytes
MAX_LIST_FORMULA = 250
MAX_CELL = 32767
BOLD = Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="DDE4EE")
ANSWER_FILL = PatternFill("solid", fgColor="FFF8DC")
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
_ESCAPABLE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x(?=[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


# --- writing ---------------------------------------------------------------------------------------


def write_workbook(ruleset: Ruleset, data: dict[str, Any] | None = None, source: str = "the assessment") -> bytes:
    """A questionnaire workbook for `ruleset`, blank or holding `data` (assessment data, checked, from `source`)."""
    data = data or {}
    _check_cell_lengths(data, source)
    book = Workbook()
    profile_sheet = book.active
    profile_sheet.title = PROFILE_SHEET
    _write_profile(profile_sheet, ruleset, data)
    used = {PROFILE_SHEET, INCIDENTS_SHEET, META_SHEET}
    sheet_of: dict[str, str] = {}
    answers = data.get("answers") or {}
    by_pillar: dict[str, list[Any]] = {}
    for guide in guides(ruleset):
        by_pillar.setdefault(guide.question.pillar, []).append(guide)
    for pillar_guides in by_pillar.values():
        title = _sheet_title(pillar_guides[0].pillar_title, used)
        sheet = book.create_sheet(title)
        _write_questions(sheet, ruleset, pillar_guides, answers)
        for guide in pillar_guides:
            sheet_of[guide.id] = title
    _write_incidents(book.create_sheet(INCIDENTS_SHEET), ruleset, data.get("incidents") or [])
    _write_meta(book.create_sheet(META_SHEET), ruleset, sheet_of)
    return _deterministic_bytes(book)


def _check_cell_lengths(data: dict[str, Any], source: str) -> None:
    """A spreadsheet cell holds at most 32,767 characters: refuse rather than cut text silently."""
    problems = []
    for question_id, entry in (data.get("answers") or {}).items():
        entry = entry if isinstance(entry, dict) else {"value": entry}
        for key, value in entry.items():
            if isinstance(value, str) and len(_escape(value)) > MAX_CELL:
                problems.append(
                    Problem(
                        source,
                        None,
                        f"answers.{question_id}.{key}",
                        f"this text has {len(value)} characters; a spreadsheet cell holds at most {MAX_CELL}.",
                        "shorten it (or keep this assessment in YAML or JSON).",
                    )
                )
    if problems:
        raise InputError(problems)


def _sheet_title(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, no []:*?/\\'), cut at a word, unique in the workbook."""
    base = " ".join(re.sub(r"[\[\]:*?/\\']", " ", title).split())
    if len(base) > 31:
        base = base[:31].rsplit(" ", 1)[0] if " " in base[:31] else base[:31]
    base = base or "Questions"
    name, number = base, 2
    while name.lower() in {u.lower() for u in used}:
        name, number = f"{base[:27]} {number}", number + 1
    used.add(name)
    return name


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Set a cell; text is always stored as text (never a formula) with control characters escaped."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _escape(value)
        cell.data_type = "s"
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)):
        if _fits_a_cell(value):
            cell.value = value
        else:  # more digits than a spreadsheet keeps: stored as text, read back exactly
            cell.value = repr(value)
            cell.data_type = "s"
    elif isinstance(value, dt.date):
        cell.value = dt.datetime(value.year, value.month, value.day)
        cell.number_format = "yyyy-mm-dd"
    elif value is not None:
        cell.value = _escape(str(value))
        cell.data_type = "s"
    return cell


def _fits_a_cell(value: int | float) -> bool:
    if isinstance(value, int):
        return abs(value) < 10**15
    return float(f"{value:.16g}") == value


def _escape(text: str) -> str:
    """OOXML's _xHHHH_ escapes for characters a spreadsheet cannot hold (and '\\r', which XML loses)."""
    return _ESCAPABLE.sub(lambda m: "_x005F_x" if m.group(0) == "_x" else f"_x{ord(m.group(0)):04X}_", text)


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _heading_row(sheet: Worksheet, row: int, headings: list[str]) -> None:
    for column, heading in enumerate(headings, start=1):
        cell = _put(sheet, row, column, heading)
        cell.font, cell.fill, cell.alignment = BOLD, HEADING_FILL, WRAP


def _answer_cell(cell: Cell) -> None:
    cell.protection, cell.fill, cell.alignment = UNLOCKED, ANSWER_FILL, WRAP


def _list_validation(sheet: Worksheet, values: list[str], cells: list[str]) -> None:
    formula = ",".join(values)
    if not values or len(formula) > MAX_LIST_FORMULA or not cells:
        return
    validation = DataValidation(type="list", formula1=f'"{formula}"', allow_blank=True)
    validation.error = "Choose one of the values in the list (or leave the cell empty)."
    validation.errorTitle = "Not an allowed value"
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    for coordinate in cells:
        validation.add(coordinate)


def _write_profile(sheet: Worksheet, ruleset: Ruleset, data: dict[str, Any]) -> None:
    header = data.get("assessment") or {"ruleset": ruleset.id}
    profile = data.get("profile") or {}
    _put(sheet, 1, 1, f"{ruleset.header.title} (ruleset {ruleset.id} {ruleset.version})").font = Font(
        bold=True, size=14
    )
    _put(
        sheet,
        2,
        1,
        "Fill in the yellow cells. The assessment block and every profile fact are required: the profile decides "
        "which questions apply. Then answer the questions on the following sheets, one sheet per pillar. "
        "Check the file with: vpsa validate THIS-FILE",
    ).alignment = WRAP
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=4)
    sheet.row_dimensions[2].height = 45
    _put(sheet, 3, 1, "Assessment").font = BOLD
    _heading_row(sheet, 4, [HEADER_FIELD_MARK, "Label", "Help", "Answer"])
    row = 5
    for name, help_text, required in HEADER_FIELDS:
        _put(sheet, row, 1, name)
        _put(sheet, row, 2, name.replace("_", " ").capitalize())
        _put(sheet, row, 3, f"{help_text}{' Required.' if required else ''}").alignment = WRAP
        cell = _put(sheet, row, VALUE_COLUMN, header.get(name))
        if name == "date":
            cell.number_format = "yyyy-mm-dd"
        _answer_cell(cell)
        if name == "kind":
            _list_validation(sheet, KINDS, [cell.coordinate])
        row += 1
    row += 1
    _put(sheet, row, 1, "Profile").font = BOLD
    _heading_row(sheet, row + 1, [PROFILE_FACT_MARK, "Question", "Help", "Answer"])
    row += 2
    for fact in ruleset.header.profile:
        _put(sheet, row, 1, fact.id)
        _put(sheet, row, 2, fact.text).alignment = WRAP
        help_text = f"{fact.help}\n" if fact.help else ""
        _put(sheet, row, 3, f"{help_text}Answer: {fact_allowed(fact)}.").alignment = WRAP
        value = profile.get(fact.id)
        cell = _put(sheet, row, VALUE_COLUMN, ("yes" if value else "no") if isinstance(value, bool) else value)
        _answer_cell(cell)
        if fact.type == "boolean":
            _list_validation(sheet, ["yes", "no"], [cell.coordinate])
        elif fact.type == "single_choice":
            _list_validation(sheet, [c.value for c in fact.choices or []], [cell.coordinate])
        row += 1
    for column, width in enumerate([18, 40, 60, 28], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.protection.sheet = True


def _question_help(ruleset: Ruleset, guide: Any) -> str:
    question = guide.question
    parts = []
    if question.section:
        parts.append(f"Section: {question.section}")
    if question.help:
        parts.append(question.help)
    if question.type == AnswerType.multiple_choice:
        parts.append(f"Several values: write them in the one cell, separated by '{MULTI_SEPARATOR}'.")
    if question.type == AnswerType.date:
        parts.append("Write a date (YYYY-MM-DD), or the word 'never'.")
    parts.append(f"Applies only when: {guide.relevant_when}." if guide.relevant_when else "Applies always.")
    parts.append(f"Used by rules: {rule_titles(ruleset, guide.rules)}.")
    return "\n".join(parts)


def _write_questions(sheet: Worksheet, ruleset: Ruleset, pillar_guides: list[Any], answers: dict[str, Any]) -> None:
    _heading_row(sheet, 1, QUESTION_HEADINGS)
    for row, guide in enumerate(pillar_guides, start=2):
        question = guide.question
        _put(sheet, row, 1, question.id)
        _put(sheet, row, 2, question.text)
        _put(sheet, row, 3, _question_help(ruleset, guide))
        _put(sheet, row, 4, guide.allowed)
        entry = answers.get(question.id)
        entry = entry if isinstance(entry, dict) else {"value": entry}
        value = entry.get("value")
        if isinstance(value, list):
            value = f"{MULTI_SEPARATOR} ".join(value) if value else None
        _put(sheet, row, ANSWER, value)
        _put(sheet, row, EVIDENCE, entry.get("evidence"))
        _put(sheet, row, COMMENT, entry.get("comment"))
        for column in range(1, len(QUESTION_HEADINGS) + 1):
            sheet.cell(row=row, column=column).alignment = WRAP
        for column in (ANSWER, EVIDENCE, COMMENT):
            _answer_cell(sheet.cell(row=row, column=column))
        if question.type == AnswerType.date:
            sheet.cell(row=row, column=ANSWER).number_format = "yyyy-mm-dd"
        if guide.choices and question.type != AnswerType.multiple_choice:
            _list_validation(sheet, guide.choices, [sheet.cell(row=row, column=ANSWER).coordinate])
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True


INCIDENT_FIELDS = list(Incident.model_fields)
INCIDENT_CHOICES: dict[str, list[str]] = {
    "actor": [a.value for a in SecurityActor],
    "remedy": ["none", "offered", "provided"],
}


INCIDENT_HELP = {
    "id": "Your own reference for the incident, e.g. I-2026-04 (letters, digits, '-', '_', '.').",
    "date": "The day it happened (YYYY-MM-DD).",
    "type": "The kind of incident, from the list.",
    "actor": "Who was involved on the security side, from the list.",
    "description": "What happened, in a few sentences.",
    "victims": "Number of people harmed (a whole number).",
    "injuries": "Number of people injured.",
    "fatalities": "Number of people killed.",
    "medical_aid_given": "yes or no.",
    "reported_internally": "Date it was reported inside the company (YYYY-MM-DD).",
    "reported_to_authorities": "Date it was reported to the authorities (YYYY-MM-DD).",
    "investigation_opened": "Date an investigation was opened (YYYY-MM-DD).",
    "investigation_closed": "Date the investigation was closed (YYYY-MM-DD).",
    "personnel_withdrawn": "Were the personnel involved withdrawn from duty? yes or no.",
    "outcome": "What came of it.",
    "remedy": "none, offered or provided.",
    "shared_with_working_group": "Was it shared with the security and human rights working group? yes or no.",
}


def _write_incidents(sheet: Worksheet, ruleset: Ruleset, incidents: list[dict[str, Any]]) -> None:
    _heading_row(sheet, 1, INCIDENT_FIELDS)
    for column, name in enumerate(INCIDENT_FIELDS, start=1):
        note = INCIDENT_HELP.get(name, name.replace("_", " "))
        if Incident.model_fields[name].is_required():
            note += " Required."
        sheet.cell(row=1, column=column).comment = Comment(f"{note} One row per incident.", "vpsa")
        sheet.column_dimensions[get_column_letter(column)].width = 40 if name in ("description", "outcome") else 16
    for row, incident in enumerate(incidents, start=2):
        for column, name in enumerate(INCIDENT_FIELDS, start=1):
            value = incident.get(name)
            _put(sheet, row, column, ("yes" if value else "no") if isinstance(value, bool) else value)
    last = max(INCIDENT_ROWS, len(incidents)) + 1
    choices = dict(INCIDENT_CHOICES, type=[t.id for t in ruleset.header.incident_types])
    for column, name in enumerate(INCIDENT_FIELDS, start=1):
        letter = get_column_letter(column)
        annotation = Incident.model_fields[name].annotation
        if name in choices:
            _list_validation(sheet, choices[name], [f"{letter}2:{letter}{last}"])
        elif "bool" in str(annotation):
            _list_validation(sheet, ["yes", "no"], [f"{letter}2:{letter}{last}"])
        elif "date" in str(annotation):
            for row in range(2, last + 1):
                sheet.cell(row=row, column=column).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "B2"


def _write_meta(sheet: Worksheet, ruleset: Ruleset, sheet_of: dict[str, str]) -> None:
    rows: list[list[Any]] = [
        ["format", FORMAT],
        ["ruleset_id", ruleset.id],
        ["ruleset_version", ruleset.version],
        ["ruleset_sha256", ruleset.sha256],
        [],
        ["question_id", "type", "sheet"],
    ]
    rows += [[q.id, q.type.value, sheet_of.get(q.id, "")] for q in ruleset.questions.values()]
    for row, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True


def _deterministic_bytes(book: Workbook) -> bytes:
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.properties.creator = "vpsa"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return fixed.getvalue()


# --- reading ---------------------------------------------------------------------------------------


@dataclass
class WorkbookDocument(Document):
    """Assessment data read from a workbook; places name the sheet and cell of each value."""

    places: dict[Path_, str] = field(default_factory=dict)
    made_for: dict[str, str] = field(default_factory=dict)
    question_ids: list[str] = field(default_factory=list)
    problems: list[tuple[Path_, str, str]] = field(default_factory=list)

    def where(self, path: Path_) -> str | None:
        for end in range(len(path), -1, -1):
            found = self.places.get(tuple(path[:end]))
            if found is not None:
                return found
        return None

    def check_ruleset(self, ruleset: Ruleset, add: Callable[[Path_, str, str], None]) -> list[str]:
        """Problems found while reading, and whether the workbook was made from another ruleset version."""
        for path, message, fix in self.problems:
            add(path, message, fix)
        made = self.made_for
        if not made or (made.get("ruleset_id"), made.get("ruleset_sha256")) == (ruleset.id, ruleset.sha256):
            return []
        origin = (
            f"this workbook was made for ruleset {made.get('ruleset_id', '?')} {made.get('ruleset_version', '?')} "
            f"(sha {str(made.get('ruleset_sha256', '?'))[:12]}); the current one is {ruleset.id} {ruleset.version} "
            f"(sha {ruleset.sha256[:12]})"
        )
        unknown = [q for q in self.question_ids if q not in ruleset.questions]
        if unknown:
            add(
                ("answers",),
                f"{origin}, which has no question {', '.join(unknown[:20])}{' …' if len(unknown) > 20 else ''}.",
                f"make a new questionnaire with 'vpsa questionnaire new --ruleset {ruleset.id} --format xlsx' "
                "and copy the answers over, or assess with the ruleset the workbook was made for.",
            )
            return []
        return [f"{origin}; its question ids all still exist, so the answers are read as they are."]


def read_workbook(path: Path) -> tuple[Document, bytes]:
    """Read a questionnaire workbook into assessment data shaped like a YAML assessment."""
    name = display_name(path)
    if not path.is_file():
        raise LoadError(name, None, "the file does not exist.", "check the path and spelling.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise LoadError(name, None, "the file is larger than 20 MiB.", "remove pictures or other embedded data.")
    raw = path.read_bytes()
    try:
        book = load_workbook(io.BytesIO(raw), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise LoadError(
            name,
            None,
            f"this is not a readable Excel workbook ({type(exc).__name__}).",
            "save it again from your spreadsheet program as .xlsx, or make a new one with 'vpsa questionnaire new'.",
        ) from None
    reader = _Reader(name, book)
    return reader.read(), raw


def _place(sheet: str, cell: Cell | None = None, row: int | None = None, label: str = "") -> str:
    """Where a value is, for messages; a cell's message names the question, so only rows carry a label."""
    text = f"sheet '{sheet}'"
    if row is not None:
        text += f", row {row}"
    if cell is not None:
        return f"{text}, cell {cell.coordinate}"
    return f"{text} ({label})" if label else text


class _Reader:
    def __init__(self, name: str, book: Workbook) -> None:
        self.name, self.book = name, book
        self.document = WorkbookDocument(name, None)
        self.types: dict[str, str] = {}

    def problem(self, path: Path_, place: str, message: str, fix: str) -> None:
        self.document.places.setdefault(path, place)
        self.document.problems.append((path, message, fix))

    def read(self) -> WorkbookDocument:
        self._read_meta()
        data: dict[str, Any] = {"assessment": {}, "profile": {}, "answers": {}, "incidents": []}
        if PROFILE_SHEET not in self.book.sheetnames:
            raise LoadError(
                self.name,
                None,
                f"the workbook has no '{PROFILE_SHEET}' sheet (the assessment header and profile).",
                "start from a workbook made with 'vpsa questionnaire new --format xlsx'.",
            )
        self._read_profile(self.book[PROFILE_SHEET], data)
        for sheet in self.book.worksheets:
            if sheet.title in (PROFILE_SHEET, INCIDENTS_SHEET, META_SHEET):
                continue
            if _text(sheet.cell(row=1, column=1).value) == QUESTION_HEADINGS[0]:
                self._read_questions(sheet, data["answers"])
        if INCIDENTS_SHEET in self.book.sheetnames:
            data["incidents"] = self._read_incidents(self.book[INCIDENTS_SHEET])
        self.document.data = data
        return self.document

    def _read_meta(self) -> None:
        if META_SHEET not in self.book.sheetnames:
            return
        sheet = self.book[META_SHEET]
        in_types = False
        for row in sheet.iter_rows(values_only=True):
            key, value = (row + (None, None))[:2]
            if key == "question_id":
                in_types = True
                continue
            if key is None:
                continue
            if in_types:
                self.types[str(key)] = str(value)
            else:
                self.document.made_for[str(key)] = _text(value) or ""

    def _read_profile(self, sheet: Worksheet, data: dict[str, Any]) -> None:
        section = None
        title = sheet.title
        targets = {HEADER_FIELD_MARK: "assessment", PROFILE_FACT_MARK: "profile"}
        for row in range(1, sheet.max_row + 1):
            key = _text(sheet.cell(row=row, column=1).value)
            if key in targets:
                section = targets[key]
                self.document.places[(section,)] = _place(title, row=row, label=f"the {section} block")
                continue
            if section is None or not key or key in ("Assessment", "Profile"):
                continue
            cell = sheet.cell(row=row, column=VALUE_COLUMN)
            path: Path_ = (section, key)
            self.document.places[path] = _place(title, cell, row, key)
            if key in data[section]:
                self.problem(path, _place(title, cell, row, key), f"'{key}' appears twice.", "keep one row for it.")
                continue
            value = _cell_value(cell.value)
            if section == "assessment" and value is not None and not isinstance(value, (str, dt.date)):
                value = str(value)  # a number typed as an organisation or site name is still its name
            if value is not None or section == "assessment":
                data[section][key] = value  # an empty header cell is reported as empty, not as a missing row

    def _read_questions(self, sheet: Worksheet, answers: dict[str, Any]) -> None:
        title = sheet.title
        columns = {_text(c.value): c.column for c in sheet[1] if _text(c.value)}
        missing = [h for h in ("Answer",) if h not in columns]
        if missing:
            self.problem(("answers",), _place(title, row=1), "the 'Answer' column heading is missing.", "restore it.")
            return
        seen: dict[str, int] = {}
        for row in range(2, sheet.max_row + 1):
            question_id = _text(sheet.cell(row=row, column=1).value)
            if not question_id:
                continue
            path: Path_ = ("answers", question_id)
            if question_id in seen or question_id in answers:
                place = _place(title, row=row, label=question_id)
                self.problem(
                    (*path, "duplicate", row),
                    place,
                    f"question {question_id} appears twice"
                    + (f" (first in row {seen[question_id]})." if question_id in seen else "."),
                    "keep one row per question.",
                )
                continue
            seen[question_id] = row
            if question_id not in self.document.question_ids:
                self.document.question_ids.append(question_id)
            self.document.places[path] = _place(title, row=row, label=question_id)
            entry: dict[str, Any] = {}
            for key, heading in (("value", "Answer"), ("evidence", "Evidence"), ("comment", "Comment")):
                if heading not in columns:
                    continue
                cell = sheet.cell(row=row, column=columns[heading])
                self.document.places[(*path, key)] = _place(title, cell, row, question_id)
                value = _cell_value(cell.value)
                if value is None:
                    continue
                if key == "value":
                    value = self._typed(question_id, value)
                elif not isinstance(value, str):
                    value = value.isoformat() if isinstance(value, dt.date) else str(value)
                entry[key] = value
            if entry:
                answers[question_id] = entry

    def _typed(self, question_id: str, value: Any) -> Any:
        kind = self.types.get(question_id)
        if isinstance(value, str) and not value.strip() and kind != AnswerType.text.value:
            return None  # a cell holding only spaces is an empty answer
        if kind == AnswerType.multiple_choice.value and isinstance(value, str):
            return [item.strip() for item in re.split(r"[;,\n]", value) if item.strip()]
        if kind == AnswerType.number.value and isinstance(value, str):
            return _number(value)
        if kind == AnswerType.text.value and isinstance(value, dt.date):
            return value.isoformat()
        return value

    def _read_incidents(self, sheet: Worksheet) -> list[dict[str, Any]]:
        title = sheet.title
        columns: dict[int, str] = {}
        for cell in sheet[1]:
            heading = _text(cell.value)
            if not heading:
                continue
            name = heading.strip().lower().replace(" ", "_")
            if name not in Incident.model_fields:
                self.problem(
                    ("incidents", "heading", cell.column),
                    _place(title, cell),
                    f"unknown incident column '{heading}'.",
                    f"use the column headings: {', '.join(INCIDENT_FIELDS)}.",
                )
                continue
            columns[cell.column] = name
        incidents: list[dict[str, Any]] = []
        for row in range(2, sheet.max_row + 1):
            incident: dict[str, Any] = {}
            places: dict[str, str] = {}
            for column, name in columns.items():
                cell = sheet.cell(row=row, column=column)
                places[name] = _place(title, cell, row, name)
                value = _cell_value(cell.value)
                if value is not None:
                    incident[name] = value
            if not incident:
                continue
            index = len(incidents)
            self.document.places[("incidents", index)] = _place(title, row=row, label=str(incident.get("id", "")))
            for name, place in places.items():
                self.document.places[("incidents", index, name)] = place
            incidents.append(incident)
        return incidents


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return _unescape(value).strip() if isinstance(value, str) else str(value)


def _cell_value(value: Any) -> Any:
    """A cell's value as assessment data: empty is None, dates are dates, text keeps its characters."""
    if value is None:
        return None
    if isinstance(value, str):
        return None if value == "" else _unescape(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _number(text: str) -> Any:
    try:
        return int(text.strip())
    except ValueError:
        pass
    try:
        return float(text.strip())
    except ValueError:
        return text
