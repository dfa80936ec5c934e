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
#include <map>

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
  case HazardKind::UndefinedData:
    return "undefined-data";
  case HazardKind::UndefinedFunction:
    return "undefined-function";
  case HazardKind::UnjudgedSymbols:
    return "unjudged-symbols";
  case HazardKind::IdenticalDuplicate:
    return "identical-duplicate";
  }
  llvm_unreachable("unknown HazardKind");
}

HazardSeverity hazardSeverity(HazardKind Kind) {
  switch (Kind) {
  case HazardKind::LoadFailure:
  case HazardKind::NotPreloaded:
  case HazardKind::StaleLoad:
  case HazardKind::SymbolClash:
  case HazardKind::UndefinedData:
    return HazardSeverity::Error;
  // The main module's exports bind first by design, as an ELF executable's
  // interpose on its libraries': side modules built for it share its copies
  // (wasm-vips' glib, PGlite's zlib). Said, but no failure.
  case HazardKind::MainModuleClash:
    return HazardSeverity::Warning;
  case HazardKind::UnjudgedSymbols:
  case HazardKind::IdenticalDuplicate:
    return HazardSeverity::Note;
  default:
    return HazardSeverity::Warning;
  }
}

namespace {

/// "'a', 'b' and 3 more": at most a few names in a message (the hazard's
/// Symbols has them all).
std::string nameList(ArrayRef<std::string> Names) {
  constexpr size_t Shown = 8;
  std::string Out;
  for (size_t I = 0; I < Names.size() && I < Shown; ++I)
    Out += (I ? ", '" : "'") + Names[I] + "'";
  if (Names.size() > Shown)
    Out += " and " + std::to_string(Names.size() - Shown) + " more";
  return Out;
}

/// The symbol hazards of the load order (see findHazards()).
void appendSymbolHazards(const DependencyGraph &G, const LoadPrediction &P,
                         const SymbolContext &Ctx, std::vector<Hazard> &Out) {
  std::vector<const ModuleSymbols *> Order;
  std::vector<size_t> OrderOf(G.Nodes.size(), SIZE_MAX);
  for (size_t I = 0; I < P.LoadOrder.size(); ++I) {
    Order.push_back(&G.Nodes[P.LoadOrder[I]].Symbols);
    OrderOf[P.LoadOrder[I]] = I;
  }
  // Each module's NEEDED closure, nearest first (breadth first).
  std::vector<std::vector<size_t>> Closures(Order.size());
  for (size_t I = 0; I < Order.size(); ++I) {
    std::vector<size_t> Queue{P.LoadOrder[I]};
    std::vector<bool> Seen(G.Nodes.size(), false);
    Seen[P.LoadOrder[I]] = true;
    for (size_t Q = 0; Q < Queue.size(); ++Q)
      for (const std::optional<size_t> &C : G.Nodes[Queue[Q]].Children)
        if (C && !Seen[*C]) {
          Seen[*C] = true;
          Queue.push_back(*C);
          if (OrderOf[*C] != SIZE_MAX)
            Closures[I].push_back(OrderOf[*C]);
        }
  }
  SymbolScope Scope;
  Scope.Main = Ctx.Main;
  Scope.Glue = Ctx.Glue;
  Scope.LoadOrder = Order;
  Scope.Closures = Closures;
  while (Scope.StartupCount < Order.size() &&
         G.Nodes[P.LoadOrder[Scope.StartupCount]].AtStartup)
    ++Scope.StartupCount;
  auto PathOf = [&](size_t I) -> const std::string & {
    return G.Nodes[P.LoadOrder[I]].LoaderPath;
  };

  for (const BindingConflict &C :
       findBindingConflicts(Scope, Ctx.AllowDuplicate
                                       ? function_ref<bool(StringRef)>(
                                             Ctx.AllowDuplicate)
                                       : function_ref<bool(StringRef)>())) {
    Hazard H;
    H.Kind = C.Identical ? HazardKind::IdenticalDuplicate
             : C.Winner  ? HazardKind::SymbolClash
                         : HazardKind::MainModuleClash;
    H.Module = PathOf(C.Expected);
    H.Winner = C.Winner ? PathOf(*C.Winner) : "main module";
    std::string Importers;
    for (size_t I : C.Importers)
      Importers += (Importers.empty() ? "" : ", ") + PathOf(I);
    bool AnyData = false;
    for (const auto &[Name, Kind] : C.Symbols) {
      H.Symbols.push_back(Name);
      AnyData |= isBoundAtLoad(Kind);
    }
    H.Symbol = H.Symbols.front();
    H.Message = (Twine(C.Symbols.size()) + " symbol(s) it defines " +
                 (C.Symbols.size() == 1 ? "is" : "are") + " bound to " +
                 (C.Winner ? H.Winner + "'s definition" +
                                 (AnyData ? " (loaded first)" : "")
                           : std::string("the main module's definition")) +
                 " instead, in " + Importers +
                 (C.Identical ? " (byte-identical, self-contained functions: "
                                "no change in behaviour)"
                              : "") +
                 ": " + nameList(H.Symbols))
                    .str();
    Out.push_back(std::move(H));
  }

  std::vector<UndefinedSymbol> Undefined = findUndefinedSymbols(Scope);
  if (!Ctx.Main) {
    if (!Undefined.empty())
      Out.push_back({HazardKind::UnjudgedSymbols, "",
                     (Twine(Undefined.size()) +
                      " import(s) are not defined by the load set; without "
                      "the main module they cannot be judged")
                         .str(),
                     "", "", {}});
    return;
  }
  // One hazard per module and kind (data, function).
  std::map<std::pair<size_t, bool>, std::vector<std::string>> ByModule;
  for (const UndefinedSymbol &U : Undefined)
    ByModule[{U.Module, isBoundAtLoad(U.Kind)}].push_back(U.Name);
  for (auto &[Key, Names] : ByModule) {
    llvm::sort(Names);
    Names.erase(std::unique(Names.begin(), Names.end()), Names.end());
    Hazard H;
    H.Module = PathOf(Key.first);
    H.Kind = Key.second ? HazardKind::UndefinedData
                        : HazardKind::UndefinedFunction;
    H.Message =
        Key.second
            ? "symbol(s) bound at load (data, function addresses) that "
              "nothing loaded before defines, so the load fails (undefined "
              "symbol): " + nameList(Names)
            : "function(s) that nothing provides, so the first call of each "
              "fails (cannot resolve symbol): " + nameList(Names);
    H.Symbol = Names.front();
    H.Symbols = std::move(Names);
    Out.push_back(std::move(H));
  }
}

} // namespace

std::vector<Hazard> findHazards(const DependencyGraph &G, LoaderFileSystem &FS,
                                const ResolveOptions &Opts,
                                const LoadPrediction &P,
                                const SymbolContext &Symbols) {
  std::vector<Hazard> Result;
  std::string Cwd = workingDirectory(Opts);
  for (const LibraryNode &N : G.Nodes) {
    auto Warn = [&](HazardKind Kind, const Twine &Msg) {
      Result.push_back({Kind, N.LoaderPath, Msg.str(), "", "", {}});
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
      Result.push_back({Kind, G.Nodes[O.Node].LoaderPath, O.Reason, "", "", {}});
    }
  appendSymbolHazards(G, P, Symbols, Result);
  return Result;
}


} // namespace wasmrpath
