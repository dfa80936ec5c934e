"""wasm_rpath.Error: what every failure of the library becomes."""

from __future__ import annotations


class Error(Exception):
    """A wasm-rpath error: bad input, a bad argument, a system error.

    ``message`` is what the command-line tools print after "error: " (it
    names the file concerned); ``code`` says what kind of error it is,
    without matching the text: one of ``"malformed"``,
    ``"not_shared_library"``, ``"invalid_argument"``, ``"unsupported"``,
    ``"input_changed"``, ``"not_found"``, ``"limit_exceeded"``,
    ``"unsupported_file_kind"``, ``"cannot_replace"``, ``"os_error"`` (then ``errno``
    holds the system's error number) or ``"error"``.
    """

    def __init__(self, message: str, code: str = "error", errno: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.errno = errno

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"wasm_rpath.Error({self.message!r}, code={self.code!r})"
