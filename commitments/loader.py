"""Read a rubric YAML file into plain, validated data, and say exactly where a file is wrong.

The file format (fixtures/rubric/2026.1.yaml is the reference)::

    version: "2026.1"
    title: "..."
    previous: "2025.1"            # optional: the version this one supersedes
    rating_rule: "..."            # optional: how to choose a level (shown wherever a level is chosen)
    content_statement: "..."      # optional: whose words the indicators and descriptors are
    commitments:
      - slug: engaged
        name: Engaged
        definition: "..."
        definition_source: "..."  # optional: where the name and definition come from
        framework:                # optional: NAM's framework pages' wording, when it differs
          name: "..."
          definition: "..."
          source: "..."
        indicators:
          - code: ENG-1
            title: "..."
            guidance: "..."
            continues: ENG-1      # optional: the code of the indicator it continues in `previous`
            applies_to: all       # optional (default all): or a list of organization types
            practices: {"huddle": 3}  # optional, not stored: a phrase that must appear at that level only
            levels: {1: "...", 2: "...", 3: "...", 4: "...", 5: "..."}
    compliance:                   # optional: legal requirements, attested yes / no / in progress, not scored
      - code: LAW-1
        title: "..."
        basis: "..."
        guidance: "..."           # optional
        applies_to: all           # optional, as for indicators

Nothing here writes to the database: `commitments.services.rubric_load` does that. Every problem found
is collected (not only the first) so that an author can fix a file in one go; each message starts with
the place in the file, such as ``commitments[2].indicators[1].levels``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .models import ORGANIZATION_TYPES, Commitment, ComplianceItem, Indicator, MaturityLevel, Rubric

LEVELS = tuple(MaturityLevel.values)  # (1, 2, 3, 4, 5)

TOP_KEYS = {
    "version": True,
    "title": True,
    "previous": False,
    "rating_rule": False,
    "content_statement": False,
    "commitments": True,
    "compliance": False,
}
COMMITMENT_KEYS = {
    "slug": True,
    "name": True,
    "definition": True,
    "definition_source": False,
    "framework": False,
    "indicators": True,
}
FRAMEWORK_KEYS = {"name": True, "definition": True, "source": True}
INDICATOR_KEYS = {
    "code": True,
    "title": True,
    "guidance": True,
    "levels": True,
    "continues": False,
    "applies_to": False,
    "practices": False,
}
COMPLIANCE_KEYS = {"code": True, "title": True, "basis": True, "guidance": False, "applies_to": False}

VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_RE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class RubricFileError(Exception):
    """A rubric file that cannot be loaded; `errors` lists every problem, each naming its place."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    title: str
    guidance: str
    levels: dict[int, str]
    continues: str | None = None
    applies_to: tuple[str, ...] = ()  # empty: every organization type
    practices: dict[str, int] = field(default_factory=dict)  # an authoring check, not stored


@dataclass(frozen=True)
class ComplianceSpec:
    code: str
    title: str
    basis: str
    guidance: str = ""
    applies_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommitmentSpec:
    slug: str
    name: str
    definition: str
    indicators: list[IndicatorSpec] = field(default_factory=list)
    definition_source: str = ""
    framework_name: str = ""
    framework_definition: str = ""
    framework_source: str = ""


@dataclass(frozen=True)
class RubricSpec:
    version: str
    title: str
    commitments: list[CommitmentSpec]
    previous: str | None = None
    rating_rule: str = ""
    content_statement: str = ""
    compliance: list[ComplianceSpec] = field(default_factory=list)

    @property
    def indicator_count(self) -> int:
        return sum(len(c.indicators) for c in self.commitments)

    @property
    def descriptor_count(self) -> int:
        return sum(len(i.levels) for c in self.commitments for i in c.indicators)


