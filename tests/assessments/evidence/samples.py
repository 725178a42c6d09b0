"""Small real files of every allowed type (and some that are not), made here rather than shipped."""

import io
import struct
import zipfile
from pathlib import Path

import openpyxl
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
CSV = b"indicator,minutes\nENG-1,Board minutes 2026-03\n"
TEXT = "Minutes of the quality council, March 2026 — approved.\n".encode()

_OOXML_MAIN = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}


def ooxml(kind: str) -> bytes:
    """A .docx or .pptx as Office writes its container: [Content_Types].xml naming the main part."""
    part, content_type = _OOXML_MAIN[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{part}" '
            f'ContentType="application/vnd.openxmlformats-officedocument.{content_type}"/></Types>',
        )
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Board minutes"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", MZ)
    return buffer.getvalue()


def ole(stream: str) -> bytes:
    """A compound file (the container of .doc/.xls/.ppt) holding one 4 KB stream, laid out by hand:
    header, one FAT sector, one directory sector, eight data sectors."""
    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
    header += struct.pack(
        "<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\x00" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0
    )
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    fat = [fat_sector, end] + [n + 1 for n in range(2, 9)] + [end]
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat) + struct.pack("<I", free) * (128 - len(fat))

    def entry(name, kind, child, start, size):
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBBIII", len(encoded), kind, 1, no_stream, no_stream, child)
            + b"\x00" * 36
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, end, 0) + entry(stream, 2, no_stream, 2, 4096)
    directory += entry("", 0, no_stream, 0, 0) * 2
    return header + fat_bytes + directory + b"\x01" * 4096


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


class EvidenceFiles:
    """What is in the evidence folder, and the row counts of the evidence models: "nothing changed"."""

    def __init__(self, root: Path):
        self.root = root

    def files(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file())

    def state(self) -> tuple:
        counts = {
            model._meta.label: model.objects.count()
            for label in ("assessments", "commitments", "reports")
            for model in apps.get_app_config(label).get_models()
            if model._meta.label != "assessments.AuditEvent"
        }
        return counts, self.files()
