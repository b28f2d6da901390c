"""Turn files into Python data while remembering where each value came from.

Readers never touch the database. Each returns the parsed data and a way to find the line of
any value in it, so validation errors can name the file, line and field.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

SUPPORTED_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".ttl", ".nt", ".jsonld", ".rdf")
STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 20 * 1024 * 1024


class ReadError(Exception):
    """A file cannot be read or parsed."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Document:
    """A parsed file, its checksum, and the YAML node tree used to locate values by path."""

    path: Path
    data: Any
    sha256: str
    _tree: yaml.Node | None

    def line_of(self, location: Sequence[str | int]) -> int | None:
        """The 1-based line of the value at `location` (e.g. ``("nodes", 3, "name")``).

        Falls back to the nearest enclosing value that exists, so a missing field is reported
        at the line of the record it is missing from.
        """
        node = self._tree
        line = node.start_mark.line + 1 if node is not None else None
        for key in location:
            node = _child(node, key)
            if node is None:
                break
            line = node.start_mark.line + 1
        return line


def display_path(path: Path) -> str:
    """How a file is named in reports and provenance: relative to the working directory when it
    is inside it, else by name alone, so published provenance does not reveal server paths."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return path.name


def find_files(paths: Sequence[Path]) -> list[Path]:
    """The data files named, with directories expanded (recursively, in a stable order)."""
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES)
        elif path.exists():
            inside = [path]
        else:
            raise ReadError(path, "No such file or directory.")
        for file in inside:
            # A file named twice (itself and inside a named directory) is read once.
            found.setdefault(file.resolve(), file)
    return list(found.values())


@dataclass(frozen=True)
class Row:
    """A CSV data row: its 1-based row number (after the header) and the line it starts on."""

    number: int
    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A parsed CSV file with a header row."""

    path: Path
    columns: tuple[str, ...]
    rows: list[Row]
    sha256: str


@dataclass(frozen=True)
class TableHeader:
    """A CSV file's columns, row count and checksum, found without keeping its rows."""

    path: Path
    columns: tuple[str, ...]
    records: int
    sha256: str


def read_bytes(path: Path) -> bytes:
    """A file's bytes, refusing files that cannot be read or are too large.

    Raises:
        ReadError: the file cannot be read or is larger than MAX_FILE_BYTES.
    """
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ReadError(path, f"Cannot read the file: {e.strerror}.") from e
    if len(raw) > MAX_FILE_BYTES:
        raise ReadError(path, f"The file is larger than {MAX_FILE_BYTES // 1_048_576} MB.")
    return raw


def _read_text(path: Path) -> tuple[str, str]:
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ReadError(
            path, f"The file is not UTF-8 (bad byte at offset {e.start}); save it as UTF-8.", line
        ) from e
    return text, hashlib.sha256(raw).hexdigest()


def read_table(path: Path) -> Table:
    """Parse a CSV file (up to MAX_FILE_BYTES) with a header row, keeping every row.

    Raises:
        ReadError: the file cannot be read, is not UTF-8, has bad quoting, no header,
            duplicate column names, or a row with more cells than the header.
    """
    text, digest = _read_text(path)
    columns, rows = _parse_csv(path, io.StringIO(text, newline=""))
    return Table(path, columns, list(rows), digest)


def scan_table(path: Path) -> TableHeader:
    """Check a CSV file of any size from end to end, keeping only its header and row count.

    Raises:
        ReadError: as `read_table`, except that there is no size limit.
    """
    digest = hashlib.sha256()
    with _open_csv(path, digest) as text:
        columns, rows = _parse_csv(path, text)
        records = sum(1 for _ in rows)
    return TableHeader(path, columns, records, digest.hexdigest())


def iter_rows(path: Path) -> Iterator[Row]:
    """The rows of a CSV file, read as they are needed (the file was checked by `scan_table`).

    Raises:
        ReadError: as `read_table`, should the file have changed since it was scanned.
    """
    with _open_csv(path, hashlib.sha256()) as text:
        yield from _parse_csv(path, text)[1]


class _Hashing(io.RawIOBase):
    """A binary file that adds what is read from it to a digest."""

    def __init__(self, raw: io.BufferedReader, digest: hashlib._Hash) -> None:
        self._raw, self._digest = raw, digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)
        self._digest.update(memoryview(buffer)[:n])
        return n


@contextmanager
def _open_csv(path: Path, digest: hashlib._Hash) -> Iterator[io.TextIOWrapper]:
    try:
        raw = path.open("rb")
    except OSError as e:
        raise ReadError(path, f"Cannot read the file: {e.strerror}.") from e
    with (
        raw,
        io.TextIOWrapper(
            io.BufferedReader(_Hashing(raw, digest)), encoding="utf-8-sig", newline=""
        ) as text,
    ):
        yield text


def _parse_csv(path: Path, text: TextIO) -> tuple[tuple[str, ...], Iterator[Row]]:
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as e:
        raise _csv_error(path, e, 1) from e
    if not header or not any(h.strip() for h in header):
        raise ReadError(path, "The file has no header row.", 1)
    columns = tuple(h.strip() for h in header)
    if len(set(columns)) != len(columns):
        raise ReadError(path, "The header names a column twice.", 1)

    def rows() -> Iterator[Row]:
        number, line = 0, reader.line_num + 1
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    number += 1
                    if len(cells) > len(columns):
                        raise ReadError(
                            path,
                            f"Row {number} has {len(cells)} cells but the header has "
                            f"{len(columns)} columns (check the quoting of cells with commas).",
                            line,
                        )
                    yield Row(
                        number, line, {c: v.strip() for c, v in zip(columns, cells, strict=False)}
                    )
                line = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as e:
            raise _csv_error(path, e, reader.line_num + 1) from e

    return columns, rows()


def _csv_error(path: Path, error: Exception, line: int) -> ReadError:
    if isinstance(error, UnicodeDecodeError):
        return ReadError(
            path, "The file is not UTF-8 (a bad byte near this line); save it as UTF-8.", line
        )
    return ReadError(path, f"Malformed CSV: {error}.", line)


def read_document(path: Path) -> Document:
    """Parse a YAML or JSON file (JSON is read as YAML, which keeps line numbers).

    Raises:
        ReadError: the file is missing, too large, not UTF-8, of an unknown type or malformed.
    """
    if path.suffix.lower() not in STRUCTURED_SUFFIXES:
        supported = ", ".join(STRUCTURED_SUFFIXES)
        raise ReadError(path, f"Unsupported file type {path.suffix!r}; expected {supported}.")
    text, digest = _read_text(path)
    try:
        tree = yaml.compose(text, Loader=_NoAliasLoader)
        data = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise ReadError(path, f"Malformed file: {e.problem or e}.", line) from e
    except yaml.YAMLError as e:
        raise ReadError(path, f"Malformed file: {e}.") from e
    except RecursionError as e:
        raise ReadError(path, "The file is nested too deeply to read.") from e
    return Document(path, data, digest, tree)


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases (they enable 'billion laughs' bombs)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]  # type: ignore[no-any-return]
    return None
