//===- wasm-rpath/LoadSet.h - What one process loading some inputs gets -*- C++ -*-===//
//
// wasm-ldd's analysis as a library call: the inputs (modules, directories of
// modules, wheels) classified and placed in the loader's file system, one
// dependency graph and one load prediction for all of them (one process
// loads them), the hazards, and one verdict. The tool parses options and
// prints; every rule is here or below (Resolve.h, InstalledWheel.h,
// Symbols.h).
//
//   LoadSetOptions O;
//   O.Resolve.Rules = getLoaderRules("pyodide");
//   O.Resolve.Root = "/";                       // real, absolute
//   Expected<std::unique_ptr<LoadSet>> S = LoadSet::create({"x.whl"}, O);
//   if (S && (*S)->verdict().passes(/*Check=*/true)) ...
//   llvm::json::Object J = (*S)->toJSON();     // docs/wasm-ldd.schema.json
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_LOADSET_H
#define WASM_RPATH_LOADSET_H

#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Symbols.h"
#include "llvm/Support/JSON.h"
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wasmrpath {

struct LoadSetOptions {
  /// Root (a real absolute host directory), rules, LD_LIBRARY_PATH...
  ResolveOptions Resolve;
  /// An input that is not a host path under the root is taken inside the
  /// root, as lddtree -R does; otherwise it is an error.
  bool AutoRoot = true;
  /// The main module (a host path), whose exports are bound first; empty
  /// for none. A module input with the main-module shape (isMainModule())
  /// is taken as the main module too, wherever it stands among the inputs.
  std::string MainModule;
  /// Libraries loaded at start-up by name, after the main module's NEEDED
  /// ones (Emscripten's Module.dynamicLibraries): (the name they are
  /// registered under, the host file locateFile() gives for it).
  std::vector<std::pair<std::string, std::string>> Preloads;
  /// The main module's JS glue (a host path); empty: the file beside the
  /// main module with its ".wasm" replaced by ".mjs", else ".js", if any.
  std::string MainGlue;
  /// Compute the hazards (costs a symbol comparison over the load order).
  bool FindHazards = true;
  /// Duplicated symbols judged safe (SymbolContext::AllowDuplicate).
  std::function<bool(llvm::StringRef)> AllowDuplicate;
};

/// One entry of LoadSetOptions::Preloads.
struct PreloadSpec {
  std::string Name; ///< What the library is registered under.
  std::string File; ///< The host file locateFile() gives for it.
};

/// Parses a preload written "[NAME=]FILE" (wasm-ldd's --preload, the
/// Python ldd()'s preload): NAME is what comes before the first '=' unless
/// it holds a '/' (then the whole text is FILE) or nothing follows the '='
/// (likewise); without NAME, the library is registered under FILE's name.
/// An empty NAME is an errc::invalid_argument error.
llvm::Expected<PreloadSpec> parsePreloadSpec(llvm::StringRef Spec);

/// The preload of \p File under its file name, whatever characters it holds
/// ('=' included): a path given as a path, not as "[NAME=]FILE". A path
/// with no file name ("lib/", "..") is an errc::invalid_argument error.
llvm::Expected<PreloadSpec> preloadSpecForFile(llvm::StringRef File);

/// One input, as classified and placed.
struct LoadSetInput {
  enum class Kind { Module, Wheel, Directory, MainModule };
  /// Why the input itself failed, typed so that a caller can word it.
  enum class Problem {
    None,
    /// Unreadable, not a zip, a directory that cannot be listed...
    Unreadable,
    /// A host path outside the root (Error names the root).
    NotUnderRoot,
    /// No such file under the root.
    MissingUnderRoot,
    /// Inside the root, but a symbolic link leads out of it.
    LinkLeavesRoot,
    /// A module given by itself that is not a usable side module.
    NotUsable,
    /// A main module when another one is the main module already.
    SecondMainModule,
  };
  std::string File;
  Kind K = Kind::Module;
  Problem Why = Problem::None;
  /// "'<file>': <why>", empty when Why is None.
  std::string Error;
  std::vector<std::string> Roots; ///< Loader paths of its modules.
  std::vector<size_t> Nodes;      ///< Their graph nodes.
  size_t Request = 0;             ///< Its LoadRequest (if Why is None).
};

/// "module", "wheel", "directory", "main_module".
llvm::StringRef inputKindName(LoadSetInput::Kind K);

/// What the analysis concludes.
struct LoadVerdict {
  bool InputFailed = false; ///< Some input could not be analysed.
  bool Resolved = true;     ///< Every library found and usable.
  /// Some module fails to load, or binds to another's definition (a symbol
  /// clash is as bad as a failed load).
  bool LoadsFail = false;
  /// A directory or wheel input holds no module to check.
  bool NothingToCheck = false;
  /// The exit status wasm-ldd gives: 0 unless an input failed, or, under
  /// \p Check, something does not resolve or load, or an input has nothing
  /// to check.
  bool passes(bool Check) const {
    return !InputFailed &&
           (!Check || (Resolved && !LoadsFail && !NothingToCheck));
  }
};

class LoadSet {
public:
  ~LoadSet();

  /// Analyses \p Files with \p Opts. Problems with an input are recorded in
  /// it; errors are for the whole run: the root is not a directory, the
  /// main module cannot be read.
  static llvm::Expected<std::unique_ptr<LoadSet>>
  create(llvm::ArrayRef<std::string> Files, LoadSetOptions Opts);

  const LoadSetOptions &options() const { return Opts; }
  llvm::ArrayRef<LoadSetInput> inputs() const { return Inputs; }
  const DependencyGraph &graph() const { return G; }
  const LoadPrediction &prediction() const { return P; }
  llvm::ArrayRef<Hazard> hazards() const { return Hazards; }
  const LoadVerdict &verdict() const { return Verdict; }
  /// The main module's symbols, if one was given.
  const ModuleSymbols *mainSymbols() const { return Main ? &*Main : nullptr; }
  /// The JS glue read (given, or found beside the main module); "" if none.
  llvm::StringRef gluePath() const { return GluePath; }
  /// The main module's host path (given, or found among the inputs); ""
  /// if none.
  llvm::StringRef mainModulePath() const { return MainPath; }
  /// The LoadRequest of the start-up loads (the main module's NEEDED
  /// libraries, the preloads), if there are any.
  std::optional<size_t> startupRequest() const { return StartupRequest; }

  /// True for a failed load of a module given by itself: its tree already
  /// shows why, and the input's error says so, so a report may skip it.
  bool isOwnInputFailure(const Hazard &H) const;

  /// The whole analysis as JSON (docs/wasm-ldd.schema.json, version
  /// JsonSchemaVersion). Every string goes through jsonString().
  llvm::json::Object toJSON() const;
  static constexpr int JsonSchemaVersion = 1;

private:
  LoadSet() = default;
  struct Storage;
  // The stages of create(), in order.
  llvm::Error openFileSystems();
  void classifyInputs(llvm::ArrayRef<std::string> Files);
  llvm::Error readMainModule();
  StartupLoads startupLoads();
  llvm::Error predict(const StartupLoads &Startup,
                      std::vector<bool> &FailedRoot);
  void judge(const std::vector<bool> &FailedRoot);
  LoadSetOptions Opts;
  std::unique_ptr<Storage> Store; ///< File systems, open wheels.
  std::vector<LoadSetInput> Inputs;
  DependencyGraph G;
  LoadPrediction P;
  std::vector<Hazard> Hazards;
  LoadVerdict Verdict;
  std::optional<ModuleSymbols> Main;
  std::optional<llvm::StringSet<>> Glue;
  std::string GluePath;
  std::string MainPath;
  std::optional<size_t> StartupRequest;
};

} // namespace wasmrpath

#endif // WASM_RPATH_LOADSET_H
