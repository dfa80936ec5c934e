"""Wheel file names, as auditwheel-emscripten's wheel_utils exposes them."""

from __future__ import annotations

import re

# A wheel (or .dist-info) file name, split into the groups that
# auditwheel-emscripten's (and auditwheel's) WHEEL_INFO_RE names: namever,
# name, ver, build, pyver, abi, plat (PEP 427: name-ver[-build]-py-abi-plat).
WHEEL_INFO_RE = re.compile(
    r"^(?P<namever>(?P<name>[^-]+?)-(?P<ver>\d[^-]*?))"
    r"(?:-(?P<build>\d[^-]*?))?"
    r"-(?P<pyver>[a-z][^-]*?)-(?P<abi>[^-]+?)-(?P<plat>[^-]+?)"
    r"(?:\.whl|\.dist-info)$"
)

__all__ = ["WHEEL_INFO_RE"]
