//===- wasm-rpath/Resolve.h - How loaders find NEEDED libraries -*- C++ -*-===//
//
// The resolution rules of the loaders that read RUNTIME_PATH, in one place
// and driven by data (LoaderRules), so that wasm-ldd, its --check warnings
// and the tests all agree on what a loader will do:
//
//  * emscripten (Emscripten 5.0.3 as shipped in Pyodide 314.0.7): a name
//    with '/' is a path; a bare name is searched in LD_LIBRARY_PATH, then in
//    the requesting module's own RUNTIME_PATH (not inherited), where only a
//    leading "$ORIGIN" is replaced and the entries are joined with ':' and
//    split again.
//  * wasmer: LD_LIBRARY_PATH, RUNTIME_PATH ("$ORIGIN" and "${ORIGIN}"), then
//    /lib, /usr/lib, /usr/local/lib; "x.so" not found is retried as "x.wasm".
//
// Paths here are loader paths: absolute paths inside the loader's file
// system, which the caller maps onto the host (wasm-ldd --root).
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_RESOLVE_H
#define WASM_RPATH_RESOLVE_H

#include "wasm-rpath/RPathEdit.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <optional>
#include <string>
#include <vector>

namespace wasmrpath {

/// What distinguishes one loader's search from another's. The values for
/// each loader, and what they were checked against, are in Resolve.cpp.
struct LoaderRules {
  llvm::StringRef Name;
  /// How a leading "$ORIGIN" becomes the module's directory.
  enum class OriginStyle {
    /// As text, by JavaScript's String.replace: "$ORIGINAL" is "<dir>AL",
    /// and "$&", "$$", "$`", "$'" in the directory are replacement patterns.
    JSReplace,
    /// The rest of the entry joined to the directory as a path component:
    /// "$ORIGINAL" is "<dir>/AL".
    PathJoin,
  };
  OriginStyle Origin = OriginStyle::PathJoin;
  /// Expand "${ORIGIN}" as well as "$ORIGIN" (at the start of an entry).
  bool ExpandBracedOrigin = false;
  /// If not empty, the entries (and LD_LIBRARY_PATH) are joined and split
  /// again at each of these characters, so that an entry containing one
  /// acts as several (Emscripten hands the path to musl as one string).
  llvm::StringRef SplitChars;
  /// Candidates ("<dir>/<name>") of this length or longer are skipped
  /// (Emscripten builds them in a 512-byte buffer); 0 for no limit.
  size_t MaxCandidateLength = 0;
  /// ".." is resolved by walking the file system, so the directory before
  /// it must exist; otherwise paths are normalized lexically.
  bool WalksDotDot = false;
  /// Whether a relative NEEDED name containing '/' can be loaded (from the
  /// working directory).
  bool LoadsRelativePaths = true;
  /// Searched after the run-time path.
  std::vector<std::string> DefaultDirs;
  /// Each candidate ending in RetryFrom that does not exist is tried at once
  /// with that suffix replaced by RetryTo (wasmer: ".so" -> ".wasm").
  llvm::StringRef RetryFrom, RetryTo;
  /// The working directory against which relative names and entries are
  /// taken, unless the caller says otherwise (Pyodide: /home/pyodide).
  std::string DefaultCwd = "/";
};

/// The rules of a loader by name ("emscripten", "wasmer"); null if unknown.
const LoaderRules *getLoaderRules(llvm::StringRef Name);

/// The names getLoaderRules() knows, for help texts.
llvm::ArrayRef<llvm::StringRef> getLoaderNames();

/// Where a NEEDED library was found.
enum class FoundVia { Path, LibraryPath, RuntimePath, DefaultDir, NotFound };

/// "path", "library_path", "runtime_path", "default", "not_found".
llvm::StringRef foundViaName(FoundVia Via);

/// The resolution of one NEEDED name.
struct Resolution {
  std::string Name;
  FoundVia Via = FoundVia::NotFound;
  std::string Path;  ///< Loader path of the library; empty if not found.
  std::string Entry; ///< The search entry that matched, as written.
  std::vector<std::string> Tried; ///< Candidates tried, in order.
};

/// Lexically normalizes an absolute loader path: collapses "//", "." and
/// "..", where ".." at the root stays at the root (as the loaders' path
/// functions do), so a path can never leave the loader's file system.
std::string normalizeLoaderPath(llvm::StringRef Path);

/// The loader-path directory of a module at \p ModulePath.
std::string loaderDirName(llvm::StringRef ModulePath);

/// The directories that the run-time path \p Entries of a module at
/// \p ModulePath denotes under \p Rules (origin expanded, entries re-split
/// if the loader does, empty pieces dropped), each with the entry it came
/// from, in order.
std::vector<std::pair<std::string, std::string>>
expandRunPath(llvm::ArrayRef<std::string> Entries, llvm::StringRef ModulePath,
              const LoaderRules &Rules);

/// Resolves one NEEDED name of the module at \p ModulePath, whose run-time
/// path is \p RunPath, with \p LibraryPath as LD_LIBRARY_PATH and \p Cwd as
/// the loader's working directory (for relative names and entries).
/// \p Exists answers whether a normalized loader path names a regular file;
/// \p IsDirectory whether it names a directory, for loaders that walk ".."
/// (without it, ".." is resolved lexically). Every path in Resolution::Tried
/// and Resolution::Path is absolute and normalized.
Resolution
resolveNeeded(llvm::StringRef Name, llvm::StringRef ModulePath,
              llvm::ArrayRef<std::string> RunPath,
              llvm::ArrayRef<std::string> LibraryPath, llvm::StringRef Cwd,
              const LoaderRules &Rules,
              llvm::function_ref<bool(llvm::StringRef)> Exists,
              llvm::function_ref<bool(llvm::StringRef)> IsDirectory = {});

/// Options of a dependency walk.
struct ResolveOptions {
  /// Host directory that is the loader's "/". Errors about it call it
  /// --root, as the tools spell it.
  std::string Root = "/";
  std::vector<std::string> LibraryPath;
  const LoaderRules *Rules = nullptr;
  /// The loader's working directory; empty: the loader's default.
  std::string Cwd;
  /// Which run-time path a module is taken to have: RUNTIME_PATH (what the
  /// loaders read: RPathPlace::Dylink) or rpath.0.
  RPathPlace Place = RPathPlace::Dylink;
};

/// One library of a dependency tree.
struct LibraryNode {
  std::string LoaderPath;
  std::string HostPath;
  /// Set when the file could not be read as a side module (not wasm, no
  /// dylink.0, stripped...): the loader would refuse it.
  std::string Error;
  std::vector<std::string> RunPath;       ///< As used for the search.
  std::optional<std::vector<std::string>> RuntimePath; ///< dylink.0's.
  std::optional<std::vector<std::string>> RPathSection; ///< rpath.0's.
  std::vector<Resolution> Needed;
  /// Index in the graph of each resolved NEEDED library (Needed order);
  /// std::nullopt for names not found.
  std::vector<std::optional<size_t>> Children;
};

/// The libraries reachable from a root, each listed once (diamonds and
/// cycles included), in breadth-first order from the root (node 0).
struct DependencyGraph {
  std::vector<LibraryNode> Nodes;
  bool allResolved() const;
};

/// Maps a loader path onto the host under \p Root; std::nullopt if the host
/// file, after following symlinks, lies outside \p Root (a loader confined
/// to that tree could not reach it).
std::optional<std::string> hostPathUnderRoot(llvm::StringRef Root,
                                             llvm::StringRef LoaderPath);

/// Maps a host path of a module under \p Root onto its loader path; an error
/// if it is not under \p Root.
llvm::Expected<std::string> loaderPathOf(llvm::StringRef Root,
                                         llvm::StringRef HostPath);

/// Walks the dependencies of the module at host path \p HostPath as the
/// loader of \p Opts would. Errors only for the root module itself (missing,
/// not a side module); problems of dependencies are recorded in the nodes.
llvm::Expected<DependencyGraph> resolveDependencies(llvm::StringRef HostPath,
                                                    const ResolveOptions &Opts);

/// A portability hazard that wasm-ldd --check reports.
struct Hazard {
  std::string Module; ///< Loader path of the module it concerns.
  std::string Message;
};

/// The hazards of every library in \p G: run-time path entries that some
/// loader reads differently ("${ORIGIN}", ':' inside an entry, relative
/// entries, absolute entries missing under the root), rpath.0 disagreeing
/// with RUNTIME_PATH, relative NEEDED paths, and NEEDED files that are not
/// side modules.
std::vector<Hazard> findHazards(const DependencyGraph &G,
                                const ResolveOptions &Opts);

} // namespace wasmrpath

#endif // WASM_RPATH_RESOLVE_H
