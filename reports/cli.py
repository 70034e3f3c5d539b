"""The command-line side of reporting: ``pengkom verify --export FILE`` and ``pengkom import``."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def verify_export_command(path: str, app: Any, views: Any) -> int:
    """Exit 0: the file is exactly what pengkom produced at its position; 1: it is not (the first differing cell is
    named); 2: the file cannot be read."""
    from reports.verify import verify_export

    try:
        data = Path(path).read_bytes()
    except OSError as e:
        print(f"pengkom verify: cannot read {path}: {e.strerror}.", file=sys.stderr)
        return 2
    verdict = verify_export(app, views, data)
    if verdict.ok:
        print(f"{path}: VERIFIED — {verdict.message}")
        return 0
    print(f"{path}: NOT VERIFIED — {verdict.message}", file=sys.stderr)
    for line in verdict.details:
        if line != verdict.message:
            print(f"  {line}", file=sys.stderr)
    return 1 if verdict.stamp is not None else 2
