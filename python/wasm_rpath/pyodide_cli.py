"""The ``pyodide wasm-auditwheel`` command: a plugin of the ``pyodide.cli``
entry-point group (pyodide-cli), named so as not to clash with the
``auditwheel`` command that pyodide-build installs.

``main`` is a click group; click is the only thing it needs, so it loads
(and runs: ``python -m wasm_rpath.pyodide_cli``) without pyodide-cli.
``show`` and ``repair`` take exactly wasm-auditwheel's options, because they
hand their arguments to the wasm-auditwheel shipped with the package.
"""

from __future__ import annotations

import subprocess
import sys

import click

from ._tools import tool_path

_PASS_THROUGH = dict(ignore_unknown_options=True, allow_extra_args=True,
                     help_option_names=[])


def _run(subcommand: str, args: list[str]) -> None:
    status = subprocess.call([tool_path("wasm-auditwheel"), subcommand, *args])
    sys.exit(status)


@click.group(name="wasm-auditwheel")
def main() -> None:
    """Vendor the libraries a Pyodide wheel's side modules need, renamed,
    with run-time paths and RECORD updated (wasm-rpath)."""


@main.command(context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def show(args: tuple[str, ...]) -> None:
    """How each NEEDED library of a wheel resolves once installed in
    Pyodide, and what repair would do (wasm-auditwheel show; --help for its
    options)."""
    _run("show", list(args))


@main.command(context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def repair(args: tuple[str, ...]) -> None:
    """Write the repaired wheel to --wheel-dir (wasm-auditwheel repair;
    --help for its options)."""
    _run("repair", list(args))


if __name__ == "__main__":
    main()
