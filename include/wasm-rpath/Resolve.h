//===- wasm-rpath/Resolve.h - How loaders find NEEDED libraries -*- C++ -*-===//
//
// The resolution rules of the loaders that read RUNTIME_PATH, in one place
// and driven by data (LoaderRules), so that wasm-ldd, its --check warnings
// and the tests all agree on what a loader will do:
//
//  * pyodide (the default): emscripten's rules in Pyodide 314.0.7's
//    environment: LD_LIBRARY_PATH is /usr/lib:/lib/python3.14/site-packages,
//    the working directory /home/pyodide, wheels install into
//    /lib/python3.14/site-packages and each of their modules is preloaded.
//  * emscripten (Emscripten 5.0.3 as shipped in Pyodide 314.0.7): a name
//    with '/' is a path; a bare name is searched in LD_LIBRARY_PATH, then in
//    the requesting module's own RUNTIME_PATH (not inherited), where only a
//    leading "$ORIGIN" is replaced and the entries are joined with ':' and
//    split again.
//  * wasmer: LD_LIBRARY_PATH, RUNTIME_PATH ("$ORIGIN" and "${ORIGIN}"), then
//    /lib, /usr/lib, /usr/local/lib; "x.so" not found is retried as "x.wasm".
//
// Paths here are loader paths: absolute paths inside the loader's file
// system. The dependency walk reads that file system only through
// LoaderFileSystem, so the same walk serves a host tree (wasm-ldd --root)
// and wheels read without unpacking, as Pyodide installs them
// (InstalledWheel.h, in front of the host tree): that is how
// `wasm-auditwheel show` and `wasm-ldd x.whl` ask "how does each name
// resolve once installed in Pyodide":
//
//   auto Host = createHostFileSystem("/");            // or a sysroot
//   InstalledWheel FS(InstallOptions(), Host->get());
//   std::vector<std::string> Preload = cantFail(FS.install(Archive, "x.whl"));
//   DependencyGraph G = resolveDependencies(FS, Preload, Opts);
//   LoadPrediction P = predictLoad(G, {{"x.whl", G.Roots, true}});
//   std::vector<Hazard> H = findHazards(G, FS, Opts, P, MainSymbols);
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_RESOLVE_H
#define WASM_RPATH_RESOLVE_H

#include "wasm-rpath/Object.h"
#include "wasm-rpath/Symbols.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem/UniqueID.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include <functional>
#include <memory>
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
  /// LD_LIBRARY_PATH unless the caller sets one (Pyodide's environment:
  /// /usr/lib and site-packages).
  std::vector<std::string> DefaultLibraryPath;
  /// Where a wheel is installed; empty if the loader has no packages.
  std::string SitePackages;
};

/// The rules of a loader by name ("pyodide", "emscripten", "wasmer"); null
/// if unknown.
const LoaderRules *getLoaderRules(llvm::StringRef Name);

/// The names getLoaderRules() knows, for help texts.
llvm::ArrayRef<llvm::StringRef> getLoaderNames();

/// \p Rules as JSON (wasm-ldd --print-loader-rules): one key per field,
/// named as in docs/loaders.md.
llvm::json::Object toJSON(const LoaderRules &Rules);

/// Where a NEEDED library was found.
enum class FoundVia {
  Path,
  LibraryPath,
  RuntimePath,
  DefaultDir,
  NotFound,
  /// Loaded at start-up by name through locateFile() (Emscripten's
  /// loadDylibs, before the runtime and its file system exist): the file of
  /// that name in the directory of the main module's JS glue.
  LocateFile,
  /// Not found by the search, but a library loaded at start-up is
  /// registered under that very name (dynamicLibraries, --preload): the
  /// loader takes it without reading a file.
  Registered,
};

/// "path", "library_path", "runtime_path", "default", "not_found",
/// "locate_file", "registered".
llvm::StringRef foundViaName(FoundVia Via);

/// The resolution of one NEEDED name.
struct Resolution {
  std::string Name;
  FoundVia Via = FoundVia::NotFound;
  std::string Path;  ///< Loader path of the library; empty if not found.
  /// The search entry that matched, as written. Also set when Via is
  /// NotFound because the search stopped at a relative entry whose file
  /// exists under the working directory, which Emscripten cannot load.
  std::string Entry;
  /// Candidates tried, in order; at most MaxTried of them are kept, the
  /// rest only counted, so that a hostile module (thousands of NEEDED
  /// names times thousands of entries) cannot make the report huge.
  std::vector<std::string> Tried;
  size_t TriedOmitted = 0;
  static constexpr size_t MaxTried = 256;
};

