"""Checks of the packaging itself: the protocol package is the folder Home Assistant ships."""

from __future__ import annotations

import tomllib
from pathlib import Path

import e2ee_nvr_protocol

REPO_ROOT = Path(__file__).resolve().parent.parent
PROTOCOL_DIR = REPO_ROOT / "custom_components" / "e2ee_nvr" / "protocol"


def test_protocol_package_is_the_integration_folder() -> None:
    # Not a copy in site-packages: the agent and the tests run the very code that HACS installs.
    module_file = Path(e2ee_nvr_protocol.__file__ or "").resolve()
    assert module_file.as_posix().endswith("custom_components/e2ee_nvr/protocol/__init__.py")
    assert module_file == PROTOCOL_DIR / "__init__.py"


def _listed_packages() -> set[str]:
    with (REPO_ROOT / "pyproject.toml").open("rb") as pyproject_file:
        pyproject = tomllib.load(pyproject_file)
    packages: list[str] = pyproject["tool"]["setuptools"]["packages"]
    return set(packages)


def _packages_on_disk(root: Path, import_name: str) -> set[str]:
    return {
        ".".join([import_name, *init.parent.relative_to(root).parts])
        for init in root.rglob("__init__.py")
    }


def test_every_subpackage_is_listed_in_pyproject() -> None:
    # setuptools installs only the packages it is told about; a subpackage missing from the list
    # works in the editable install and vanishes from the wheel.
    on_disk = _packages_on_disk(PROTOCOL_DIR, "e2ee_nvr_protocol") | _packages_on_disk(
        REPO_ROOT / "camera_agent", "camera_agent"
    )
    assert on_disk - _listed_packages() == set()
