//===- wasm-rpath/ModuleJson.h - A module described as JSON -----*- C++ -*-===//
//
// What --json prints about one side module, built in one place so that every
// tool describes a module alike: the same keys, null for an absent list, and
// strings through Json.h. It sits in the object layer (it reads an Object);
// Json.h below it knows nothing of modules.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_MODULEJSON_H
#define WASM_RPATH_MODULEJSON_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

namespace wasmrpath {

struct Object;

/// A side module's dynamic-linking data, as --json prints it:
///   {"file", "dylink_section" ("dylink.0" or the legacy "dylink"),
///    "needed", "runtime_path" (RUNTIME_PATH), "rpath.0"}
/// \p Obj must have a dylink section (Object::isSharedLibrary()).
llvm::json::Object describeModule(llvm::StringRef File, const Object &Obj);

} // namespace wasmrpath

#endif // WASM_RPATH_MODULEJSON_H
