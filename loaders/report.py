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

    load_id: str | None = Field(default=None, description="Id of the :Load provenance node.")
    files: list[FileInfo] = Field(default_factory=list)
    counts: WriteCounts = Field(default_factory=WriteCounts)
    issues: list[Issue] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


class LoadFailed(Exception):
    """The input has problems; nothing was written. `report.issues` lists every one."""

    def __init__(self, report: LoadReport) -> None:
        count = len(report.issues)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the input; nothing was written."
        )
        self.report = report
