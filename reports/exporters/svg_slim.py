"""Chromium's SVG of a Plotly chart rewritten for WeasyPrint: the same drawing in fewer, simpler nodes.

WeasyPrint draws SVG in Python, node by node: it copies every attribute of a group down to each descendant,
parses lengths, colours and transforms again at each use and keeps a matrix product for each transform. The
three charts of a scorecard were a sixth of its render. Here they lose what draws nothing (Plotly's
interaction layers, classes, default values), say what they keep in the plainest form (attributes rather
than style="", numbers without "px", #rrggbb colours), move their content by changing coordinates rather
than through translate() transforms, and draw runs of identical shapes that never touch as one path.

None of this changes a pixel (tests/reports/test_svg_slim.py compares pages rendered with and without it):
each rewrite applies only where the SVG rules make both forms draw the same, and is skipped otherwise.
"""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree

_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Plotly's transparent hit areas for clicking legend entries: nothing to see on paper.
_UNSEEN_CLASSES = frozenset({"legendtoggle"})
# Attributes that change nothing WeasyPrint draws: browser interaction and rendering hints, an element's
# own opacity at 1 (not inherited), empty transforms.
_IDLE_ATTRIBUTES = {
    "opacity": "1",
    "vector-effect": "none",
    "white-space": "pre",  # WeasyPrint reads xml:space, not white-space
    "pointer-events": None,
    "shape-rendering": None,
    "transform": "",
    "patternTransform": "",
}
# Inherited attributes at their initial value: dropped where the parent's value is the same.
_INHERITED_INITIAL = {"fill-opacity": "1", "stroke-opacity": "1", "text-anchor": "start"}
# Lengths WeasyPrint parses a plain number of much faster than "13px" (the same: 1px is one user unit).
_LENGTH_ATTRIBUTES = frozenset(
    {"font-size", "stroke-width", "stroke-dasharray", "stroke-dashoffset", "x", "y", "width", "height"}
)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_PX = re.compile(rf"(?<![\w.])({_NUMBER})px\b")
_RGB = re.compile(r"rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)")
_TRANSLATE = re.compile(rf"\s*translate\(\s*({_NUMBER})\s*(?:[,\s]\s*({_NUMBER})\s*)?\)\s*")
_MOVE_ONLY = re.compile(rf"\s*M\s*{_NUMBER}\s*[,\s]\s*{_NUMBER}\s*")
# Paint servers and references resolved in the user space of the element that uses them: moving such an
# element by its coordinates instead of a transform would move what it refers to against it.
_USER_SPACE_REFERENCES = (
    "fill",
    "stroke",
    "clip-path",
    "mask",
    "filter",
    "marker-start",
    "marker-mid",
    "marker-end",
)
# Where shapes are not drawn but defined (a merged clip path or pattern tile is kept as written).
_DEFINITIONS = frozenset(
    {"defs", "clipPath", "pattern", "mask", "marker", "symbol", "linearGradient", "radialGradient", "filter"}
)


def slim_svg(svg: str) -> str:
    """The same drawing in fewer, simpler nodes (see the module's docstring)."""
    # Drawn by our own Chromium from our own figures (no entities, no DTD): not untrusted input.
    root = ElementTree.fromstring(svg)  # noqa: S314
    inherited = _presentation_attributes(root, {})
    _slim_children(root, inherited)
    _move_without_transforms(root, in_user_space_paint=False)
    _unwrap_bare_groups(root)  # the groups whose translate went to their children
    _merge_paths(root, {})
    root.set("xmlns", _SVG_NS.strip("{}"))
    return ElementTree.tostring(root, encoding="unicode")


# ---------------------------------------------------------------------------------------------------------
# Attributes


def _hex(match: re.Match) -> str:
    return "#" + "".join(f"{min(int(channel), 255):02x}" for channel in match.groups())


def _draws_the_same_without(key: str, value: str, inherited: dict[str, str]) -> bool:
    return (
        key == "class"
        or key.startswith("data-")
        or (key in _IDLE_ATTRIBUTES and _IDLE_ATTRIBUTES[key] in (None, value))
        or (key in _INHERITED_INITIAL and inherited.get(key, _INHERITED_INITIAL[key]) == value)
    )


