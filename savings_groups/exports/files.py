"""A table of plain values written as CSV or XLSX, the two formats an M&E officer opens.

Values are str, int, Decimal, date/datetime or None; amounts are given in major units as Decimal
by the caller (a spreadsheet adds numbers, not "25 000 F CFA"). CSV is UTF-8 with a byte-order
mark so that Excel shows accented names; XLSX holds one sheet per table.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters a sheet name may not hold, and its longest length (Excel's rules).
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _neutralised(text: str) -> str:
    """A cell starting with = + - @ is a formula to a spreadsheet: keep it text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_neutralised(v) if isinstance(v, str) else _text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value):
    return _neutralised(value) if isinstance(value, str) else value  # openpyxl writes Decimal


def to_xlsx(tables: list[Table]) -> bytes:
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(table.title.translate(_SHEET_FORBIDDEN)[:31] or "Sheet")
        widths = [len(h) for h in table.headers]
        for row in table.rows:
            for i, value in enumerate(row[: len(widths)]):
                widths[i] = max(widths[i], len(_text(value)))
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
        sheet.append(table.headers)
        for row in table.rows:
            sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
