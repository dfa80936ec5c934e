//===- wasm-ldd.cpp - Show how a loader resolves a side module's libraries -===//
//
// lddtree for WebAssembly side modules: the dependency tree of each input as
// a given loader (Pyodide by default, bare Emscripten, wasmer) would resolve
// it, where each library was found, which modules load, and which symbols
// clash. Inputs are modules, directories (every module under them) and
// wheels (read without unpacking, as if installed in site-packages); all of
// them form one load set, as one process would load them. The rules live in
// the library (LoadSet.h, Resolve.h, Symbols.h); this file parses options
// and prints.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/CommandLine.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Glob.h"
#include "wasm-rpath/LoadSet.h"
#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Symbols.h"
#include "wasm-rpath/ToolProcess.h"
#include "wasm-rpath/Version.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/Option.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/StringSaver.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace llvm::opt;
using namespace wasmrpath;

namespace {

#include "ToolOptTable.h"

StringRef ToolName;

/// Shows a string from a module so that it cannot disturb the terminal:
/// control characters, bidirectional overrides and invalid UTF-8 come out
/// escaped, the same way in every tool (Display.h).
std::string printable(StringRef S) { return escapeForDisplay(S); }

std::string describeVia(const Resolution &R) {
  switch (R.Via) {
  case FoundVia::Path:
    return "path";
  case FoundVia::LibraryPath:
    return "LD_LIBRARY_PATH " + printable(R.Entry);
  case FoundVia::RuntimePath:
    return "RUNTIME_PATH " + printable(R.Entry);
  case FoundVia::DefaultDir:
    return "default " + printable(R.Entry);
  case FoundVia::NotFound:
    return "not found";
  case FoundVia::LocateFile:
    return "start-up, beside the glue";
  case FoundVia::Registered:
    return "registered at start-up";
  }
  llvm_unreachable("unknown FoundVia");
}

/// Prints the tree below \p Root depth first, with an explicit stack (a
/// chain of NEEDED libraries as deep as the files allow must not overflow
/// the stack). A library met again is shown and not expanded, unless
/// \p All; with \p All a library on the current path (a cycle) is still
/// not expanded, and the output stops after MaxLines lines, since the
/// number of routes can grow exponentially with the number of files.
void printTree(const DependencyGraph &G, size_t Root, std::vector<bool> &Shown,
               bool All) {
  constexpr size_t MaxLines = 1000000;
  struct Frame {
    size_t Node;
    size_t Next = 0;
  };
  std::vector<Frame> Stack{{Root}};
  std::vector<bool> OnPath(G.Nodes.size(), false);
  OnPath[Root] = true;
  Shown[Root] = true;
  size_t Lines = 0;
  while (!Stack.empty()) {
    Frame &F = Stack.back();
    const LibraryNode &N = G.Nodes[F.Node];
    if (F.Next == N.Needed.size()) {
      OnPath[F.Node] = false;
      Stack.pop_back();
      continue;
    }
    size_t I = F.Next++;
    if (++Lines > MaxLines) {
      outs() << "... (output stopped after " << MaxLines << " lines)\n";
      return;
    }
    const Resolution &R = N.Needed[I];
    outs().indent(4 * Stack.size()) << printable(R.Name) << " => ";
    if (!N.Children[I]) {
      outs() << "not found\n";
      continue;
    }
    size_t Child = *N.Children[I];
    outs() << printable(G.Nodes[Child].LoaderPath) << " (" << describeVia(R)
           << ")";
    if (!G.Nodes[Child].Error.empty()) {
      outs() << " [unusable: " << printable(G.Nodes[Child].Error) << "]\n";
      continue;
    }
    if (OnPath[Child] || (Shown[Child] && !All)) {
      outs() << " [already listed]\n";
      continue;
    }
    outs() << "\n";
    Shown[Child] = true;
    OnPath[Child] = true;
    Stack.push_back({Child});
  }
}

/// What the command line asks for.
struct Config {
  LoadSetOptions LO;
  std::vector<std::string> Files;
  bool Json = false, Check = false, FlatList = false, ShowAll = false;
};

/// Prints a usage error and returns std::nullopt, for parseOptions().
std::nullopt_t failure(const Twine &Msg) {
  WithColor::error(errs(), ToolName) << Msg << "\n";
  return std::nullopt;
}

/// The options onto LoadSetOptions; a bad value is a one-line error.
std::optional<Config> parseOptions(const opt::InputArgList &Args) {
  Config C;
  ResolveOptions Opts;
  Opts.Root = Args.getLastArgValue(OPT_root, "/").str();
  Opts.Cwd = Args.getLastArgValue(OPT_cwd).str();
  StringRef LoaderName = Args.getLastArgValue(OPT_loader, "pyodide");
  Opts.Rules = getLoaderRules(LoaderName);
  if (!Opts.Rules)
    return failure("unknown --loader '" + LoaderName + "' (expected " +
                join(getLoaderNames(), ", ") + ")");
  if (Args.hasArg(OPT_library_path, OPT_library_path_entry))
    Opts.LibraryPath =
        collectSearchEntries(Args, {OPT_library_path}, OPT_library_path_entry);
  if (const opt::Arg *A = Args.getLastArg(OPT_rpath_section)) {
    std::optional<RPathPlace> P = parseRPathPlace(A->getValue());
    if (!P || *P == RPathPlace::Both)
      return failure("invalid --rpath-section '" + StringRef(A->getValue()) +
                  "' (expected dylink or rpath.0)");
    Opts.Place = *P;
  }
  C.Files = Args.getAllArgValues(OPT_INPUT);
  if (C.Files.empty())
    return failure("no input files");
  C.Json = Args.hasArg(OPT_json);
  C.Check = Args.hasArg(OPT_check);
  C.FlatList = Args.hasArg(OPT_flat_list);
  C.ShowAll = Args.hasArg(OPT_show_all);
  bool AutoRoot = !Args.hasArg(OPT_no_auto_root);

  // The root comes from --root; its errors say so, because a message about
  // a directory the user never named on its own is puzzling.
  SmallString<256> RealRoot;
  if (std::error_code EC = sys::fs::real_path(Opts.Root, RealRoot))
    return failure(printable("--root '" + Opts.Root + "': " + EC.message()));
  if (!sys::fs::is_directory(RealRoot))
    return failure(printable("--root '" + Opts.Root + "' is not a directory"));

  LoadSetOptions &LO = C.LO;
  LO.Resolve = Opts;
  LO.AutoRoot = AutoRoot;
  LO.MainModule = Args.getLastArgValue(OPT_main_module).str();
  LO.MainGlue = Args.getLastArgValue(OPT_main_glue).str();
  // --preload [NAME=]FILE, as Module.dynamicLibraries.
  for (StringRef P : Args.getAllArgValues(OPT_preload)) {
    Expected<PreloadSpec> S = parsePreloadSpec(P);
    if (!S)
      return failure(printable("invalid --preload " + toString(S.takeError())));
    LO.Preloads.emplace_back(std::move(S->Name), std::move(S->File));
  }
  LO.FindHazards = C.Check || C.Json;
  Expected<GlobList> Allowed =
      GlobList::create(Args.getAllArgValues(OPT_allow_duplicate));
  if (!Allowed)
    return failure(printable("--allow-duplicate: " +
                             toString(Allowed.takeError())));
  if (!Allowed->empty())
    LO.AllowDuplicate = [Allowed = *Allowed](StringRef Name) {
      return Allowed.match(Name);
    };
  return C;
}

/// The inputs that could not be read, with the option that decides them
/// named where it helps.
void printInputErrors(const LoadSet &S) {
  for (const LoadSetInput &In : S.inputs()) {
    if (In.Why == LoadSetInput::Problem::None)
      continue;
    std::string Msg = In.Error;
    if (In.Why == LoadSetInput::Problem::NotUnderRoot ||
        In.Why == LoadSetInput::Problem::MissingUnderRoot) {
      size_t At = Msg.rfind("the root directory '");
      if (At != std::string::npos)
        Msg.replace(At, strlen("the root"), "the --root");
    }
    outs().flush();
    WithColor::error(errs(), ToolName) << printable(Msg) << "\n";
  }

}

/// The tree of each input (or, with --flat-list, the files that load).
void printLoadTrees(const LoadSet &S, const Config &C) {
  const DependencyGraph &G = S.graph();
  const LoadPrediction &P = S.prediction();
  if (C.FlatList) {
    for (const LibraryNode &N : G.Nodes)
      if (N.Error.empty())
        outs() << printable(N.HostPath) << "\n";
  } else {
    std::vector<bool> Shown(G.Nodes.size(), false);
    // The start-up loads that no input stands for come first: a main module
    // given with --main-module that loads libraries, the preloads.
    bool MainIsInput = any_of(S.inputs(), [](const LoadSetInput &In) {
      return In.K == LoadSetInput::Kind::MainModule &&
             In.Why == LoadSetInput::Problem::None;
    });
    for (size_t N : G.Startup) {
      bool IsMain = N == G.Main;
      if (IsMain && (MainIsInput || G.Nodes[N].Needed.empty()))
        continue;
      if (IsMain)
        outs() << printable(G.Nodes[N].HostPath) << " (main module)\n";
      else
        outs() << printable(G.Nodes[N].LoaderPath) << " => "
               << printable(G.Nodes[N].HostPath) << " (preloaded)\n";
      if (!G.Nodes[N].Error.empty())
        outs() << "    [unusable: " << printable(G.Nodes[N].Error) << "]\n";
      else
        printTree(G, N, Shown, C.ShowAll);
    }
    for (const LoadSetInput &In : S.inputs()) {
      if (In.Why != LoadSetInput::Problem::None)
        continue;
      if (In.K == LoadSetInput::Kind::MainModule) {
        outs() << printable(In.File) << " (main module)\n";
        printTree(G, *G.Main, Shown, C.ShowAll);
        continue;
      }
      if (In.K != LoadSetInput::Kind::Module)
        outs() << printable(In.File) << ":\n";
      for (const RootOutcome &O : P.Outcomes[In.Request]) {
        outs() << printable(G.Nodes[O.Node].LoaderPath);
        // The same file as a library the main module loads at start-up.
        if (G.Nodes[O.Node].AtStartup)
          outs() << " => " << printable(G.Nodes[O.Node].HostPath)
                 << " (loaded at start-up)";
        // A module given alone shows why it fails in its tree; a package's
        // modules say what happened to each.
        if (In.K != LoadSetInput::Kind::Module &&
            O.Status != LoadStatus::Loaded)
          outs() << " [" << loadStatusName(O.Status) << ": "
                 << printable(O.Reason) << "]";
        outs() << "\n";
        if (!G.Nodes[O.Node].Error.empty())
          outs() << "    [unusable: " << printable(G.Nodes[O.Node].Error)
                 << "]\n";
        else if (O.Status != LoadStatus::NotAttempted)
          printTree(G, O.Node, Shown, C.ShowAll);
      }
    }
  }
}

/// --check's report on standard error, after the tree: the hazards,
/// the inputs with nothing to check, and the verdict.
void printCheckReport(const LoadSet &S, bool Json) {
  const LoadVerdict &V = S.verdict();
  // The JSON document has the hazards; the verdict lines are said anyway.
  if (!Json) {
    for (const Hazard &H : S.hazards()) {
      // A single module's failed load is the missing library its tree
      // shows, and the error below says so.
      if (S.isOwnInputFailure(H))
        continue;
      if (hazardSeverity(H.Kind) == HazardSeverity::Note) {
        WithColor::note(errs(), ToolName)
            << (H.Module.empty() ? "" : "'" + printable(H.Module) + "': ")
            << printable(H.Message) << "\n";
        continue;
      }
      WithColor::warning(errs(), ToolName)
          << "'" << printable(H.Module) << "': " << printable(H.Message)
          << "\n";
    }
  }
  for (const LoadSetInput &In : S.inputs())
      if (In.Why == LoadSetInput::Problem::None &&
          In.K != LoadSetInput::Kind::Module &&
          In.K != LoadSetInput::Kind::MainModule && In.Roots.empty())
        WithColor::error(errs(), ToolName)
            << "'" << printable(In.File) << "': nothing to check (no side "
            << "module in this " << inputKindName(In.K) << ")\n";
  if (!V.Resolved)
    WithColor::error(errs(), ToolName)
        << "some libraries are not found or not usable\n";
  else if (V.LoadsFail)
    WithColor::error(errs(), ToolName)
        << "some modules do not load or share symbols\n";
}

} // namespace

