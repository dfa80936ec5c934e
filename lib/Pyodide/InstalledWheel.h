//===- Pyodide/InstalledWheel.h - A wheel as Pyodide installs it -*- C++ -*-===//
//
// The one model of an installed wheel: which loader path each member lands
// at, which modules the package loader preloads, and the files themselves,
// read from the archive only when the loader would read them. wasm-ldd and
// wasm-auditwheel (show, repair) both ask it, so they cannot disagree on
// where a member is installed.
//
// The default is what Pyodide 314.0.7's loadPackage (and micropip's install
// path) do, measured (docs in ../shared/docs/dylink-facts.md §3a):
//
//  * every member is unpacked as it is under site-packages, including those
//    under "<dist>-<ver>.data/": a library in "<dist>-<ver>.data/platlib/"
//    stays there, where no module's search finds it;
//  * every "*.so" / "*.so.N" member is then preloaded, in zip order.
//
// pip's installation (".data/purelib/" and ".data/platlib/" moved into
// site-packages, the other .data schemes installed elsewhere) is available
// only on request (DataDirPolicy::MapLikePip), for tools that model pip.
//
// Memory: members are not held. read() extracts one member when the loader
// would read it, and the bytes that all outstanding read() buffers hold
// together are bounded by InstallOptions::MemoryBudget (a buffer returns its
// share when it is destroyed), so a small archive of highly compressed
// modules cannot make a reader hold gigabytes. The dependency walk
// (resolveDependencies) holds one module at a time.
//
//   zip::Archive A = ...;                    // over a file kept open
//   auto Host = createHostFileSystem("/");
//   InstalledWheel W(InstallOptions(), Host->get());
//   Expected<std::vector<std::string>> Preload = W.install(A, "x.whl");
//   DependencyGraph G = resolveDependencies(W, *Preload, Opts);
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_LIB_PYODIDE_INSTALLEDWHEEL_H
#define WASM_RPATH_LIB_PYODIDE_INSTALLEDWHEEL_H

#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Zip.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Allocator.h"
#include "llvm/ADT/StringSet.h"
#include <atomic>
#include <memory>

namespace wasmrpath {

namespace zip {
class Archive;
struct Entry;
} // namespace zip

/// Where members under "<dist>-<ver>.data/" are installed.
enum class DataDirPolicy {
  /// Where they are: site-packages/<dist>-<ver>.data/... (Pyodide's
  /// loadPackage and micropip, measured).
  KeepInPlace,
  /// As pip installs them: ".data/purelib/x" and ".data/platlib/x" at
  /// site-packages/x; the other schemes (scripts, headers, data) outside
  /// site-packages, so not in the model.
  MapLikePip,
};

struct InstallOptions {
  /// The loader whose site-packages the wheel goes to; null: Pyodide's.
  const LoaderRules *Rules = nullptr;
  DataDirPolicy DataDir = DataDirPolicy::KeepInPlace;
  /// The most bytes that the buffers read() has handed out and that are
  /// still alive may hold together. A member that would exceed it is
  /// refused with an error (std::errc::file_too_large), not truncated.
  uint64_t MemoryBudget = uint64_t(512) << 20;
};

/// One or more wheels installed into one site-packages, as a loader file
/// system in front of \p Base (the host tree below site-packages, or
/// nothing). A file a later install() puts at a path replaces the earlier
/// one, as unpacking a second wheel over the first would. The archives
/// given to install() must outlive this object, and this object every
/// buffer read() returned.
class InstalledWheel final : public LoaderFileSystem {
public:
  /// One installed file. Its strings are views: of the member's name in
  /// the archive's central directory, or of one copy the InstalledWheel
  /// keeps, so a wheel of a million members costs tens of bytes a member
  /// here, not copies of every name.
  struct File {
    llvm::StringRef LoaderPath;
    /// The member it comes from (or, for addPlannedFile(), the member it
    /// will be).
    llvm::StringRef Member;
    /// The wheel's label ("(planned)" for a planned file).
    llvm::StringRef Label;
    /// What locate() says: "<label>:<member>".
    std::string location() const { return (Label + ":" + Member).str(); }
    /// Null for a planned file, which has no bytes yet.
    const zip::Archive *Archive = nullptr;
    const zip::Entry *Entry = nullptr;
    /// Pyodide's package loader preloads it (isPreloadedByPyodide()).
    bool Preload = false;
  };

  explicit InstalledWheel(InstallOptions Opts = InstallOptions(),
                          LoaderFileSystem *Base = nullptr);
  ~InstalledWheel() override;
  // Files point into Strings, which a move keeps and a copy would not.
  InstalledWheel(InstalledWheel &&) = default;
  InstalledWheel &operator=(InstalledWheel &&) = default;
  InstalledWheel(const InstalledWheel &) = delete;
  InstalledWheel &operator=(const InstalledWheel &) = delete;

