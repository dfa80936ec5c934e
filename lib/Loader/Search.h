//===- Search.h - Helpers shared inside the loader layer ---------*- C++ -*-===//
//
// Private to lib/Loader: the expanded search lists and the one search
// function that resolveNeeded(), the dependency walk and the hazard checks
// share, so that each asks the rules the same way.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_LIB_LOADER_SEARCH_H
#define WASM_RPATH_LIB_LOADER_SEARCH_H

#include "wasm-rpath/Resolve.h"

namespace wasmrpath {
namespace loader_detail {

inline constexpr llvm::StringLiteral Origin = "$ORIGIN";
inline constexpr llvm::StringLiteral BracedOrigin = "${ORIGIN}";

/// A search list: (directory, entry it came from) pairs.
using SearchDirs = std::vector<std::pair<std::string, std::string>>;

/// LD_LIBRARY_PATH is split like the run-time path but has no $ORIGIN.
SearchDirs libraryDirs(llvm::ArrayRef<std::string> LibraryPath,
                       const LoaderRules &Rules);

/// resolveNeeded() with the search lists already expanded, so that a walk
/// expands each module's lists once, not once per NEEDED name.
Resolution resolveIn(llvm::StringRef Name, const SearchDirs &LibraryDirs,
                     const SearchDirs &RunDirs, llvm::StringRef Cwd,
                     const LoaderRules &Rules,
                     llvm::function_ref<bool(llvm::StringRef)> Exists,
                     llvm::function_ref<bool(llvm::StringRef)> IsDirectory);

/// Whether the normalized absolute \p Path is \p Dir or below it.
bool isUnder(llvm::StringRef Path, llvm::StringRef Dir);

/// The working directory of \p Opts: its own, else the loader's default.
inline std::string workingDirectory(const ResolveOptions &Opts) {
  return Opts.Cwd.empty() ? Opts.Rules->DefaultCwd : Opts.Cwd;
}

} // namespace loader_detail
} // namespace wasmrpath

#endif // WASM_RPATH_LIB_LOADER_SEARCH_H
