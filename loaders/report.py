"""What a load did, or why it refused to write anything."""

from __future__ import annotations

from pydantic import BaseModel, Field

from graph.writes import WriteCounts


class Issue(BaseModel):
    """One problem in the input, located as precisely as the format allows."""

    file: str
    line: int | None = None
    row: int | None = Field(default=None, description="For CSV: the data row (1 = first).")
    field: str | None = None
    message: str
    value: str | None = Field(default=None, description="The value at fault, when one is.")

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        where += f" (row {self.row})" if self.row else ""
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"


class FileInfo(BaseModel):
    """A file a load read: its path, SHA-256 checksum and record count."""

    path: str
    sha256: str
    records: int


class LoadReport(BaseModel):
    """The outcome of `connects load`: counts when it wrote, issues when it refused."""

    load_id: str | None = Field(
        default=None,
        description="Id of the :Load provenance node; none for a dry run or a load "
        "that changed nothing (such a load is not recorded).",
    )
    files: list[FileInfo] = Field(default_factory=list)
    counts: WriteCounts = Field(default_factory=WriteCounts)
    issues: list[Issue] = Field(default_factory=list)
    embedded: int = Field(
        default=0,
        description="Nodes the load's last stage gave a sentence embedding (for search by "
        "meaning): those it created or changed, and any a previous load left without.",
    )

    @property
    def ok(self) -> bool:
        return not self.issues


def in_file_order(issues: list[Issue]) -> list[Issue]:
    """Issues by file, then place in it (line, row), then field; each said once.

    Checks run in passes (files, then rows, then links across files), so issues arrive out of
    order; and one bad cell can fail once for every outcome it applies to.
    """
    seen: set[tuple[str, int, int, str, str]] = set()
    ordered = []
    for issue in sorted(issues, key=_place):
        if _place(issue) not in seen:
            seen.add(_place(issue))
            ordered.append(issue)
    return ordered


def _place(issue: Issue) -> tuple[str, int, int, str, str]:
    return (issue.file, issue.line or 0, issue.row or 0, issue.field or "", issue.message)


class LoadFailed(Exception):
    """The input has problems; nothing was written. `report.issues` lists every one, once, in
    file order."""

    def __init__(self, report: LoadReport) -> None:
        report.issues = in_file_order(report.issues)
        count = len(report.issues)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the input; nothing was written."
        )
        self.report = report
