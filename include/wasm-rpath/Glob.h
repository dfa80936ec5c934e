//===- wasm-rpath/Glob.h - Lists of shell patterns for names ----*- C++ -*-===//
//
// Several options take shell patterns matched against library or symbol
// names: wasm-auditwheel's --exclude and --no-mangle, wasm-ldd's
// --allow-duplicate, and their Python equivalents. They all compile and
// match through this one class, so that a pattern means the same thing
// and a bad one fails with the same message everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_GLOB_H
#define WASM_RPATH_GLOB_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/GlobPattern.h"
#include <memory>
#include <string>
#include <vector>

namespace wasmrpath {

/// A list of llvm::GlobPattern patterns; a name matches the list if it
/// matches any of them. Cheap to copy: the compiled patterns are shared,
/// and they keep their text alive (a GlobPattern refers to the string it
/// was made from).
class GlobList {
public:
  GlobList() = default;

  /// Compiles \p Patterns. A bad pattern is an errc::invalid_argument
  /// error "invalid pattern 'P': <reason>", with no option name in it.
  static llvm::Expected<GlobList> create(llvm::ArrayRef<std::string> Patterns);

  bool match(llvm::StringRef Name) const;
  bool empty() const { return !State || State->Patterns.empty(); }

private:
  struct Compiled {
    std::vector<std::string> Text;
    std::vector<llvm::GlobPattern> Patterns;
  };
  std::shared_ptr<const Compiled> State;
};

} // namespace wasmrpath

#endif // WASM_RPATH_GLOB_H