def _presentation_attributes(element: ElementTree.Element, inherited: dict[str, str]) -> dict[str, str]:
    """style="a: b; c: d" as attributes a="b" c="d" (the style wins, as in CSS), in their simplest form.

    Plotly's SVGs carry no <style> sheet, so classes select nothing. Returns the inherited values the
    element's children see.
    """
    # Plain names in the output (<svg xmlns="..."><g>..., href), not ElementTree's ns0: prefixes.
    element.tag = element.tag.removeprefix(_SVG_NS)
    attributes = element.attrib
    if _XLINK_HREF in attributes:
        attributes["href"] = attributes.pop(_XLINK_HREF)
    style = attributes.pop("style", "")
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        if colon and name.strip():
            attributes[name.strip()] = value.strip()
    for key, value in list(attributes.items()):
        if _draws_the_same_without(key, value.strip(), inherited):
            del attributes[key]
            continue
        if "px" in value and key in _LENGTH_ATTRIBUTES:
            value = attributes[key] = _PX.sub(r"\1", value)
        if "rgb(" in value:
            attributes[key] = _RGB.sub(_hex, value)
    if any(key in attributes for key in _INHERITED_INITIAL):
        inherited = inherited | {key: attributes[key] for key in _INHERITED_INITIAL if key in attributes}
    return inherited


def _draws_nothing(element: ElementTree.Element) -> bool:
    tag = element.tag
    if tag == "g":
        return not len(element)  # an empty layer (hover, annotations...)
    if tag == "path":
        d = element.get("d", "")
        return not d or bool(_MOVE_ONLY.fullmatch(d))  # no outline, or only a starting point
    if tag == "rect":
        return element.get("width") in ("0", "0px") or element.get("height") in ("0", "0px")
    return False


def _slim_children(parent: ElementTree.Element, inherited: dict[str, str]) -> None:
    kept = []
    for child in list(parent):
        if _UNSEEN_CLASSES.intersection(child.get("class", "").split()):
            continue
        child_inherited = _presentation_attributes(child, inherited)
        _slim_children(child, child_inherited)
        if _draws_nothing(child):
            continue
        kept.append(child)
    parent[:] = kept
    _unwrap_bare_groups(parent, recursive=False)


def _unwrap_bare_groups(parent: ElementTree.Element, *, recursive: bool = True) -> None:
    """A group without attributes only adds a level for WeasyPrint to walk: its children take its place."""
    children = []
    for child in parent:
        if recursive:
            _unwrap_bare_groups(child)
        if child.tag == "g" and not child.attrib:
            children.extend(child)
        else:
            children.append(child)
    parent[:] = children


# ---------------------------------------------------------------------------------------------------------
# Translations


def _format(value: float) -> str:
    return f"{value:.10g}"


def _translation(element: ElementTree.Element) -> tuple[float, float] | None:
    match = _TRANSLATE.fullmatch(element.get("transform", ""))
    return (float(match[1]), float(match[2] or 0)) if match else None


def _refers_in_user_space(element: ElementTree.Element) -> bool:
    return any("url(" in element.get(key, "") for key in _USER_SPACE_REFERENCES)


def _move_without_transforms(parent: ElementTree.Element, *, in_user_space_paint: bool) -> None:
    """Replace each translate() by the same move of the element's own coordinates, where that draws the same.

    A group passes its translation down to its children; a path, text or rectangle adds it to its
    coordinates. Anything else keeps a transform (merged with its own, if any).
    """
    for child in parent:
        if child.tag in _DEFINITIONS:
            continue
        inherits_paint = in_user_space_paint or any(
            "url(" in child.get(key, "") for key in ("fill", "stroke")
        )
        translation = _translation(child)
        if translation is not None and not inherits_paint:
            del child.attrib["transform"]
            if not _moved(child, *translation):
                _add_translation(child, *translation)
        _move_without_transforms(child, in_user_space_paint=inherits_paint)


def _add_translation(element: ElementTree.Element, dx: float, dy: float) -> None:
    own = _translation(element)
    if own is not None:
        dx, dy = dx + own[0], dy + own[1]
        rest = ""
    else:
        rest = element.get("transform", "").strip()
    element.set("transform", f"translate({_format(dx)},{_format(dy)}) {rest}".strip())


