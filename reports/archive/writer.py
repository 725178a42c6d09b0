"""Writing an archive: tables as CSV and XLSX, files, and the README that lists them."""

import zipfile

from reports.exporters.tabular import Table, to_csv, to_xlsx


class ArchiveWriter:
    def __init__(self, zf: zipfile.ZipFile, root: str):
        self.zf = zf
        self.root = root
        self.files: list[tuple[str, str]] = []  # (path, what it holds)
        self.notes: list[str] = []

    def add_file(self, path: str, content: bytes, what: str = "") -> None:
        self.zf.writestr(f"{self.root}/{path}", content)
        self.files.append((path, what))

    def add_stream(self, path: str, source, what: str = "") -> None:
        """A file copied in chunks from an open binary file (evidence documents can be large)."""
        with self.zf.open(f"{self.root}/{path}", "w") as target:
            for chunk in iter(lambda: source.read(64 * 1024), b""):
                target.write(chunk)
        self.files.append((path, what))

    def add_table(self, stem: str, table: Table) -> None:
        rows = list(table.rows)  # read once, written twice
        table = Table(header=table.header, rows=rows, title=table.title)
        what = f"{table.title}: {len(rows)} row{'s' if len(rows) != 1 else ''}"
        self.add_file(f"{stem}.csv", to_csv(table), what)
        self.add_file(f"{stem}.xlsx", to_xlsx(table), what)

    def note(self, text: str) -> None:
        self.notes.append(text)
