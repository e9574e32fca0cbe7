"""The sandbox stands apart from the product: it is reached only over HTTP, as 360Dialog is, so
importing every module of it loads nothing else of ``core``. When both were written against each
other, both could be wrong together."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.process_helpers import PROJECT_DIR

EVERY_MODULE = """
import importlib, json, pkgutil, sys
import core.sandbox
for module in pkgutil.iter_modules(core.sandbox.__path__):
    importlib.import_module(f"core.sandbox.{module.name}")
print(json.dumps(sorted(name for name in sys.modules if name.startswith("core."))))
"""


def test_the_sandbox_imports_nothing_from_the_product() -> None:
    run = subprocess.run(
        [sys.executable, "-c", EVERY_MODULE],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded = json.loads(run.stdout)
    assert "core.sandbox.webhooks" in loaded  # every module was imported
    assert [name for name in loaded if not name.startswith("core.sandbox")] == []
