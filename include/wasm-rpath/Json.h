//===- wasm-rpath/Json.h - Strings of any bytes as JSON ---------*- C++ -*-===//
//
// The one JSON writer of the project's strings: every tool's --json, and the
// library's JSON documents, put file names, paths and names read from modules
// through these functions, so that the three tools print the same bytes the
// same way. Strings read from a module are UTF-8 already (the reader
// checks); file names come from the command line or a directory listing and
// may be any bytes, which llvm::json would replace by U+FFFD, making two
// different names equal. They are escaped as Display.h escapes them instead.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_JSON_H
#define WASM_RPATH_JSON_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"
#include <optional>
#include <string>
#include <vector>

namespace wasmrpath {

/// \p S as a JSON string value: unchanged when it is valid UTF-8 (JSON
/// escapes controls itself), else with each byte that is not part of
/// well-formed UTF-8 written "\xHH" (escapeInvalidUTF8()).
llvm::json::Value jsonString(llvm::StringRef S);

/// A JSON array of \p Strings (each through jsonString()).
llvm::json::Value jsonStringArray(llvm::ArrayRef<std::string> Strings);

/// The same, or null when \p Strings is absent (a subsection or section that
/// the module does not have, as opposed to an empty one).
llvm::json::Value
jsonOptionalStringArray(const std::optional<std::vector<std::string>> &Strings);

} // namespace wasmrpath

#endif // WASM_RPATH_JSON_H
