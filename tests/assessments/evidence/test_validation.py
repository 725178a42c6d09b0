"""The type of an evidence file comes from its content; its name is display metadata, refused when odd."""

import io

import pytest
from django.core.exceptions import ValidationError

from assessments.evidence import validation
from assessments.evidence.validation import ALLOWED_TYPES_TEXT, clean_display_name, identify

from . import samples

CONTROL = "The file name contains control characters; rename the file with letters, digits and punctuation."
FOLDER = "The file name contains a folder path (“/” or “\\”); upload the file under its own name only."
REFUSED = f"This file is not one of the allowed types ({ALLOWED_TYPES_TEXT}); it was not uploaded."


@pytest.mark.parametrize(
    ("name", "content", "code", "content_type"),
    [
        ("minutes.pdf", samples.PDF, "pdf", "application/pdf"),
        ("chart.png", samples.PNG, "png", "image/png"),
        ("photo.JPG", samples.JPEG, "jpeg", "image/jpeg"),
        ("photo.jpeg", samples.JPEG, "jpeg", "image/jpeg"),
        (
            "policy.docx",
            samples.ooxml("docx"),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "figures.xlsx",
            samples.xlsx(),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "deck.pptx",
            samples.ooxml("pptx"),
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("old.doc", samples.ole("WordDocument"), "doc", "application/msword"),
        ("old.xls", samples.ole("Workbook"), "xls", "application/vnd.ms-excel"),
        ("old.ppt", samples.ole("PowerPoint Document"), "ppt", "application/vnd.ms-powerpoint"),
        ("data.csv", samples.CSV, "csv", "text/csv"),
        ("notes.txt", samples.TEXT, "txt", "text/plain"),
        ("excel.csv", "Café;Zürich\r\n".encode("cp1252"), "csv", "text/csv"),
    ],
)
def test_allowed_types_are_recognized_from_their_content(name, content, code, content_type):
    kind = identify(io.BytesIO(content), name)
    assert (kind.code, kind.content_type) == (code, content_type)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.pdf", samples.ELF),  # a Linux executable renamed
        ("x.pdf", samples.MZ),  # a Windows executable renamed
        ("report.docx", samples.plain_zip()),  # a ZIP without an Office structure
        ("old.doc", samples.ole("Something Else")),  # an OLE file that is no Office document
        ("page.txt", b"\x00\x01binary\x02"),
        ("gif.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_anything_else_is_refused_naming_the_allowed_types(name, content):
    with pytest.raises(ValidationError) as refused:
        identify(io.BytesIO(content), name)
    assert refused.value.messages == [REFUSED]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "minutes.docx",
            samples.PDF,
            "The file's content is PDF but its name ends in “.docx”: rename it to end in .pdf and upload it "
            "again.",
        ),
        (
            "notes.pdf",
            samples.TEXT,
            "The file's content is plain text but its name ends in “.pdf”: rename it to end in .txt and "
            "upload it again.",
        ),
        (
            "policy",
            samples.ooxml("docx"),
            "The file's content is Word but its name ends in “no extension”: rename it to end in .docx and "
            "upload it again.",
        ),
    ],
)
def test_the_name_must_agree_with_the_content(name, content, message):
    with pytest.raises(ValidationError) as refused:
        identify(io.BytesIO(content), name)
    assert refused.value.messages == [message]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "../../x.pdf",
            FOLDER,
        ),
        (
            "..\\x.pdf",
            FOLDER,
        ),
        (
            "minutes\x07.pdf",
            CONTROL,
        ),
        (
            "minutes\u202egpj.pdf",  # right-to-left override: shows as "minutesfdp.jpg"
            CONTROL,
        ),
        ("a" * 296 + ".pdf", "The file name has 300 characters; at most 200 are allowed. Rename the file."),
        ("   ", "The file has no name; give it one (such as minutes.pdf) and upload it again."),
    ],
)
def test_odd_names_are_refused(name, message):
    with pytest.raises(ValidationError) as refused:
        clean_display_name(name)
    assert refused.value.messages == [message]


def test_a_plain_name_is_kept_as_given():
    assert clean_display_name("  Board minutes (March) é.pdf ") == "Board minutes (March) é.pdf"


def test_the_accept_attribute_lists_every_allowed_extension():
    assert validation.ACCEPT_ATTRIBUTE == ".pdf,.docx,.doc,.xlsx,.xls,.pptx,.ppt,.csv,.txt,.png,.jpg,.jpeg"