# --------------------------------------------------------------------------------------------- YAML


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML that refuses a key given twice in one mapping (plain YAML keeps the last silently)."""


class _DuplicateKeyError(yaml.constructor.ConstructorError):
    pass


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    seen = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue  # SafeLoader reports unhashable keys itself
        if key in seen:
            raise _DuplicateKeyError(None, None, f"the key {key!r} appears twice", key_node.start_mark)
        seen[key] = True
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_error_message(exc: yaml.YAMLError) -> str:
    """'YAML syntax error at line 4, column 4: ...' with the line where the broken construct began."""

    def at(mark) -> str:
        return f"line {mark.line + 1}, column {mark.column + 1}"

    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, _DuplicateKeyError):
        return f"{at(problem_mark)}: {problem}"
    message = (
        f"YAML syntax error at {at(problem_mark)}: {problem}"
        if problem_mark
        else f"YAML syntax error: {problem}"
    )
    context = getattr(exc, "context", None)
    if (
        context
        and context_mark
        and (context_mark.line, context_mark.column)
        != (
            problem_mark.line if problem_mark else None,
            problem_mark.column if problem_mark else None,
        )
    ):
        message += f" ({context} that starts at {at(context_mark)})"
    return message


def parse_text(text: str) -> RubricSpec:
    """Parse and validate the text of a rubric file (see the module docstring for the format)."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise RubricFileError([_yaml_error_message(exc)]) from None
    return _Validator().rubric(data)


def parse_file(path: str | Path) -> RubricSpec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RubricFileError([f"no such file: {path}"]) from None
    except UnicodeDecodeError as exc:
        raise RubricFileError([f"not UTF-8 text (byte {exc.start})"]) from None
    except OSError as exc:
        raise RubricFileError([f"cannot read {path}: {exc.strerror}"]) from None
    return parse_text(text)


# --------------------------------------------------------------------------------------- validation


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()} (put it in quotes to make it text)"
    return type(value).__name__


