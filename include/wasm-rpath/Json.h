//===- wasm-rpath/Json.h - Modules described as JSON ------------*- C++ -*-===//
//
// What --json of the tools prints about a module, built in one place so that
// wasm-set-rpath, wasm-ldd and wasm-auditwheel describe a module alike: the
// same keys, null for an absent list, and the same treatment of strings that
// JSON cannot hold. Strings read from a module are UTF-8 already (the reader
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

struct Object;

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

/// A side module's dynamic-linking data, as --json prints it:
///   {"file", "dylink_section" ("dylink.0" or the legacy "dylink"),
///    "needed", "runtime_path" (RUNTIME_PATH), "rpath.0"}
/// \p Obj must have a dylink section (Object::isSharedLibrary()).
llvm::json::Object describeModule(llvm::StringRef File, const Object &Obj);

} // namespace wasmrpath

#endif // WASM_RPATH_JSON_H
