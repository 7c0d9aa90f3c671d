"""The `vpsa` command line. Each module in this package adds its commands to `main`."""

from __future__ import annotations

import importlib
import pkgutil

from .base import main

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "base":
        importlib.import_module(f"{__name__}.{_module}")

__all__ = ["main"]
