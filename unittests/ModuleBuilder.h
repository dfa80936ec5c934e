//===- ModuleBuilder.h - Build small wasm modules byte by byte for tests --===//
//
// Unit tests need modules with exact, unusual encodings (padded LEBs,
// unknown subsections, hostile counts) that no linker writes, so they are
// assembled here. The lit suite covers real linker output.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_UNITTESTS_MODULEBUILDER_H
#define WASM_RPATH_UNITTESTS_MODULEBUILDER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "gtest/gtest.h"
#include <cstdint>
#include <string>
#include <vector>

namespace wasmrpath {
namespace testing {

/// Unsigned LEB128, optionally padded to \p PadTo bytes.
inline std::string uleb(uint64_t V, unsigned PadTo = 0) {
  std::string Out;
  unsigned N = 0;
  do {
    uint8_t Byte = V & 0x7f;
    V >>= 7;
    ++N;
    if (V != 0 || N < PadTo)
      Byte |= 0x80;
    Out += static_cast<char>(Byte);
  } while (V != 0 || N < PadTo);
  return Out;
}

inline std::string str(llvm::StringRef S) { return uleb(S.size()) + S.str(); }

inline std::string strVec(llvm::ArrayRef<std::string> V) {
  std::string Out = uleb(V.size());
  for (const std::string &S : V)
    Out += str(S);
  return Out;
}

inline std::string subsection(uint8_t Type, llvm::StringRef Body,
                              unsigned PadTo = 0) {
  return std::string(1, static_cast<char>(Type)) + uleb(Body.size(), PadTo) +
         Body.str();
}

inline std::string section(uint8_t Id, llvm::StringRef Payload,
                           unsigned PadTo = 0) {
  return std::string(1, static_cast<char>(Id)) + uleb(Payload.size(), PadTo) +
         Payload.str();
}

inline std::string custom(llvm::StringRef Name, llvm::StringRef Payload,
                          unsigned PadTo = 0) {
  return section(0, str(Name) + Payload.str(), PadTo);
}

inline std::string preamble() { return std::string("\0asm\1\0\0\0", 8); }

inline std::string memInfo() { return subsection(1, uleb(16) + uleb(2) + uleb(0) + uleb(0)); }

/// A type section and a code-less function section, standing for "the rest".
inline std::string body() {
  return section(1, std::string("\x01\x60\x00\x00", 4)) +
         custom("name", std::string("\x00\x03\x02hi", 5));
}

inline llvm::ArrayRef<uint8_t> bytes(const std::string &S) {
  return llvm::ArrayRef(reinterpret_cast<const uint8_t *>(S.data()), S.size());
}

/// True if \p E holds a value; otherwise reports (and consumes) the error.
template <typename T> bool succeeded(llvm::Expected<T> &E) {
  if (E)
    return true;
  ADD_FAILURE() << llvm::toString(E.takeError());
  return false;
}

inline bool succeeded(llvm::Error E) {
  if (!E)
    return true;
  ADD_FAILURE() << llvm::toString(std::move(E));
  return false;
}

} // namespace testing
} // namespace wasmrpath

#endif
