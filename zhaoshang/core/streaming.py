"""Streamed CSV downloads that never end as a silently short file.

A streamed response has sent its 200 and its headers before the first row is written, so an error
in the middle of the rows cannot change the status any more. `streamed_csv` therefore:

- writes the header and the first row before the response exists: a fault that hits every row
  (the usual kind: a missing label, a renamed field) is an ordinary 500 with its log entry;
- and if a later row fails, logs the error (with the export's name and row number, never a cell),
  writes a last line saying the file is incomplete, and then aborts the response, so the server
  drops the connection without the end of the chunked body and the browser marks the download
  failed instead of saving a short file as if it were whole.
"""

import csv
import logging

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class StreamedExportFailed(RuntimeError):
    """A streamed export stopped after its response had started (raised to abort the response)."""


def neutralise(value):
    """Spreadsheet-formula neutralisation: a cell starting with = + - @ (or tab/CR) gets an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def streamed_csv(rows, make_row, *, header, filename, name):
    """A StreamingHttpResponse of `header` and `make_row(row)` for each of `rows` (neutralised cells).

    `name` identifies the export in the log (e.g. "audit-access"); it must not hold personal data.
    """
    writer = csv.writer(_Echo())
    rows = iter(rows)
    # Header and first row now: a fault in every row becomes a 500 before anything is sent.
    head = ["\ufeff", writer.writerow(header)]
    count = 0
    for row in rows:
        head.append(writer.writerow([neutralise(cell) for cell in make_row(row)]))
        count = 1
        break
    failure_line = writer.writerow([_("导出失败：文件不完整，请重新导出；如仍失败请联系系统管理员。")])

    def stream():
        yield from head
        number = count
        try:
            for row in rows:
                number += 1
                line = writer.writerow([neutralise(cell) for cell in make_row(row)])
                yield line
        except Exception as exc:
            logger.exception("streamed export %s failed at row %s; response aborted", name, number)
            yield failure_line
            raise StreamedExportFailed(f"streamed export {name} failed at row {number}") from exc

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