  /// Installs the wheel \p A (its members in zip order), \p Label naming it
  /// in locations and messages. Returns the loader paths of the modules
  /// Pyodide preloads, in zip order. Reads no member's content. Errors
  /// (errc::malformed), before anything is installed: a member that would
  /// land outside site-packages (absolute, a backslash, a ".."
  /// component), two members that land at one path ("pkg/x.so" and
  /// "pkg/./x.so").
  llvm::Expected<std::vector<std::string>> install(const zip::Archive &A,
                                                   llvm::StringRef Label);

  /// Records that \p Member will be at \p LoaderPath (a library a repair
  /// vendors), so that the search finds it; read() of it is an error.
  void addPlannedFile(llvm::StringRef LoaderPath, llvm::StringRef Member);

  /// The file at the normalized loader path \p LoaderPath, or null.
  const File *file(llvm::StringRef LoaderPath) const;
  /// The member installed at \p LoaderPath, or "" if none.
  llvm::StringRef memberOf(llvm::StringRef LoaderPath) const;
  /// Every installed file, in installation order (replaced ones left out).
  std::vector<const File *> files() const;
  /// The loader paths of every module to preload, in installation order.
  std::vector<std::string> preloads() const;

  bool isFile(llvm::StringRef LoaderPath) const;
  /// A directory that holds an installed file (or is one of its parents).
  bool isDirectory(llvm::StringRef LoaderPath) const;
  /// A directory that an installed file creates below site-packages
  /// (site-packages itself is not one).
  bool isWheelDirectory(llvm::StringRef LoaderPath) const;

  /// How the loader resolves NEEDED \p Name of the module at \p ModulePath
  /// with run-time path \p RunPath, in the loader's own environment
  /// (its default LD_LIBRARY_PATH and working directory), over this file
  /// system.
  Resolution resolve(llvm::StringRef Name, llvm::StringRef ModulePath,
                     llvm::ArrayRef<std::string> RunPath);

  /// The loader rules this installation follows.
  const LoaderRules &rules() const { return *Opts.Rules; }
  llvm::StringRef sitePackages() const { return Opts.Rules->SitePackages; }

  // LoaderFileSystem.
  Status status(llvm::StringRef Path) override;
  /// Extracts the member (only its first bytes if it is not a wasm module,
  /// which is all a loader needs to refuse it). Errors: a planned file, a
  /// member the archive cannot extract, the memory budget.
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
  read(llvm::StringRef Path) override;
  std::string locate(llvm::StringRef Path) override;

  /// Bytes held by live read() buffers (for tests and budgets).
  uint64_t bytesHeld() const { return Held->load(); }

private:
  void addFile(File F);
  /// Rebuilds ByPath from the first \p Indexed of Files, with room for
  /// twice \p Room files.
  void growIndex(size_t Indexed, size_t Room);
  /// A copy of \p S that lives as long as this object.
  llvm::StringRef save(llvm::StringRef S);
  uint32_t &slotFor(llvm::StringRef LoaderPath) {
    return ByPath.slot(LoaderPath,
                       [&](uint32_t I) { return Files[I].LoaderPath; });
  }
  /// Where member \p Name is installed; "" when it is not (a pip-mapped
  /// .data scheme outside site-packages).
  llvm::Expected<std::string> installedPath(llvm::StringRef Name,
                                            const llvm::StringSet<> &DataDirs);

  InstallOptions Opts;
  LoaderFileSystem *Base;
  std::vector<File> Files; ///< Installation order.
  /// Loader path -> index in Files; sized for IndexSlots / 2 files.
  zip::NameIndex ByPath;
  size_t IndexSlots = 0;
  /// Indices of Files in the order of their loader paths (directories are
  /// found as prefixes), sorted on the first query after an addition.
  mutable std::vector<uint32_t> Sorted;
  mutable bool SortedValid = true;
  /// The loader paths, labels and planned members' names.
  std::unique_ptr<llvm::BumpPtrAllocator> Strings;
  /// Shared with the buffers, which may outlive a moved-from object.
  std::shared_ptr<std::atomic<uint64_t>> Held;
};

/// The loader path at which installing a wheel puts member \p Member:
/// \p SitePackages/<member>, normalized. Error (errc::malformed): a member
/// name that is absolute, holds a backslash or a ".." component, and so
/// would be installed outside site-packages (or nowhere a loader would
/// agree on).
llvm::Expected<std::string> installedMemberPath(llvm::StringRef Member,
                                                llvm::StringRef SitePackages);

/// True for the files Pyodide's package loader preloads: "*.so" and
/// "*.so.N" (an extension module tagged for another CPython, such as
/// ".cpython-313-wasm32-emscripten.so" under 3.14, is skipped).
bool isPreloadedByPyodide(llvm::StringRef FileName);

} // namespace wasmrpath

#endif // WASM_RPATH_LIB_PYODIDE_INSTALLEDWHEEL_H