class _Validator:
    def __init__(self):
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where or 'top level'}: {message}")

    def mapping(self, where: str, value, keys: dict[str, bool]) -> dict | None:
        """The mapping at `where` if it has exactly the allowed keys and all the required ones."""
        if not isinstance(value, dict):
            self.error(where, f"expected a mapping, got {_kind(value)}")
            return None
        ok = True
        for key in value:
            if key not in keys:
                self.error(where, f"unknown key {str(key)!r}")
                ok = False
        for key, required in keys.items():
            if required and key not in value:
                self.error(where, f"missing {key!r}")
                ok = False
        return value if ok else {k: v for k, v in value.items() if k in keys}

    def text(self, where: str, value, *, max_length: int | None = None, pattern=None, hint="") -> str | None:
        if not isinstance(value, str):
            self.error(where, f"expected text, got {_kind(value)}")
            return None
        value = value.strip()
        if not value:
            self.error(where, "expected text, got an empty string")
            return None
        if max_length is not None and len(value) > max_length:
            self.error(where, f"at most {max_length} characters, got {len(value)}")
            return None
        if pattern is not None and not pattern.match(value):
            self.error(where, f"{value!r} is not valid{hint}")
            return None
        return value

    def rubric(self, data) -> RubricSpec:
        top = self.mapping("", data, TOP_KEYS) if data is not None else None
        if data is None:
            self.error("", "the file is empty; expected version, title and commitments")
        top = top or {}
        version = title = previous = None
        if "version" in top:
            if isinstance(top["version"], int | float) and not isinstance(top["version"], bool):
                self.error(
                    "version", f'expected text in quotes, such as "2026.1", got {_kind(top["version"])}'
                )
            else:
                version = self.text(
                    "version",
                    top["version"],
                    max_length=_max_length(Rubric, "version"),
                    pattern=VERSION_RE,
                    hint=" (letters, digits, dots, hyphens)",
                )
        if "title" in top:
            title = self.text("title", top["title"], max_length=_max_length(Rubric, "title"))
        if top.get("previous") is not None:
            previous = self.text("previous", top["previous"], max_length=_max_length(Rubric, "version"))
            if previous and previous == version:
                self.error("previous", f"a version cannot continue itself ({previous})")
        statements = {
            key: (self.text(key, top[key]) or "") if top.get(key) is not None else ""
            for key in ("rating_rule", "content_statement")
        }
        commitments = []
        if "commitments" in top:
            commitments = self.commitments(top["commitments"])
        compliance = self.compliance(top["compliance"]) if top.get("compliance") is not None else []
        if self.errors:
            raise RubricFileError(self.errors)
        spec = RubricSpec(
            version=version,
            title=title,
            commitments=commitments,
            previous=previous,
            compliance=compliance,
            **statements,
        )
        self.check_continues(spec)
        if self.errors:
            raise RubricFileError(self.errors)
        return spec

    def commitments(self, value) -> list[CommitmentSpec]:
        if not isinstance(value, list) or not value:
            self.error("commitments", f"expected a list of commitments, got {_kind(value)}")
            return []
        result, slugs, codes = [], set(), set()
        for c_index, raw in enumerate(value):
            where = f"commitments[{c_index}]"
            item = self.mapping(where, raw, COMMITMENT_KEYS)
            if item is None:
                continue
            slug = name = definition = None
            if "slug" in item:
                slug = self.text(
                    f"{where}.slug",
                    item["slug"],
                    max_length=_max_length(Commitment, "slug"),
                    pattern=SLUG_RE,
                    hint=" (lower-case letters, digits and hyphens)",
                )
                if slug in slugs:
                    self.error(f"{where}.slug", f"duplicate slug {slug}")
                slugs.add(slug)
            if "name" in item:
                name = self.text(f"{where}.name", item["name"], max_length=_max_length(Commitment, "name"))
            if "definition" in item:
                definition = self.text(
                    f"{where}.definition",
                    item["definition"],
                    max_length=_max_length(Commitment, "definition"),
                )
            source = ""
            if item.get("definition_source") is not None:
                source = self.text(
                    f"{where}.definition_source",
                    item["definition_source"],
                    max_length=_max_length(Commitment, "definition_source"),
                )
            framework = {}
            if item.get("framework") is not None:
                raw_framework = self.mapping(f"{where}.framework", item["framework"], FRAMEWORK_KEYS) or {}
                for key, value in raw_framework.items():
                    framework[f"framework_{key}"] = (
                        self.text(
                            f"{where}.framework.{key}",
                            value,
                            max_length=_max_length(Commitment, f"framework_{key}"),
                        )
                        or ""
                    )
            indicators = (
                self.indicators(f"{where}.indicators", item["indicators"], codes)
                if "indicators" in item
                else []
            )
            result.append(
                CommitmentSpec(
                    slug=slug,
                    name=name,
                    definition=definition,
                    indicators=indicators,
                    definition_source=source or "",
                    **framework,
                )
            )
        return result

    def applies_to(self, where: str, value) -> tuple[str, ...]:
        """`all` (every type) or a list of organization types, each known and given once."""
        if value == "all":
            return ()
        known = ", ".join(ORGANIZATION_TYPES)
        if not isinstance(value, list) or not value:
            self.error(where, f"expected 'all' or a list of organization types ({known}), got {_kind(value)}")
            return ()
        for org_type in value:
            if org_type not in ORGANIZATION_TYPES:
                self.error(where, f"unknown organization type {org_type!r} (known: {known})")
                return ()
        if len(set(value)) != len(value):
            self.error(where, "an organization type is listed twice")
            return ()
        if set(value) == set(ORGANIZATION_TYPES):
            return ()
        return tuple(value)

    def practices(self, where: str, value) -> dict[str, int]:
        if not isinstance(value, dict) or not value:
            self.error(
                where, f"expected a mapping of phrases to the level they belong to, got {_kind(value)}"
            )
            return {}
        result = {}
        for phrase, level in value.items():
            if not isinstance(phrase, str) or not phrase.strip():
                self.error(where, f"expected a phrase, got {_kind(phrase)}")
            elif isinstance(level, bool) or level not in LEVELS:
                self.error(f"{where}.{phrase}", f"expected a level 1-5, got {_kind(level)}")
            else:
                result[phrase.strip()] = level
        return result

    def compliance(self, value) -> list[ComplianceSpec]:
        if not isinstance(value, list) or not value:
            self.error("compliance", f"expected a list of compliance items, got {_kind(value)}")
            return []
        result, codes = [], set()
        for index, raw in enumerate(value):
            place = f"compliance[{index}]"
            item = self.mapping(place, raw, COMPLIANCE_KEYS)
            if item is None:
                continue
            values = {}
            for key in ("code", "title", "basis", "guidance"):
                if item.get(key) is None:
                    continue
                model_field = ComplianceItem._meta.get_field(key)
                values[key] = self.text(
                    f"{place}.{key}",
                    item[key],
                    max_length=getattr(model_field, "max_length", None),
                    pattern=CODE_RE if key == "code" else None,
                    hint=" (capital letters, digits and hyphens, such as LAW-1)" if key == "code" else "",
                )
            if values.get("code") in codes:
                self.error(f"{place}.code", f"duplicate code {values['code']}")
            codes.add(values.get("code"))
            applies = (
                self.applies_to(f"{place}.applies_to", item["applies_to"]) if "applies_to" in item else ()
            )
            result.append(
                ComplianceSpec(
                    code=values.get("code"),
                    title=values.get("title"),
                    basis=values.get("basis"),
                    guidance=values.get("guidance") or "",
                    applies_to=applies,
                )
            )
        return result

    def indicators(self, where: str, value, codes: set[str]) -> list[IndicatorSpec]:
        if not isinstance(value, list) or not value:
            self.error(where, f"expected a list of indicators, got {_kind(value)}")
            return []
        result = []
        for i_index, raw in enumerate(value):
            place = f"{where}[{i_index}]"
            item = self.mapping(place, raw, INDICATOR_KEYS)
            if item is None:
                continue
            code = title = guidance = continues = None
            if "code" in item:
                code = self.text(
                    f"{place}.code",
                    item["code"],
                    max_length=_max_length(Indicator, "code"),
                    pattern=CODE_RE,
                    hint=" (capital letters, digits and hyphens, such as ENG-1)",
                )
                if code in codes:
                    self.error(f"{place}.code", f"duplicate code {code}")
                codes.add(code)
            if "title" in item:
                title = self.text(f"{place}.title", item["title"], max_length=_max_length(Indicator, "title"))
            if "guidance" in item:
                guidance = self.text(f"{place}.guidance", item["guidance"])
            if item.get("continues") is not None:
                continues = self.text(f"{place}.continues", item["continues"])
            levels = self.levels(f"{place}.levels", item["levels"]) if "levels" in item else {}
            applies = (
                self.applies_to(f"{place}.applies_to", item["applies_to"]) if "applies_to" in item else ()
            )
            practices = self.practices(f"{place}.practices", item["practices"]) if "practices" in item else {}
            result.append(
                IndicatorSpec(
                    code=code,
                    title=title,
                    guidance=guidance,
                    levels=levels,
                    continues=continues,
                    applies_to=applies,
                    practices=practices,
                )
            )
        return result

    def levels(self, where: str, value) -> dict[int, str]:
        if not isinstance(value, dict):
            self.error(
                where, f"expected a mapping of the levels 1-5 to their descriptors, got {_kind(value)}"
            )
            return {}
        levels: dict[int, object] = {}
        for key, text in value.items():
            # YAML reads `1:` as the number 1 and `"1":` as text: accept both, nothing else.
            level = int(key) if isinstance(key, str) and key.strip().isdigit() else key
            if isinstance(level, bool) or not isinstance(level, int) or level in levels:
                levels = None
                break
            levels[level] = text
        if levels is None or sorted(levels) != list(LEVELS):
            got = ", ".join(str(k) for k in value) or "none"
            self.error(where, f"expected exactly the levels 1-5, got {got}")
            return {}
        result = {}
        for level in LEVELS:
            text = self.text(f"{where}[{level}]", levels[level])
            if text is not None:
                result[level] = text
        return result

    def check_continues(self, spec: RubricSpec) -> None:
        """`previous` must be loaded already, and each `continues` must name one of its indicators, once."""
        wanted = [
            (f"commitments[{ci}].indicators[{ii}].continues", indicator.continues)
            for ci, commitment in enumerate(spec.commitments)
            for ii, indicator in enumerate(commitment.indicators)
            if indicator.continues
        ]
        previous_codes: set[str] = set()
        if spec.previous:
            previous = Rubric.objects.filter(version=spec.previous).first()
            if previous is None:
                self.error("previous", f"no rubric version {spec.previous} is loaded; load that file first")
                return
            previous_codes = set(Indicator.objects.of_rubric(previous).values_list("code", flat=True))
        elif wanted:
            for where, code in wanted:
                self.error(where, f"{code} needs a top-level 'previous' version to continue from")
            return
        continued: dict[str, str] = {}
        for where, code in wanted:
            if code not in previous_codes:
                self.error(where, f"no indicator {code} in version {spec.previous}")
            elif code in continued:
                self.error(
                    where, f"{code} of version {spec.previous} is already continued at {continued[code]}"
                )
            else:
                continued[code] = where
