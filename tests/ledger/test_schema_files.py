"""The committed JSON Schemas (for editors) are what the pydantic models generate."""

from kursk.ledger.models import schema_texts
from kursk.paths import DATA_DIR

SCHEMA_DIR = DATA_DIR / "schema"


def test_committed_json_schemas_are_current():
    for name, text in schema_texts().items():
        path = SCHEMA_DIR / name
        assert path.exists(), f"missing {path}: run `kursk schema`"
        assert path.read_text() == text, f"{path} is stale: run `kursk schema`"


def test_figures_schema_describes_every_figure_key():
    import json

    figure = json.loads(schema_texts()["figures.json"])["$defs"]["Figure"]
    assert {"id", "metric", "value", "claimant", "quote", "as_of", "part_of"} <= set(
        figure["properties"]
    )
    assert figure["additionalProperties"] is False
