//===- wasm-ldd.cpp - Show how a loader resolves a side module's libraries -===//
//
// lddtree for WebAssembly side modules: the dependency tree of each input as
// a given loader (Emscripten/Pyodide or wasmer) would resolve it, with where
// each library was found. The rules live in the library (Resolve.h); this
// file parses options and prints.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/CommandLine.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Version.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/Option.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
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
  }
  llvm_unreachable("unknown FoundVia");
}

/// Prints the tree depth first; a library met again is shown, not expanded.
void printTree(const DependencyGraph &G, size_t Node, unsigned Depth,
               std::vector<bool> &Shown) {
  const LibraryNode &N = G.Nodes[Node];
  Shown[Node] = true;
  for (size_t I = 0; I < N.Needed.size(); ++I) {
    const Resolution &R = N.Needed[I];
    outs().indent(4 * (Depth + 1)) << printable(R.Name) << " => ";
    if (!N.Children[I]) {
      outs() << "not found\n";
      continue;
    }
    size_t Child = *N.Children[I];
    outs() << printable(R.Path) << " (" << describeVia(R) << ")";
    if (!G.Nodes[Child].Error.empty()) {
      outs() << " [unusable: " << printable(G.Nodes[Child].Error) << "]\n";
      continue;
    }
    if (Shown[Child]) {
      outs() << " [already listed]\n";
      continue;
    }
    outs() << "\n";
    printTree(G, Child, Depth + 1, Shown);
  }
}

json::Value stringList(const std::optional<std::vector<std::string>> &L) {
  if (!L)
    return nullptr;
  json::Array A;
  for (const std::string &S : *L)
    A.push_back(S);
  return A;
}

json::Object toJSON(StringRef File, const DependencyGraph &G,
                    const ResolveOptions &Opts,
                    ArrayRef<Hazard> Hazards) {
  json::Array Libraries;
  for (const LibraryNode &N : G.Nodes) {
    json::Array Needed;
    for (const Resolution &R : N.Needed) {
      json::Array Tried;
      for (const std::string &T : R.Tried)
        Tried.push_back(T);
      Needed.push_back(json::Object{
          {"name", R.Name},
          {"path", R.Path.empty() ? json::Value(nullptr) : json::Value(R.Path)},
          {"via", foundViaName(R.Via)},
          {"entry", R.Entry.empty() ? json::Value(nullptr) : json::Value(R.Entry)},
          {"tried", std::move(Tried)},
      });
    }
    Libraries.push_back(json::Object{
        {"path", N.LoaderPath},
        {"host_path", escapeForJSON(N.HostPath)},
        {"error", N.Error.empty() ? json::Value(nullptr) : json::Value(N.Error)},
        {"runtime_path", stringList(N.RuntimePath)},
        {"rpath.0", stringList(N.RPathSection)},
        {"needed", std::move(Needed)},
    });
  }
  json::Array HazardList;
  for (const Hazard &H : Hazards)
    HazardList.push_back(
        json::Object{{"module", H.Module}, {"message", H.Message}});
  return json::Object{
      {"file", escapeForJSON(File)},
      {"loader", Opts.Rules->Name},
      {"root", Opts.Root},
      {"resolved", G.allResolved()},
      {"libraries", std::move(Libraries)},
      {"hazards", std::move(HazardList)},
  };
}

} // namespace

int main(int Argc, char **Argv) {
  InitLLVM X(Argc, Argv);
  ignoreFileSizeSignal();
  ToolName = sys::path::filename(Argv[0]);
  ToolOptTable T;
  unsigned MissingIndex, MissingCount;
  opt::InputArgList Args =
      T.ParseArgs(ArrayRef(Argv + 1, Argc - 1), MissingIndex, MissingCount);
  auto Fail = [&](const Twine &Msg) {
    WithColor::error(errs(), ToolName) << Msg << "\n";
    return 1;
  };
  if (MissingCount)
    return Fail("missing argument to '" +
                StringRef(Args.getArgString(MissingIndex)) + "'");
  for (const opt::Arg *A : Args.filtered(OPT_UNKNOWN))
    return Fail("unknown argument '" + A->getAsString(Args) + "'");
  if (Args.hasArg(OPT_help)) {
    T.printHelp(outs(), (ToolName + " [options] <file>...").str().c_str(),
                "wasm-ldd: show how a loader resolves the libraries of "
                "WebAssembly side modules",
                /*ShowHidden=*/false, /*ShowAllAliases=*/false);
    return 0;
  }
  if (Args.hasArg(OPT_version)) {
    outs() << ToolName << " (wasm-rpath) " << WASM_RPATH_VERSION << "\n";
    return 0;
  }

  ResolveOptions Opts;
  Opts.Root = Args.getLastArgValue(OPT_root, "/").str();
  Opts.Cwd = Args.getLastArgValue(OPT_cwd).str();
  StringRef LoaderName = Args.getLastArgValue(OPT_loader, "emscripten");
  Opts.Rules = getLoaderRules(LoaderName);
  if (!Opts.Rules)
    return Fail("unknown --loader '" + LoaderName + "' (expected " +
                join(getLoaderNames(), " or ") + ")");
  Opts.LibraryPath =
      collectSearchEntries(Args, {OPT_library_path}, OPT_library_path_entry);
  if (const opt::Arg *A = Args.getLastArg(OPT_rpath_section)) {
    std::optional<RPathPlace> P = parseRPathPlace(A->getValue());
    if (!P || *P == RPathPlace::Both)
      return Fail("invalid --rpath-section '" + StringRef(A->getValue()) +
                  "' (expected dylink or rpath.0)");
    Opts.Place = *P;
  }
  std::vector<std::string> Inputs = Args.getAllArgValues(OPT_INPUT);
  if (Inputs.empty())
    return Fail("no input files");
  bool Json = Args.hasArg(OPT_json), Check = Args.hasArg(OPT_check);

  bool Failed = false, Unresolved = false;
  json::Array JsonOut;
  for (const std::string &File : Inputs) {
    Expected<DependencyGraph> G = resolveDependencies(File, Opts);
    if (!G) {
      outs().flush();
      WithColor::error(errs(), ToolName)
          << printable(toString(G.takeError())) << "\n";
      Failed = true;
      continue;
    }
    std::vector<Hazard> Hazards;
    if (Check || Json)
      Hazards = findHazards(*G, Opts);
    Unresolved |= !G->allResolved();
    if (Json) {
      JsonOut.push_back(toJSON(File, *G, Opts, Hazards));
    } else {
      outs() << printable(G->Nodes[0].LoaderPath) << "\n";
      std::vector<bool> Shown(G->Nodes.size(), false);
      printTree(*G, 0, 0, Shown);
    }
    // The tree first, then what is wrong with it, in this order on a
    // terminal and in a pipe alike.
    outs().flush();
    if (Check)
      for (const Hazard &H : Hazards)
        WithColor::warning(errs(), ToolName)
            << "'" << printable(H.Module) << "': " << printable(H.Message)
            << "\n";
  }
  if (Json)
    outs() << formatv("{0:2}", json::Value(std::move(JsonOut))) << "\n";
  outs().flush();
  if (Check && Unresolved)
    WithColor::error(errs(), ToolName)
        << "some libraries are not found or not usable\n";
  if (!flushStandardOutput(ToolName))
    return 1;
  return Failed || (Check && Unresolved) ? 1 : 0;
}
