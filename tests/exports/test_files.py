"""CSV and XLSX as a spreadsheet reads them back: headers, accents, numbers as numbers, dates,
and a cell that looks like a formula kept as text."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from savings_groups.exports.files import Table, to_csv, to_xlsx

TABLE = Table(
    "Groupes: 2026/T1",
    ["Groupe", "Épargne (F CFA)", "Réunion", "Note"],
    [
        ["Kankan", Decimal(930200), date(2026, 3, 2), '=HYPERLINK("x")'],
        ["Labé", Decimal("1250.50"), None, "-3"],
    ],
)


def test_csv_is_utf8_with_a_bom_and_keeps_formulas_as_text():
    data = to_csv(TABLE)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["Groupe", "Épargne (F CFA)", "Réunion", "Note"],
        ["Kankan", "930200", "2026-03-02", '\'=HYPERLINK("x")'],
        ["Labé", "1250.50", "", "'-3"],
    ]


def test_xlsx_holds_numbers_dates_and_a_valid_sheet_name():
    book = load_workbook(io.BytesIO(to_xlsx([TABLE])))
    assert book.sheetnames == ["Groupes  2026 T1"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("Groupe", "Épargne (F CFA)", "Réunion", "Note")
    assert rows[1][:2] == ("Kankan", 930200)
    assert rows[1][2].date() == date(2026, 3, 2)
    assert rows[1][3] == '\'=HYPERLINK("x")'
    assert rows[2][1] == 1250.5 and rows[2][2] is None
