"""What both protocol-identity checks do (the agent's and Home Assistant's process): import every
module of a package, then list the loaded module names whose file lies in the protocol folder."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from types import ModuleType


def names_loaded_from(folder: Path, after_importing: ModuleType) -> set[str]:
    """Every module of `after_importing` imported; the names of the modules loaded from `folder`."""
    for module in pkgutil.walk_packages(after_importing.__path__, f"{after_importing.__name__}."):
        importlib.import_module(module.name)
    return {
        name
        for name, module in list(sys.modules.items())
        if getattr(module, "__file__", None)
        and Path(module.__file__ or "").resolve().is_relative_to(folder)
    }
