//===- Json.cpp - Modules described as JSON -------------------------------===//
//
// See Json.h: one description of a module for every tool's --json.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Json.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/Object.h"
#include <cassert>

using namespace llvm;

namespace wasmrpath {

json::Value jsonString(StringRef S) {
  // json::Value would also accept invalid UTF-8, after an assertion, by
  // replacing it; escaping keeps the bytes recoverable and names distinct.
  if (json::isUTF8(S))
    return S.str();
  return escapeInvalidUTF8(S);
}

json::Value jsonStringArray(ArrayRef<std::string> Strings) {
  json::Array A;
  for (const std::string &S : Strings)
    A.push_back(jsonString(S));
  return A;
}

json::Value
jsonOptionalStringArray(const std::optional<std::vector<std::string>> &Strings) {
  return Strings ? jsonStringArray(*Strings) : json::Value(nullptr);
}

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
