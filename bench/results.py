"""bench/results.json: ``{"<bench>": {"<figure>": number, ...}}``, merged run after run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def record(name: str, figures: dict[str, Any]) -> None:
    """Print the figures and merge them into the results file under ``name``."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[name] = figures
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    width = max(len(key) for key in figures)
    print(f"\n{name}")
    for key, value in figures.items():
        shown = (
            f"{value:,.2f}"
            if isinstance(value, float)
            else f"{value:,}"
            if isinstance(value, int)
            else value
        )
        print(f"  {key:<{width}}  {shown}")
