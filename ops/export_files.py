"""A performance's orders and attendees as a file: CSV (streamed) or Excel (.xlsx, written by
openpyxl in its write-only mode, which keeps one row in memory at a time). The rows come from
backoffice/exports.py; every text cell is made safe against formula injection there.

Times are written in the performance's sales time zone: in CSV as ISO 8601 with their offset,
in Excel as plain dates and times (Excel has no time zones; openpyxl refuses aware ones).
"""

import csv
from collections.abc import Iterator
from datetime import datetime, tzinfo
from typing import BinaryIO, TextIO

from openpyxl import Workbook

from backoffice.exports import COLUMNS, AttendeeRow, attendee_rows, spreadsheet_safe
from backoffice.sales import sales_time_zone
from catalog.models import Performance
from orders.models import OrderStatus

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_filename(performance: Performance, file_format: str) -> str:
    return f"orders-performance-{performance.pk}.{file_format}"


def headings() -> list[str]:
    return [str(heading) for _field, heading in COLUMNS]


def cells(row: AttendeeRow, zone: tzinfo, *, aware: bool, statuses: dict[str, str]) -> list:
    values = []
    for field, _heading in COLUMNS:
        value = getattr(row, field)
        if field == "status":
            value = statuses[value]
        if isinstance(value, datetime):
            value = value.astimezone(zone).replace(microsecond=0)  # as a person reads them
            value = value.isoformat(timespec="seconds") if aware else value.replace(tzinfo=None)
        values.append(spreadsheet_safe(value))
    return values


class _Line:
    """A file that hands back what the CSV writer writes, so each line can be streamed."""

    def write(self, text: str) -> str:
        return text


def status_labels() -> dict[str, str]:
    """Each status as the reader's language says it, looked up once per file."""
    return {status.value: str(status.label) for status in OrderStatus}


def csv_lines(performance: Performance) -> Iterator[str]:
    """The CSV, line by line (with a byte-order mark, so that Excel reads it as UTF-8)."""
    writer = csv.writer(_Line())
    zone = sales_time_zone(performance)
    statuses = status_labels()
    yield "\ufeff" + writer.writerow(headings())
    for row in attendee_rows(performance_id=performance.pk):
        yield writer.writerow(cells(row, zone, aware=True, statuses=statuses))


def write_csv(performance: Performance, file: TextIO) -> None:
    file.writelines(csv_lines(performance))


def write_xlsx(performance: Performance, file: BinaryIO) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Orders")
    zone = sales_time_zone(performance)
    statuses = status_labels()
    sheet.append(headings())
    for row in attendee_rows(performance_id=performance.pk):
        sheet.append(cells(row, zone, aware=False, statuses=statuses))
    workbook.save(file)


def write_export(performance: Performance, file_format: str, file) -> None:
    (write_csv if file_format == "csv" else write_xlsx)(performance, file)
