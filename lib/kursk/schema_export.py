"""JSON Schemas for editors, generated from the pydantic models in schema.py."""

from __future__ import annotations

import json
from pathlib import Path

from .paths import DATA_DIR
from .schema import SCHEMAS

SCHEMA_DIR = DATA_DIR / "schema"


def schema_texts() -> dict[str, str]:
    """File name -> JSON Schema text for each kind of data file."""
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[f"{name}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def write_schemas(folder: Path | None = None) -> list[Path]:
    folder = folder or SCHEMA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
