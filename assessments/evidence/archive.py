"""All the evidence files of an assessment as one ZIP: a folder per indicator code, names made safe."""

import re
import tempfile
import unicodedata
import zipfile

from .models import evidence_storage

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
SPOOL_IN_MEMORY = 8 * 1024 * 1024


def safe_part(text: str, fallback: str) -> str:
    """One path component that no unzip tool reads as a path: no separators, no control characters, no dots
    alone or leading, at most 150 characters."""
    text = UNSAFE.sub("_", unicodedata.normalize("NFC", text)).strip().lstrip(".").strip()
    return text[:150] or fallback


def unique_name(name: str, taken: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{stem} ({number}).{extension}" if extension else f"{stem} ({number})"
    taken.add(candidate.lower())
    return candidate


def build_zip(entries) -> tempfile.SpooledTemporaryFile:
    """entries: [(indicator code, EvidenceDocument)]. Returns the archive, rewound; in memory up to 8 MB, on
    disk beyond, so that a 250 MB assessment never sits in the web process's memory."""
    archive_file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (handed to the response)
    storage = evidence_storage()
    taken: dict[str, set[str]] = {}
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for code, document in entries:
            folder = safe_part(code, "indicator")
            name = unique_name(
                safe_part(document.original_name, f"document-{document.pk}"), taken.setdefault(folder, set())
            )
            with (
                storage.open(document.stored_name, "rb") as source,
                archive.open(f"{folder}/{name}", "w") as target,
            ):
                for chunk in iter(lambda source=source: source.read(64 * 1024), b""):
                    target.write(chunk)
    archive_file.seek(0)
    return archive_file
