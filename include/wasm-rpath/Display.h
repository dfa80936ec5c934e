//===- wasm-rpath/Display.h - Showing strings from modules safely -*- C++ -*-===//
//
// NEEDED names and run-time path entries come from the module, which may be
// hostile: a name holding "\x1b]0;..." or "\x1b[2J" would drive the terminal
// of whoever lists it, a newline would forge extra output lines, and a
// bidirectional override would make one name look like another. Every tool
// shows such strings (and file names, which come from a directory listing)
// through the one function below, so that they all escape the same way.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_DISPLAY_H
#define WASM_RPATH_DISPLAY_H

#include "llvm/ADT/StringRef.h"
#include <string>

namespace wasmrpath {

/// Returns \p S as it may be shown on a terminal or in a line-oriented log.
/// Each byte of the following becomes "\xHH" (two upper-case hex digits,
/// as printf and $'...' read them):
///  * C0 controls (U+0000-U+001F: NUL, newline, ESC...) and DEL (U+007F);
///  * C1 controls (U+0080-U+009F, among them CSI, which some terminals
///    honour on its own);
///  * the bidirectional formatting characters (U+061C, U+200E, U+200F,
///    U+202A-U+202E, U+2066-U+2069);
///  * any byte that is not part of well-formed UTF-8.
/// Everything else, printable non-ASCII UTF-8 and the backslash included,
/// is kept, so that a string with none of these prints exactly as before
/// (patchelf's output for it, Windows-style entries unchanged). The price
/// is that a literal "\x1B" in a name looks like an escaped ESC: the
/// escaping is for people, and --json gives the exact strings.
std::string escapeForDisplay(llvm::StringRef S);

/// Returns \p S with only the bytes that are not part of well-formed UTF-8
/// escaped, as escapeForDisplay() escapes them ("\xHH"); controls and the
/// rest are kept. For output formats that escape controls themselves (JSON,
/// Json.h) but can only hold UTF-8: a file name from a directory listing
/// may be any bytes.
std::string escapeInvalidUTF8(llvm::StringRef S);

} // namespace wasmrpath

#endif // WASM_RPATH_DISPLAY_H
