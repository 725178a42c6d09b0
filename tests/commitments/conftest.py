import copy
from pathlib import Path

import pytest
import yaml
from django.conf import settings

SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "rubric" / "2026.1.yaml"


def small_rubric(version="9.1", commitments=2, indicators=2, prefixes=("ENG", "SAF", "EFT")) -> dict:
    """A valid rubric file's content, small enough to read in a failing test."""
    return {
        "version": version,
        "title": "Test rubric",
        "commitments": [
            {
                "slug": f"commitment-{c}",
                "name": f"Commitment {c}",
                "definition": f"Definition {c}",
                "indicators": [
                    {
                        "code": f"{prefixes[c - 1]}-{i}",
                        "title": f"Indicator {prefixes[c - 1]}-{i}",
                        "guidance": f"Guidance for {prefixes[c - 1]}-{i}.",
                        "levels": {level: f"{prefixes[c - 1]}-{i} level {level}" for level in range(1, 6)},
                    }
                    for i in range(1, indicators + 1)
                ],
            }
            for c in range(1, commitments + 1)
        ],
    }


@pytest.fixture
def write_rubric(tmp_path):
    """write_rubric(dict or text, name) -> path of a YAML file in tmp_path."""

    def write(content, name="rubric.yaml"):
        path = tmp_path / name
        text = (
            content
            if isinstance(content, str)
            else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def shipped_data() -> dict:
    return copy.deepcopy(yaml.safe_load(SHIPPED.read_text(encoding="utf-8")))