def _moved(element: ElementTree.Element, dx: float, dy: float) -> bool:
    """Move an element by (dx, dy) through its coordinates; False if only a transform can do it."""
    if "transform" in element.attrib or _refers_in_user_space(element):
        return False
    tag = element.tag
    if tag == "g":
        for child in element:
            if not _moved(child, dx, dy):
                _add_translation(child, dx, dy)
        return True
    if tag == "path":
        commands = _path_commands(element.get("d", ""))
        if commands is None:
            return False
        element.set("d", _path_data(_shifted(commands, dx, dy)))
        return True
    if tag in ("text", "rect"):
        # A text with one x and one y of its own and no children: WeasyPrint starts a text without x or y
        # where the previous one ended, and a child's positions are not moved with its parent's.
        if len(element) or "x" not in element.attrib or "y" not in element.attrib:
            return False
        x, y = element.get("x").strip(), element.get("y").strip()
        if not (re.fullmatch(_NUMBER, x) and re.fullmatch(_NUMBER, y)):
            return False
        element.set("x", _format(float(x) + dx))
        element.set("y", _format(float(y) + dy))
        return True
    return False


# ---------------------------------------------------------------------------------------------------------
# Path data

_PATH_TOKENS = re.compile(rf"([MmLlHhVvCcSsQqTtAaZz])|({_NUMBER})|([\s,]+)|(.)")
# What each argument of a command is: an x or y coordinate, or something else (radius, angle, flag).
_ARGUMENT_ROLES = {
    "M": "xy",
    "L": "xy",
    "T": "xy",
    "H": "x",
    "V": "y",
    "C": "xyxyxy",
    "S": "xyxy",
    "Q": "xyxy",
}
_ARGUMENT_ROLES |= {"A": "-----xy", "Z": ""}
Commands = list[tuple[str, list[str]]]


def _path_commands(d: str) -> Commands | None:
    """The commands of path data with their arguments (as written), or None if it is not plain path data."""
    commands: Commands = []
    for letter, number, _separator, other in _PATH_TOKENS.findall(d):
        if other:
            return None
        if letter:
            commands.append((letter, []))
        elif number:
            if not commands:
                return None
            commands[-1][1].append(number)
    if not commands or commands[0][0] not in "Mm":
        return None
    for letter, arguments in commands:
        arity = len(_ARGUMENT_ROLES[letter.upper()])
        if (arity == 0 and arguments) or (arity and (not arguments or len(arguments) % arity)):
            return None
        if letter in "Aa" and any(
            arguments[i] not in ("0", "1") for i in range(len(arguments)) if i % 7 in (3, 4)
        ):
            return None
    return commands


def _path_data(commands: Commands) -> str:
    return "".join(letter + " ".join(arguments) for letter, arguments in commands)


def _shifted(commands: Commands, dx: float, dy: float) -> Commands:
    """The same path moved by (dx, dy): absolute coordinates shifted, relative ones as they are."""
    shifted = []
    for index, (letter, arguments) in enumerate(commands):
        roles = _ARGUMENT_ROLES[letter.upper()]
        moved = []
        for position, argument in enumerate(arguments):
            role = roles[position % len(roles)]
            # A path's first moveto starts at an absolute point even when written relative ("m").
            absolute = letter.isupper() or (index == 0 and position < 2)
            if absolute and role == "x":
                argument = _format(float(argument) + dx)
            elif absolute and role == "y":
                argument = _format(float(argument) + dy)
            moved.append(argument)
        shifted.append((letter, moved))
    return shifted


