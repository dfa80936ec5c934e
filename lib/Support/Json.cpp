//===- Json.cpp - Strings of any bytes as JSON ----------------------------===//
//
// See Json.h: the one way strings from files and modules become JSON.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Json.h"
#include "wasm-rpath/Display.h"

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

} // namespace wasmrpath
