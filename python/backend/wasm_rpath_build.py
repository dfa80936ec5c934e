"""The PEP 517 build backend of the wasm_rpath Python package (in-tree:
pyproject.toml names it with backend-path, so that pip needs nothing from
PyPI: ``pip install --no-build-isolation --no-deps .`` and ``pip wheel``
work offline with Debian's python3-dev, pybind11-dev, CMake and LLVM 19).

It drives the project's own CMake build (there is no second one): it
configures a build tree with WASM_RPATH_BUILD_PYTHON=ON for the interpreter
running it, builds the ``wasm-rpath-python`` target (the extension module
and the three tools, staged in <build>/python/ as the wheel holds them), and
zips the staging directory with the metadata of pyproject.toml.

Config settings (``pip ... --config-settings KEY=VALUE``, or the
environment variable in brackets):
  build-dir  [WASM_RPATH_BUILD_DIR]  the CMake build tree to use; an
             existing one is built again, not reconfigured (default:
             build-python/ in the source tree)
  jobs       [WASM_RPATH_BUILD_JOBS] parallel build jobs (default: all CPUs)
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]


def _setting(config_settings, key, env):
    if config_settings and config_settings.get(key):
        return config_settings[key]
    return os.environ.get(env) or None


def _pyproject() -> dict:
    with open(SOURCE / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _version() -> str:
    # The one version of the project: CMake's project().
    text = (SOURCE / "CMakeLists.txt").read_text(encoding="utf-8")
    m = re.search(r"project\(\s*wasm-rpath\s+VERSION\s+([0-9.]+)", text)
    if not m:
        raise RuntimeError("no project(wasm-rpath VERSION ...) in CMakeLists.txt")
    return m.group(1)


def _dist_name() -> str:
    return re.sub(r"[-_.]+", "_", _pyproject()["project"]["name"]).lower()


def _tag() -> str:
    impl = f"cp{sys.version_info.major}{sys.version_info.minor}"
    plat = re.sub(r"[-.]", "_", sysconfig.get_platform())
    return f"{impl}-{impl}-{plat}"


def _metadata() -> str:
    p = _pyproject()["project"]
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {p['name']}",
        f"Version: {_version()}",
        f"Summary: {p.get('description', '')}",
    ]
    if "requires-python" in p:
        lines.append(f"Requires-Python: {p['requires-python']}")
    if "license" in p and "text" in p["license"]:
        lines.append(f"License: {p['license']['text']}")
    for extra, reqs in p.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        for r in reqs:
            lines.append(f'Requires-Dist: {r}; extra == "{extra}"')
    readme = SOURCE / "docs" / "python.md"
    body = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + body


def _entry_points() -> str:
    p = _pyproject()["project"]
    groups = {}
    if "scripts" in p:
        groups["console_scripts"] = p["scripts"]
    groups.update(p.get("entry-points", {}))
    out = []
    for group, eps in groups.items():
        out.append(f"[{group}]")
        out += [f"{name} = {value}" for name, value in eps.items()]
        out.append("")
    return "\n".join(out)


def _write_dist_info(directory: Path) -> str:
    name = f"{_dist_name()}-{_version()}.dist-info"
    d = directory / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "METADATA").write_text(_metadata(), encoding="utf-8")
    (d / "WHEEL").write_text(
        "Wheel-Version: 1.0\nGenerator: wasm_rpath_build\n"
        f"Root-Is-Purelib: false\nTag: {_tag()}\n", encoding="utf-8")
    (d / "entry_points.txt").write_text(_entry_points(), encoding="utf-8")
    shutil.copy(SOURCE / "LICENSE", d / "LICENSE")
    return name


def _cmake_build(config_settings) -> Path:
    build = Path(_setting(config_settings, "build-dir", "WASM_RPATH_BUILD_DIR")
                 or SOURCE / "build-python").resolve()
    jobs = _setting(config_settings, "jobs", "WASM_RPATH_BUILD_JOBS") or str(os.cpu_count() or 1)
    cmake = shutil.which("cmake")
    if not cmake:
        raise RuntimeError("cmake not found (apt-get install cmake)")
    out = sys.stderr  # pip shows the build's output with -v
    if not (build / "CMakeCache.txt").exists():
        cmd = [cmake, "-S", str(SOURCE), "-B", str(build),
               "-DCMAKE_BUILD_TYPE=Release", "-DWASM_RPATH_BUILD_PYTHON=ON",
               "-DWASM_RPATH_BUILD_TESTS=OFF",
               f"-DWASM_RPATH_PYTHON_EXECUTABLE={sys.executable}"]
        if shutil.which("ninja"):
            cmd += ["-G", "Ninja"]
        subprocess.run(cmd, check=True, stdout=out)
    subprocess.run([cmake, "--build", str(build), "--target", "wasm-rpath-python",
                    "-j", jobs], check=True, stdout=out)
    stage = build / "python"
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not (stage / "wasm_rpath" / f"_native{suffix}").is_file():
        raise RuntimeError(
            f"{build} holds no extension module for this Python ({suffix}): "
            "use another build-dir")
    return stage


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{arcname},sha256={digest.decode()},{len(data)}"


def _add(z: zipfile.ZipFile, record: list, arcname: str, data: bytes, mode: int):
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (mode & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)
    record.append(_record_line(arcname, data))


# PEP 517 hooks.

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_dist_info(Path(metadata_directory))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    stage = _cmake_build(config_settings)
    wheel_name = f"{_dist_name()}-{_version()}-{_tag()}.whl"
    out = Path(wheel_directory) / wheel_name
    tmp_meta = Path(wheel_directory) / ".wasm_rpath_dist_info"
    shutil.rmtree(tmp_meta, ignore_errors=True)
    dist_info = _write_dist_info(tmp_meta)
    record: list[str] = []
    with zipfile.ZipFile(out, "w") as z:
        for path in sorted((stage / "wasm_rpath").rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts:
                continue
            arc = path.relative_to(stage).as_posix()
            _add(z, record, arc, path.read_bytes(), path.stat().st_mode)
        for path in sorted((tmp_meta / dist_info).iterdir()):
            _add(z, record, f"{dist_info}/{path.name}", path.read_bytes(), 0o644)
        record.append(f"{dist_info}/RECORD,,")
        info = zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        z.writestr(info, "\n".join(record) + "\n")
    shutil.rmtree(tmp_meta, ignore_errors=True)
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    """The source tree as git tracks it (or, without git, without build
    trees and node_modules)."""
    base = f"{_dist_name()}-{_version()}"
    try:
        files = subprocess.run(["git", "-C", str(SOURCE), "ls-files", "-z"],
                               check=True, capture_output=True).stdout.split(b"\0")
        files = [f.decode() for f in files if f]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", "node_modules", "__pycache__"}
        files = [p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*")
                 if p.is_file() and not skip & set(p.relative_to(SOURCE).parts)
                 and not p.relative_to(SOURCE).parts[0].startswith("build")]
    name = f"{base}.tar.gz"
    with tarfile.open(Path(sdist_directory) / name, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for f in sorted(files):
            if (SOURCE / f).is_file():
                t.add(SOURCE / f, f"{base}/{f}", recursive=False)
        pkg_info = _metadata().encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(pkg_info)
        t.addfile(info, io.BytesIO(pkg_info))
    return name
