"""Every integration module has a test module of its own (as every reward has a tiny stand-in)."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import rewardbench.integrations


def test_every_integration_module_has_its_test_module():
    names = [m.name for m in pkgutil.iter_modules(rewardbench.integrations.__path__)]
    assert names, "no integration modules found"
    here = Path(__file__).parent
    untested = [n for n in names if not (here / f"test_{n}.py").is_file()]
    assert not untested, f"integration modules without tests/integrations/test_NAME.py: {untested}"