/// Lexically normalizes an absolute loader path: collapses "//", "." and
/// "..", where ".." at the root stays at the root (as the loaders' path
/// functions do), so a path can never leave the loader's file system.
std::string normalizeLoaderPath(llvm::StringRef Path);

/// Whether normalizeLoaderPath(\p Path) is \p Path itself (absolute, and
/// no empty, "." or ".." component): a caller holding such a path need not
/// make the copy.
bool isNormalLoaderPath(llvm::StringRef Path);

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

/// The loader's file system as the dependency walk sees it: normalized,
/// absolute loader paths in, what the loader's stat() and read() would see
/// out. The walk asks nothing else, so it runs the same over a host tree
/// (createHostFileSystem), over wheels as installed in site-packages
/// (InstalledWheel), or over files held in memory in tests.
class LoaderFileSystem {
public:
  enum class FileType { Missing, Regular, Directory, Other };
  struct Status {
    FileType Type = FileType::Missing;
    /// The file's identity (device and inode on a host): two paths to one
    /// file are one library to the walk, so its work is bounded by the
    /// number of distinct files, not of routes (symbolic links to ".").
    llvm::sys::fs::UniqueID ID;
  };
  virtual ~LoaderFileSystem();
  /// Follows symbolic links, never out of the file system: any failure to
  /// resolve a path (a loop, a name too long, a link that leaves the root)
  /// is Missing, never a look outside.
  virtual Status status(llvm::StringRef Path) = 0;
  /// The bytes of the regular file at \p Path. Errors do not name the file.
  virtual llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
  read(llvm::StringRef Path) = 0;
  /// Where \p Path is, for people (a host path, "x.whl:member").
  virtual std::string locate(llvm::StringRef Path) = 0;
};

/// The host directory \p Root (made real) as the loader's "/". Directory
/// lookups are cached, so a search of N names in E directories costs E
/// directory resolutions, not N x E. Error: \p Root is not a directory.
llvm::Expected<std::unique_ptr<LoaderFileSystem>>
createHostFileSystem(llvm::StringRef Root);

/// Options of a dependency walk.
struct ResolveOptions {
  /// Host directory that is the loader's "/" (for messages; the walk reads
  /// through a LoaderFileSystem).
  std::string Root = "/";
  /// LD_LIBRARY_PATH; std::nullopt: the loader's default.
  std::optional<std::vector<std::string>> LibraryPath;
  const LoaderRules *Rules = nullptr;
  /// The loader's working directory; empty: the loader's default.
  std::string Cwd;
  /// Which run-time path a module is taken to have: RUNTIME_PATH (what the
  /// loaders read: RPathPlace::Dylink) or rpath.0.
  RPathPlace Place = RPathPlace::Dylink;

  llvm::ArrayRef<std::string> libraryPath() const {
    return LibraryPath ? llvm::ArrayRef<std::string>(*LibraryPath)
                       : llvm::ArrayRef<std::string>(Rules->DefaultLibraryPath);
  }
};

/// Why the loader cannot use a library of the graph.
enum class NodeProblem {
  None,
  Missing,       ///< No file at the path.
  NotRegular,    ///< A directory, a device...
  Unreadable,    ///< The file system could not give its bytes.
  Malformed,     ///< Not a WebAssembly module, or a broken one.
  NotSideModule, ///< A module without dylink.0 (a main module, stripped...).
};

/// One library of a dependency graph.
struct LibraryNode {
  std::string LoaderPath;
  /// Where the file is (LoaderFileSystem::locate).
  std::string HostPath;
  /// Set when the loader would refuse the file; Error says why, for people.
  NodeProblem Problem = NodeProblem::None;
  /// Empty exactly when Problem is None.
  std::string Error;
  std::vector<std::string> RunPath;       ///< As used for the search.
  std::optional<std::vector<std::string>> RuntimePath; ///< dylink.0's.
  std::optional<std::vector<std::string>> RPathSection; ///< rpath.0's.
  /// Each distinct NEEDED name once, in the order of its first occurrence
  /// (the loader loads a name once).
  std::vector<Resolution> Needed;
  /// Index in the graph of each resolved NEEDED library (Needed order);
  /// std::nullopt for names not found.
  std::vector<std::optional<size_t>> Children;
  /// What the module exports and binds by name (Symbols.h).
  ModuleSymbols Symbols;
  /// Loaded at start-up (StartupLoads): LoaderPath is then the name it is
  /// registered under (Emscripten's key: "vips-jxl.wasm"), not a path, and
  /// HostPath the file locateFile() gives. The main module's node is one.
  bool AtStartup = false;
};