def _extent(commands: Commands) -> tuple[float, float, float, float] | None:
    """A box that holds everything the path covers (before stroking), or None if one is not worked out."""
    xs: list[float] = []
    ys: list[float] = []
    x = y = start_x = start_y = 0.0
    for letter, arguments in commands:
        command, relative = letter.upper(), letter.islower()
        if command in "ST":  # a control point reflected from the previous command's
            return None
        if command == "Z":
            x, y = start_x, start_y
            continue
        arity = len(_ARGUMENT_ROLES[command])
        for group_start in range(0, len(arguments), arity):
            values = [float(value) for value in arguments[group_start : group_start + arity]]
            base_x, base_y = (x, y) if relative else (0.0, 0.0)
            if command == "H":
                x = values[0] + base_x
            elif command == "V":
                y = values[0] + base_y
            elif command == "A":
                end_x, end_y = values[5] + base_x, values[6] + base_y
                # The arc stays within its ellipse's diameter of both ends (radii too small are scaled up
                # to the distance between them).
                reach = 2 * max(abs(values[0]), abs(values[1]), math.hypot(end_x - x, end_y - y))
                xs += [x - reach, x + reach]
                ys += [y - reach, y + reach]
                x, y = end_x, end_y
            else:  # M, L, C, Q: the end and control points (a Bezier curve stays within them)
                for pair in range(0, arity, 2):
                    xs.append(values[pair] + base_x)
                    ys.append(values[pair + 1] + base_y)
                x, y = xs[-1], ys[-1]
            xs.append(x)
            ys.append(y)
            if command == "M" and group_start == 0:
                start_x, start_y = x, y
    return min(xs), min(ys), max(xs), max(ys)


# ---------------------------------------------------------------------------------------------------------
# Runs of shapes


def _merge_paths(parent: ElementTree.Element, inherited: dict[str, str]) -> None:
    """Draw each run of sibling paths with the same attributes and apart from each other as one path.

    One path of several subpaths is filled, stroked (each subpath restarting its dash pattern) and made
    transparent exactly as the separate paths are, as long as they never overlap: the markers of a line,
    parallel grid lines. Paths that might touch (within their stroke's reach; even crossing lines of one
    opaque colour antialias differently) are left alone, and so are paths painted with a pattern
    (WeasyPrint starts its tiles at each shape's corner).
    """
    if parent.tag in _DEFINITIONS:
        return
    inherited = inherited | {key: parent.attrib[key] for key in _STROKE_GEOMETRY if key in parent.attrib}
    merged: list[ElementTree.Element] = []
    run: list[tuple[ElementTree.Element, Commands, tuple]] = []

    def close_run():
        if len(run) > 1:
            run[0][0].set("d", " ".join(_path_data(commands) for _, commands, _ in run))
        if run:
            merged.append(run[0][0])
        run.clear()

    for child in parent:
        _merge_paths(child, inherited)
        candidate = _mergeable(child, inherited)
        if candidate is None:
            close_run()
            merged.append(child)
            continue
        commands, box = candidate
        if run and not (_same_but_d(run[0][0], child) and all(_apart(box, other) for *_, other in run)):
            close_run()
        run.append((child, commands, box))
    close_run()
    parent[:] = merged


# The inherited attributes that decide whether paths may be merged.
_STROKE_GEOMETRY = ("fill", "stroke", "stroke-width", "stroke-miterlimit")


def _same_but_d(element: ElementTree.Element, other: ElementTree.Element) -> bool:
    return {k: v for k, v in element.attrib.items() if k != "d"} == {
        k: v for k, v in other.attrib.items() if k != "d"
    }


def _mergeable(element: ElementTree.Element, inherited: dict[str, str]):
    """The path's commands and the box its drawing stays in, or None if it is not to be merged."""
    if element.tag != "path" or any(
        key in element.attrib for key in ("id", "transform", "filter", "mask", "clip-path")
    ):
        return None
    if any(key.startswith("marker") for key in element.attrib):
        return None
    paint = {key: element.get(key, inherited.get(key)) for key in _STROKE_GEOMETRY}
    if "url(" in (paint["fill"] or "") + (paint["stroke"] or ""):
        return None
    commands = _path_commands(element.get("d", ""))
    if commands is None or commands[0][0] != "M":
        return None
    extent = _extent(commands)
    if extent is None:
        return None
    stroked = paint["stroke"] not in (None, "none")
    reach = 1.0  # antialiasing
    if stroked:
        try:
            half_width = float(paint["stroke-width"] or 1) / 2
            miter = float(paint["stroke-miterlimit"] or 4)
        except ValueError:
            return None
        reach += half_width * max(miter, math.sqrt(2))  # a mitred corner reaches furthest
    x0, y0, x1, y1 = extent
    return commands, (x0 - reach, y0 - reach, x1 + reach, y1 + reach)


def _apart(box: tuple, other: tuple) -> bool:
    return box[2] < other[0] or other[2] < box[0] or box[3] < other[1] or other[3] < box[1]
