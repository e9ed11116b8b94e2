"""The judge's page texts in Simplified Chinese and English, one module per feature (each
with a ``TEXTS`` dict like ``roboarena.messages.CATALOG``), merged into that one catalog
on import so the CLI, the API and the pages share it and its completeness test."""

from __future__ import annotations

import importlib
import pkgutil

from roboarena.messages import CATALOG


def _merge():
    for module in pkgutil.iter_modules(__path__):
        texts = importlib.import_module(f"{__name__}.{module.name}").TEXTS
        clash = set(texts) & set(CATALOG)
        if clash:
            raise RuntimeError(f"message ids defined twice: {sorted(clash)}")
        CATALOG.update(texts)


_merge()