/// The libraries reachable from some roots, each file listed once (by its
/// identity, whatever path reached it first: diamonds, cycles and symbolic
/// links included), in breadth-first order from the roots.
struct DependencyGraph {
  std::vector<LibraryNode> Nodes;
  /// Index of each root given to resolveDependencies(), in order.
  std::vector<size_t> Roots;
  /// The main module's node (StartupLoads::MainModule), if any. It is not
  /// a library: its symbols bind before every library's, and its NEEDED
  /// names are the first start-up loads.
  std::optional<size_t> Main;
  /// What the program loads at start-up, in order: the main module (whose
  /// NEEDED libraries load first), then each preloaded library.
  std::vector<size_t> Startup;
  bool allResolved() const;
};

/// What an Emscripten program loads before it runs (libdylink.js's
/// loadDylibs, read in Pyodide 314's pyodide.asm.mjs): `dynamicLibraries`,
/// which is the main module's NEEDED names followed by
/// Module.dynamicLibraries. The runtime is not initialized yet, so no
/// file-system search takes place (findLibraryFS() returns nothing and no
/// run-time path is read, the main module's included): each name, and each
/// NEEDED name of what they load, is fetched with locateFile(), i.e. read
/// from the directory of the JS glue (in node; a browser fetches the same
/// relative URL). Each library is registered under its name (normalized as
/// by PATH.normalize), and a later NEEDED name that the search does not
/// find is satisfied by a library registered under it (FoundVia::Registered).
struct StartupLoads {
  /// The host's files (createHostFileSystem("/")): every path below is an
  /// absolute host path in it.
  LoaderFileSystem *FS = nullptr;
  /// The main module; empty for none.
  std::string MainModule;
  /// Module.dynamicLibraries: (name registered, the file locateFile() gives).
  std::vector<std::pair<std::string, std::string>> Preloads;
  /// Where locateFile() finds a name: the JS glue's directory.
  std::string LocateDir;
};

/// A name as Emscripten's registry keys it (PATH.normalize: ".", ".." and
/// "//" collapsed, relative names kept relative).
std::string registryName(llvm::StringRef Name);

/// Maps a host path onto its loader path under the host directory \p Root
/// (real, absolute); an error if it is not under \p Root.
llvm::Expected<std::string> loaderPathOf(llvm::StringRef Root,
                                         llvm::StringRef HostPath);

/// Walks the dependencies of the modules at \p RootPaths (loader paths in
/// \p FS) as the loader of \p Opts would. Problems (a root or a library
/// missing or not a side module) are recorded in the nodes, never errors:
/// a root that does not exist is a node with an Error. Memory and work are
/// bounded by the number of distinct files reached and the lengths of the
/// search lists; nothing recurses.
/// With \p Startup, its loads come first (DependencyGraph::Main, Startup),
/// and a module of the walk that is the same file as a start-up library is
/// that library (one program, one copy).
DependencyGraph resolveDependencies(LoaderFileSystem &FS,
                                    llvm::ArrayRef<std::string> RootPaths,
                                    const ResolveOptions &Opts,
                                    const StartupLoads *Startup = nullptr);

/// One call of the loader: a ctypes.CDLL of one module, or Pyodide's
/// preload of every module of a package (which stops at the first failure).
struct LoadRequest {
  std::string Label;          ///< The input it came from.
  std::vector<size_t> Roots;  ///< Graph nodes, in load order.
  bool StopAtFirstFailure = false;
};

enum class LoadStatus {
  Loaded,       ///< Loaded with all its dependencies.
  Failed,       ///< The load failed (Reason says why).
  NotAttempted, ///< An earlier module of the same package failed first.
  Stale,        ///< "Loaded" only because a failed load left a library
                ///< registered: the first call into it kills the runtime.
};

/// "loaded", "failed", "not_attempted", "stale".
llvm::StringRef loadStatusName(LoadStatus S);

struct RootOutcome {
  size_t Node = 0;
  LoadStatus Status = LoadStatus::Loaded;
  std::string Reason; ///< Why it failed, or what is stale.
};

