//===- Hazards.cpp - What wasm-ldd --check warns about --------------------===//
//
// Run-time path entries that some loader reads differently, NEEDED names
// that resolve somewhere unexpected, failed and stale loads, and symbols
// that bind to another module's definition.
//
//===----------------------------------------------------------------------===//

#include "Search.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Symbols.h"

using namespace llvm;

namespace wasmrpath {

using namespace loader_detail;

StringRef hazardKindName(HazardKind Kind) {
  switch (Kind) {
  case HazardKind::BracedOrigin:
    return "braced-origin";
  case HazardKind::OriginNotAtStart:
    return "origin-not-at-start";
  case HazardKind::ColonInEntry:
    return "colon-in-entry";
  case HazardKind::RelativeEntry:
    return "relative-entry";
  case HazardKind::MissingAbsoluteEntry:
    return "missing-absolute-entry";
  case HazardKind::RPathMismatch:
    return "rpath-mismatch";
  case HazardKind::RelativeNeeded:
    return "relative-needed";
  case HazardKind::UnusableLibrary:
    return "unusable-library";
  case HazardKind::ShadowedLibrary:
    return "shadowed-library";
  case HazardKind::LoadFailure:
    return "load-failure";
  case HazardKind::NotPreloaded:
    return "not-preloaded";
  case HazardKind::StaleLoad:
    return "stale-load";
  case HazardKind::SymbolClash:
    return "symbol-clash";
  case HazardKind::MainModuleClash:
    return "main-module-clash";
  }
  llvm_unreachable("unknown HazardKind");
}

std::vector<Hazard> findHazards(const DependencyGraph &G, LoaderFileSystem &FS,
                                const ResolveOptions &Opts,
                                const LoadPrediction &P,
                                const ModuleSymbols *Main) {
  std::vector<Hazard> Result;
  std::string Cwd = workingDirectory(Opts);
  for (const LibraryNode &N : G.Nodes) {
    auto Warn = [&](HazardKind Kind, const Twine &Msg) {
      Result.push_back({Kind, N.LoaderPath, Msg.str(), "", ""});
    };
    if (!N.Error.empty())
      continue; // Reported by the edge that reached it.
    for (const std::string &Entry : N.RunPath) {
      StringRef E(Entry);
      if (E.contains(BracedOrigin))
        Warn(HazardKind::BracedOrigin,
             "run-time path entry '" + E +
                 "' uses ${ORIGIN}, which Emscripten does not expand; use "
                 "$ORIGIN");
      else if (E.contains(Origin) && !E.starts_with(Origin))
        Warn(HazardKind::OriginNotAtStart,
             "run-time path entry '" + E +
                 "' has $ORIGIN after its start, where loaders do not "
                 "expand it");
      if (E.contains(':'))
        Warn(HazardKind::ColonInEntry,
             "run-time path entry '" + E +
                 "' contains ':', which Emscripten splits into several "
                 "entries");
      if (!E.starts_with("/") && !E.starts_with(Origin) &&
          !E.starts_with(BracedOrigin))
        Warn(HazardKind::RelativeEntry, "run-time path entry '" + E +
                                   "' is relative to the loader's working "
                                   "directory; use $ORIGIN/...");
      if (E.starts_with("/") &&
          FS.status(E).Type != LoaderFileSystem::FileType::Directory)
        Warn(HazardKind::MissingAbsoluteEntry,
             "absolute run-time path entry '" + E +
                 "' does not exist under the root '" + Opts.Root + "'");
    }
    if (std::optional<std::string> Mismatch =
            describeRPathMismatch(N.RuntimePath, N.RPathSection))
      Warn(HazardKind::RPathMismatch, *Mismatch);
    for (size_t I = 0; I < N.Needed.size(); ++I) {
      const Resolution &R = N.Needed[I];
      if (R.Name.find('/') != std::string::npos && R.Name[0] != '/')
        Warn(HazardKind::RelativeNeeded,
             "NEEDED '" + R.Name +
                 "' is a relative path, taken from the loader's working "
                 "directory");
      if (N.Children[I] && !G.Nodes[*N.Children[I]].Error.empty())
        Warn(HazardKind::UnusableLibrary,
             "NEEDED '" + R.Name + "' resolves to " + R.Path +
                 ", which a loader cannot use: " +
                 G.Nodes[*N.Children[I]].Error);
      // Found through LD_LIBRARY_PATH while the module's own run-time path
      // also has the name: the copy it ships is shadowed (Pyodide's
      // /usr/lib and site-packages come first).
      if (R.Via == FoundVia::LibraryPath) {
        auto Exists = [&](StringRef C) {
          return FS.status(C).Type == LoaderFileSystem::FileType::Regular;
        };
        Resolution Own = resolveNeeded(R.Name, N.LoaderPath, N.RunPath, {},
                                       Cwd, *Opts.Rules, Exists);
        if (Own.Via == FoundVia::RuntimePath && Own.Path != R.Path)
          Warn(HazardKind::ShadowedLibrary,
               "NEEDED '" + R.Name + "' resolves to " + R.Path +
                   " (LD_LIBRARY_PATH), not to " + Own.Path +
                   " that its run-time path names");
      }
    }
  }
  for (const std::vector<RootOutcome> &Req : P.Outcomes)
    for (const RootOutcome &O : Req) {
      if (O.Status == LoadStatus::Loaded)
        continue;
      HazardKind Kind = O.Status == LoadStatus::Failed ? HazardKind::LoadFailure
                        : O.Status == LoadStatus::NotAttempted
                            ? HazardKind::NotPreloaded
                            : HazardKind::StaleLoad;
      Result.push_back({Kind, G.Nodes[O.Node].LoaderPath, O.Reason, "", ""});
    }
  std::vector<const ModuleSymbols *> Order;
  for (size_t N : P.LoadOrder)
    Order.push_back(&G.Nodes[N].Symbols);
  for (const SymbolClash &C : findSymbolClashes(Order, Main)) {
    const std::string &Loser = G.Nodes[P.LoadOrder[C.Loser]].LoaderPath;
    std::string Winner =
        C.Winner ? G.Nodes[P.LoadOrder[*C.Winner]].LoaderPath : "main module";
    Result.push_back(
        {C.Winner ? HazardKind::SymbolClash : HazardKind::MainModuleClash, Loser,
         (symbolKindName(C.Kind) + " symbol '" + C.Symbol +
          "' is also defined by " +
          (C.Winner ? Winner : std::string("the main module")) +
          ", loaded first: addresses of it (GOT.mem, GOT.func) bind to that "
          "definition in every module, this one's included")
             .str(),
         C.Symbol, Winner});
  }
  return Result;
}


} // namespace wasmrpath
