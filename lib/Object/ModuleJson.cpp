//===- ModuleJson.cpp - A module described as JSON ------------------------===//
//
// See ModuleJson.h.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/ModuleJson.h"
#include "wasm-rpath/Json.h"
#include "wasm-rpath/Object.h"
#include <cassert>

using namespace llvm;

namespace wasmrpath {

json::Object describeModule(StringRef File, const Object &Obj) {
  assert(Obj.isSharedLibrary() && "describing a module without dylink");
  const DylinkInfo &Info = *Obj.Dylink;
  return json::Object{
      {"file", jsonString(File)},
      {"dylink_section", Info.IsLegacy ? "dylink" : "dylink.0"},
      {"needed", jsonStringArray(Info.Needed)},
      {"runtime_path", jsonOptionalStringArray(Info.RuntimePath)},
      {"rpath.0", jsonOptionalStringArray(Obj.RPathSection)},
  };
}

} // namespace wasmrpath
