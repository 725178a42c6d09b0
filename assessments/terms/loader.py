"""Reading a participation terms file: YAML front matter (version, title, effective date), then Markdown."""

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml


class TermsFileError(ValueError):
    """The file cannot be loaded; the message says why."""


@dataclass(frozen=True)
class TermsSpec:
    version: str
    title: str
    effective_on: datetime.date
    text: str
    source_file: str = ""

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_terms(content: str, *, source_file: str = "") -> TermsSpec:
    content = content.replace("\r\n", "\n")
    if not content.startswith("---\n"):
        raise TermsFileError(
            "The file must start with front matter: a line '---', version, effective, '---'."
        )
    try:
        head, text = content[4:].split("\n---\n", 1)
    except ValueError:
        raise TermsFileError("The front matter is not closed by a line '---'.") from None
    try:
        meta = yaml.safe_load(head) or {}
    except yaml.YAMLError as exc:
        raise TermsFileError(f"The front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise TermsFileError("The front matter must be 'key: value' lines.")
    version = str(meta.get("version") or "").strip()
    if not version or len(version) > 20:
        raise TermsFileError("The front matter needs a version (at most 20 characters), such as 2026.1.")
    effective = meta.get("effective")
    if isinstance(effective, str):
        try:
            effective = datetime.date.fromisoformat(effective)
        except ValueError:
            effective = None
    if not isinstance(effective, datetime.date):
        raise TermsFileError("The front matter needs an effective date (YYYY-MM-DD).")
    text = text.strip() + "\n"
    if not text.strip():
        raise TermsFileError("The terms have no text after the front matter.")
    title = str(meta.get("title") or "Participation terms").strip()[:200]
    return TermsSpec(version=version, title=title, effective_on=effective, text=text, source_file=source_file)


def parse_terms_file(path) -> TermsSpec:
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TermsFileError(f"{path} cannot be read: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise TermsFileError(f"{path} is not UTF-8 text.") from None
    return parse_terms(content, source_file=str(path))
