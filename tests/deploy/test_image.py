"""The pengkom image (docker/Dockerfile) holds every package the project installs: a package added
to pyproject.toml but not copied into the image builds a wheel without it, and every `pengkom`
command in the container then fails at import (found by `make deploy-test`: `reports` was missing)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_image_copies_every_installed_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {p for p in project["tool"]["setuptools"]["packages"]["find"]["include"] if "." not in p}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "docker" / "Dockerfile").read_text(), flags=re.M))
    assert packages and packages <= copied, f"docker/Dockerfile does not COPY {sorted(packages - copied)}"
    assert all((ROOT / p / "__init__.py").exists() for p in packages)