/// What a process that makes the \p Requests, in order, ends up with.
struct LoadPrediction {
  /// For each request, one outcome per root.
  std::vector<std::vector<RootOutcome>> Outcomes;
  /// The modules instantiated, in the order their symbols are bound (each
  /// module after its NEEDED libraries, depth first in NEEDED order, each
  /// file once).
  std::vector<size_t> LoadOrder;
};

/// Predicts the loads of \p Requests over \p G as Emscripten's loader
/// does them: dependencies first, each library once, the first library not
/// found or not usable failing the module that needs it; a failed load
/// leaves the libraries it attempted registered (a later load that reaches
/// one "succeeds" as Stale).
LoadPrediction predictLoad(const DependencyGraph &G,
                           llvm::ArrayRef<LoadRequest> Requests);

/// What a hazard is about. The names (hazardKindName(): "braced-origin",
/// ...) are stable: scripts match on them; docs/wasm-ldd.md lists each.
enum class HazardKind {
  BracedOrigin,         ///< "${ORIGIN}", which Emscripten does not expand.
  OriginNotAtStart,     ///< "$ORIGIN" after an entry's start.
  ColonInEntry,         ///< ':' inside an entry, split by Emscripten.
  RelativeEntry,        ///< An entry taken from the working directory.
  MissingAbsoluteEntry, ///< An absolute entry that does not exist.
  RPathMismatch,        ///< rpath.0 and RUNTIME_PATH disagree.
  RelativeNeeded,       ///< A NEEDED name that is a relative path.
  UnusableLibrary,      ///< A NEEDED name resolves to a file no loader uses.
  ShadowedLibrary,      ///< LD_LIBRARY_PATH wins over the module's own copy.
  LoadFailure,          ///< A load fails.
  NotPreloaded,         ///< A package's module after a failure is skipped.
  StaleLoad,            ///< "Loaded" only through a failed load's leftovers.
  SymbolClash,          ///< A module binds to another module's definition.
  MainModuleClash,      ///< ... to the main module's definition.
  UndefinedData,        ///< A data import nothing defines: the load fails.
  UndefinedFunction,    ///< A function nothing defines: its call fails.
  UnjudgedSymbols,      ///< No main module known: imports not judged.
  /// A clash (either kind) whose definitions are byte-identical
  /// self-contained functions: the binding changes nothing (a note).
  IdenticalDuplicate,
};

/// How bad a hazard is: an Error fails wasm-ldd --check, a Warning is
/// reported, a Note says what could not be judged.
enum class HazardSeverity { Error, Warning, Note };
HazardSeverity hazardSeverity(HazardKind Kind);

/// The stable name of \p Kind ("braced-origin", "load-failure", ...).
llvm::StringRef hazardKindName(HazardKind Kind);

/// A hazard that wasm-ldd --check reports; Message is for people.
struct Hazard {
  HazardKind Kind = HazardKind::LoadFailure;
  std::string Module; ///< Loader path of the module it concerns.
  std::string Message;
  /// For symbol clashes: the (first) symbol and the module whose
  /// definition wins ("main module" for the main module's).
  std::string Symbol, Winner;
  /// For symbol hazards: every symbol concerned, sorted.
  std::vector<std::string> Symbols;
};

/// What the symbol checks of findHazards() know besides the graph.
struct SymbolContext {
  /// The main module's exports; null if unknown (then undefined symbols
  /// are not judged, only counted).
  const ModuleSymbols *Main = nullptr;
  /// The functions the main module's JS glue provides (readGlueSymbols()).
  const llvm::StringSet<> *Glue = nullptr;
  /// Duplicates judged safe: skipped.
  std::function<bool(llvm::StringRef)> AllowDuplicate;
};

/// The hazards of every library in \p G: run-time path entries that some
/// loader reads differently ("${ORIGIN}", ':' inside an entry, relative
/// entries, absolute entries missing from \p FS), rpath.0 disagreeing with
/// RUNTIME_PATH, relative NEEDED paths, NEEDED files that are not side
/// modules, a vendored library shadowed by one earlier in the search; from
/// \p P, failed and stale loads; from the symbols of the load order
/// (Symbols.h): imports that bind to another module's definition than the
/// one they were linked against (findBindingConflicts(), one hazard per
/// pair of modules), and imports nothing provides (findUndefinedSymbols()),
/// judged only when \p Symbols names the main module.
std::vector<Hazard> findHazards(const DependencyGraph &G, LoaderFileSystem &FS,
                                const ResolveOptions &Opts,
                                const LoadPrediction &P,
                                const SymbolContext &Symbols = {});

} // namespace wasmrpath

#endif // WASM_RPATH_RESOLVE_H