int main(int Argc, char **Argv) {
  ToolProcess X(Argc, Argv);
  ToolName = sys::path::filename(Argv[0]);
  auto Fail = [&](const Twine &Msg) {
    WithColor::error(errs(), ToolName) << Msg << "\n";
    return 1;
  };
  ToolOptTable T;
  BumpPtrAllocator Alloc;
  StringSaver Saver(Alloc);
  std::optional<opt::InputArgList> ParsedArgs =
      parseToolCommandLine(T, Argc, Argv, Saver, ToolName);
  if (!ParsedArgs)
    return 1;
  opt::InputArgList &Args = *ParsedArgs;
  if (Args.hasArg(OPT_help)) {
    T.printHelp(outs(), (ToolName + " [options] <file|dir|wheel>...").str().c_str(),
                "wasm-ldd: show how a loader resolves and loads WebAssembly "
                "side modules",
                /*ShowHidden=*/false, /*ShowAllAliases=*/false);
    outs() << "\nArguments are read from FILE where @FILE is given.\n";
    return 0;
  }
  if (Args.hasArg(OPT_version)) {
    outs() << ToolName << " (wasm-rpath) " << WASM_RPATH_VERSION << "\n";
    return 0;
  }
  if (Args.hasArg(OPT_print_loader_rules)) {
    json::Object All;
    for (StringRef Name : getLoaderNames())
      All[Name] = toJSON(*getLoaderRules(Name));
    outs() << formatv("{0:2}", json::Value(std::move(All))) << "\n";
    return 0;
  }

  std::optional<Config> C = parseOptions(Args);
  if (!C)
    return 1;
  Expected<std::unique_ptr<LoadSet>> Set = LoadSet::create(C->Files, C->LO);
  if (!Set)
    return Fail(printable(toString(Set.takeError())));
  const LoadSet &S = **Set;
  if (C->Json) {
    outs() << formatv("{0:2}", json::Value(S.toJSON())) << "\n";
  } else {
    printInputErrors(S);
    printLoadTrees(S, *C);
  }
  // The tree first, then what is wrong with it, in this order on a
  // terminal and in a pipe alike.
  outs().flush();
  if (C->Check)
    printCheckReport(S, C->Json);
  if (!flushStandardOutput(ToolName))
    return 1;
  return S.verdict().passes(C->Check) ? 0 : 1;
}
