"""What an evidence file may be: its type found from its content, its display name, its size.

The type comes from the bytes, never from the name or the browser's Content-Type:
- `filetype` (pure Python, no libmagic to install on every machine and in the image; well kept and widely
  used) recognizes the magic numbers of PDF, PNG, JPEG and ZIP;
- Office files are containers, so a magic number says only "a ZIP" or "an OLE compound file": OOXML
  (.docx/.xlsx/.pptx) is checked by its [Content_Types].xml (the main part's content type, and that part is
  in the archive), legacy .doc/.xls/.ppt by their OLE streams (`olefile`);
- CSV and plain text have no magic number: they are text when they decode as UTF-8 (or Windows-1252) with
  no NUL and no control characters but tabs and line breaks.
The name's extension must then agree with what the content is.
"""

import codecs
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
import olefile
from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
KINDS = {
    k.code: k
    for k in (
        Kind("pdf", "PDF", "application/pdf", (".pdf",)),
        Kind(
            "docx",
            "Word",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        Kind("doc", "Word", "application/msword", (".doc",)),
        Kind(
            "xlsx", "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
        ),
        Kind("xls", "Excel", "application/vnd.ms-excel", (".xls",)),
        Kind(
            "pptx",
            "PowerPoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
        Kind("ppt", "PowerPoint", "application/vnd.ms-powerpoint", (".ppt",)),
        Kind("csv", "CSV", "text/csv", (".csv",)),
        Kind("txt", "plain text", "text/plain", (".txt",)),
        Kind("png", "PNG", "image/png", (".png",)),
        Kind("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg")),
    )
}
ALLOWED_TYPES_TEXT = (
    "PDF, Word (.docx, .doc), Excel (.xlsx, .xls), PowerPoint (.pptx, .ppt), "
    "CSV, plain text (.txt), PNG or JPEG"
)
ACCEPT_ATTRIBUTE = ",".join(ext for kind in KINDS.values() for ext in kind.extensions)
MAX_NAME_LENGTH = 200
REFUSED_TYPE = "This file is not one of the allowed types ({allowed}); it was not uploaded."
OLE_STREAMS = (("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"), ("PowerPoint Document", "ppt"))
TEXT_CONTROLS_ALLOWED = {"\t", "\n", "\r", "\f"}
MAX_CONTENT_TYPES_XML = 1024 * 1024


def clean_display_name(name: str) -> str:
    """The uploader's file name, kept for display: refused (ValidationError), never silently changed."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise ValidationError("The file has no name; give it one (such as minutes.pdf) and upload it again.")
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise ValidationError(
            "The file name contains a folder path (“/” or “\\”); upload the file under its own name only."
        )
    if any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in name):
        raise ValidationError(
            "The file name contains control characters; rename the file with letters, digits and punctuation."
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"The file name has {len(name)} characters; at most {MAX_NAME_LENGTH} are allowed. "
            "Rename the file."
        )
    return name


def check_size(size: int, *, limit: int) -> None:
    if size == 0:
        raise ValidationError("The file is empty (0 bytes); nothing was uploaded.")
    if size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(size)}; a file may be at most {filesizeformat(limit)}. "
            "Nothing was uploaded."
        )


def identify(file, name: str) -> Kind:
    """The allowed type the content is, agreeing with the name's extension; else ValidationError (naming the
    allowed types). Reads `file`, which must be seekable (Django's uploaded files are)."""
    kind = _detect_kind(file)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind.code == "txt" and extension == ".csv":
        return KINDS["csv"]
    if extension not in kind.extensions:
        raise ValidationError(
            f"The file's content is {kind.label} but its name ends in “{extension or 'no extension'}”: "
            f"rename it to end in {' or '.join(kind.extensions)} and upload it again."
        )
    return kind


def _detect_kind(file) -> Kind:
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    guess = filetype.guess(head)
    code = None
    if guess is not None and guess.extension in {"pdf", "png", "jpg"}:
        code = {"jpg": "jpeg"}.get(guess.extension, guess.extension)
    elif head.startswith(b"PK\x03\x04"):
        code = _ooxml_kind(file)
    elif head.startswith(olefile.MAGIC):
        code = _ole_kind(file)
    elif guess is None:
        code = _text_kind(file)
    file.seek(0)
    if code is None:
        raise ValidationError(REFUSED_TYPE.format(allowed=ALLOWED_TYPES_TEXT))
    return KINDS[code]


def _ooxml_kind(file) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_XML:
                return None
            root = ElementTree.fromstring(archive.read(info))
            names = set(archive.namelist())
    except Exception:  # defusedxml's refusals (entities, DTDs) and anything else a hostile archive raises
        return None
    for override in root:
        if not override.tag.endswith("}Override"):
            continue
        kind = OOXML_MAIN.get(override.get("ContentType", ""))
        part = (override.get("PartName") or "").lstrip("/")
        if kind and part in names:
            return kind
    return None


def _ole_kind(file) -> str | None:
    try:
        with olefile.OleFileIO(file) as ole:
            for stream, kind in OLE_STREAMS:
                if ole.exists(stream):
                    return kind
    except Exception:  # olefile raises many kinds of error on a damaged or hostile file
        return None
    return None


def _text_kind(file) -> str | None:
    """'txt' for text (the name's extension then says CSV or plain text), None for anything binary."""
    return "txt" if any(_is_text(file, encoding) for encoding in ("utf-8", "cp1252")) else None


def _is_text(file, encoding: str) -> bool:
    file.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for chunk in iter(lambda: file.read(64 * 1024), b""):
            if b"\x00" in chunk:
                return False
            text = decoder.decode(chunk)
            if any(unicodedata.category(c) == "Cc" and c not in TEXT_CONTROLS_ALLOWED for c in text):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
