"""Packaging: a plain (non-editable) install — the Docker image's — carries every package of the tree."""
from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_directory_is_included_in_the_distribution():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("core", "plugins", "projections", "api")
        for init in (ROOT / top).rglob("__init__.py")
    ]
    assert "plugins.builtin" in packages
    missing = [p for p in packages if not any(fnmatch(p, pattern) for pattern in include)]
    assert missing == [], f"packages a plain `pip install .` would leave out: {missing}"


def test_the_message_catalogue_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data = config["tool"]["setuptools"]["package-data"]["core"]
    assert any(fnmatch("locale/id/LC_MESSAGES/pengkom.mo", pattern) for pattern in data)
    assert (ROOT / "core" / "locale" / "id" / "LC_MESSAGES" / "pengkom.mo").is_file()
