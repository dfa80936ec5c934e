//===- wasm-ldd.cpp - Show how a loader resolves a side module's libraries -===//
//
// lddtree for WebAssembly side modules: the dependency tree of each input as
// a given loader (Pyodide by default, bare Emscripten, wasmer) would resolve
// it, where each library was found, which modules load, and which symbols
// clash. Inputs are modules, directories (every module under them) and
// wheels (read without unpacking, as if installed in site-packages); all of
// them form one load set, as one process would load them. The rules live in
// the library (Resolve.h, Symbols.h); this file parses options and prints.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/CommandLine.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Symbols.h"
#include "wasm-rpath/ToolProcess.h"
#include "wasm-rpath/Version.h"
#include "wasm-rpath/Zip.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/Option.h"
#include "llvm/Support/CommandLine.h"
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

/// The version of the --json layout (docs/wasm-ldd.schema.json). Bump it
/// when a field changes meaning or goes away; adding fields keeps it.
constexpr int JsonSchemaVersion = 1;

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

/// One input of the command line.
struct Input {
  enum Kind { Module, Wheel, Directory };
  std::string File;
  Kind K = Module;
  std::string Error;              ///< Set if the input itself failed.
  std::vector<std::string> Roots; ///< Loader paths of its modules.
  std::vector<size_t> Nodes;      ///< Their graph nodes.
  size_t Request = 0;             ///< Its LoadRequest.
};

StringRef kindName(Input::Kind K) {
  switch (K) {
  case Input::Module:
    return "module";
  case Input::Wheel:
    return "wheel";
  case Input::Directory:
    return "directory";
  }
  llvm_unreachable("unknown input kind");
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

json::Value stringList(ArrayRef<std::string> L) {
  json::Array A;
  for (const std::string &S : L)
    A.push_back(S);
  return A;
}

json::Value optionalList(const std::optional<std::vector<std::string>> &L) {
  return L ? stringList(*L) : json::Value(nullptr);
}

json::Value orNull(StringRef S) {
  return S.empty() ? json::Value(nullptr) : json::Value(S);
}

json::Object toJSON(ArrayRef<Input> Inputs, const DependencyGraph &G,
                    const LoadPrediction &P, const ResolveOptions &Opts,
                    StringRef MainModule, ArrayRef<Hazard> Hazards,
                    bool Resolved) {
  json::Array InputList;
  for (const Input &In : Inputs) {
    json::Array Modules;
    if (In.Error.empty())
      for (const RootOutcome &O : P.Outcomes[In.Request])
        Modules.push_back(json::Object{
            {"path", G.Nodes[O.Node].LoaderPath},
            {"status", loadStatusName(O.Status)},
            {"reason", orNull(O.Reason)},
        });
    InputList.push_back(json::Object{
        {"file", In.File},
        {"kind", kindName(In.K)},
        {"error", orNull(In.Error)},
        {"modules", std::move(Modules)},
    });
  }
  json::Array Libraries;
  for (const LibraryNode &N : G.Nodes) {
    json::Array Needed;
    for (const Resolution &R : N.Needed)
      Needed.push_back(json::Object{
          {"name", R.Name},
          {"path", orNull(R.Path)},
          {"via", foundViaName(R.Via)},
          {"entry", orNull(R.Entry)},
          {"tried", stringList(R.Tried)},
          {"tried_omitted", static_cast<int64_t>(R.TriedOmitted)},
      });
    json::Array Exports;
    for (const ExportedSymbol &E : N.Symbols.Exports)
      Exports.push_back(E.Name);
    Libraries.push_back(json::Object{
        {"path", N.LoaderPath},
        {"host_path", N.HostPath},
        {"error", orNull(N.Error)},
        {"runtime_path", optionalList(N.RuntimePath)},
        {"rpath.0", optionalList(N.RPathSection)},
        {"needed", std::move(Needed)},
        {"exports", std::move(Exports)},
    });
  }
  json::Array Order;
  for (size_t N : P.LoadOrder)
    Order.push_back(G.Nodes[N].LoaderPath);
  json::Array HazardList;
  for (const Hazard &H : Hazards) {
    json::Object O{{"kind", H.Kind}, {"module", H.Module}, {"message", H.Message}};
    if (!H.Symbol.empty()) {
      O["symbol"] = H.Symbol;
      O["winner"] = H.Winner;
    }
    HazardList.push_back(std::move(O));
  }
  return json::Object{
      {"schema_version", JsonSchemaVersion},
      {"loader", Opts.Rules->Name},
      {"root", Opts.Root},
      {"library_path", stringList(Opts.libraryPath())},
      {"main_module", orNull(MainModule)},
      {"inputs", std::move(InputList)},
      {"libraries", std::move(Libraries)},
      {"load_order", std::move(Order)},
      {"resolved", Resolved},
      {"hazards", std::move(HazardList)},
  };
}

/// The modules under the host directory \p Dir that Pyodide would preload,
/// sorted (a directory has no zip order), symbolic links not followed.
Expected<std::vector<std::string>> modulesUnder(StringRef Dir) {
  std::vector<std::string> Found;
  std::error_code EC;
  for (sys::fs::recursive_directory_iterator It(Dir, EC, /*follow=*/false), End;
       It != End && !EC; It.increment(EC)) {
    if (It->type() == sys::fs::file_type::regular_file &&
        isPreloadedByPyodide(It->path()))
      Found.push_back(It->path());
  }
  if (EC)
    return createFileError(Dir, EC);
  llvm::sort(Found);
  return Found;
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
    for (StringRef Name : getLoaderNames()) {
      const LoaderRules &R = *getLoaderRules(Name);
      All[Name] = json::Object{
          {"name", R.Name},
          {"origin", R.Origin == LoaderRules::OriginStyle::JSReplace
                         ? "js-replace"
                         : "path-join"},
          {"expandBracedOrigin", R.ExpandBracedOrigin},
          {"splitChars", R.SplitChars},
          {"maxCandidateLength", static_cast<int64_t>(R.MaxCandidateLength)},
          {"walksDotDot", R.WalksDotDot},
          {"loadsRelativePaths", R.LoadsRelativePaths},
          {"defaultDirs", stringList(R.DefaultDirs)},
          {"retryFrom", R.RetryFrom},
          {"retryTo", R.RetryTo},
          {"defaultCwd", R.DefaultCwd},
          {"defaultLibraryPath", stringList(R.DefaultLibraryPath)},
          {"sitePackages", R.SitePackages},
      };
    }
    outs() << formatv("{0:2}", json::Value(std::move(All))) << "\n";
    return 0;
  }

  ResolveOptions Opts;
  Opts.Root = Args.getLastArgValue(OPT_root, "/").str();
  Opts.Cwd = Args.getLastArgValue(OPT_cwd).str();
  StringRef LoaderName = Args.getLastArgValue(OPT_loader, "pyodide");
  Opts.Rules = getLoaderRules(LoaderName);
  if (!Opts.Rules)
    return Fail("unknown --loader '" + LoaderName + "' (expected " +
                join(getLoaderNames(), ", ") + ")");
  if (Args.hasArg(OPT_library_path, OPT_library_path_entry))
    Opts.LibraryPath =
        collectSearchEntries(Args, {OPT_library_path}, OPT_library_path_entry);
  if (const opt::Arg *A = Args.getLastArg(OPT_rpath_section)) {
    std::optional<RPathPlace> P = parseRPathPlace(A->getValue());
    if (!P || *P == RPathPlace::Both)
      return Fail("invalid --rpath-section '" + StringRef(A->getValue()) +
                  "' (expected dylink or rpath.0)");
    Opts.Place = *P;
  }
  std::vector<std::string> Files = Args.getAllArgValues(OPT_INPUT);
  if (Files.empty())
    return Fail("no input files");
  bool Json = Args.hasArg(OPT_json), Check = Args.hasArg(OPT_check);
  bool AutoRoot = !Args.hasArg(OPT_no_auto_root);

  // The root comes from --root; its errors say so, because a message about
  // a directory the user never named on its own is puzzling.
  SmallString<256> RealRoot;
  if (std::error_code EC = sys::fs::real_path(Opts.Root, RealRoot))
    return Fail(printable("--root '" + Opts.Root + "': " + EC.message()));
  if (!sys::fs::is_directory(RealRoot))
    return Fail(printable("--root '" + Opts.Root + "' is not a directory"));
  Expected<std::unique_ptr<LoaderFileSystem>> Host =
      createHostFileSystem(RealRoot);
  if (!Host)
    return Fail(printable(toString(Host.takeError())));
  MemoryOverlayFileSystem FS(Host->get());

  // The main module: its exports are bound before any side module's.
  std::optional<ModuleSymbols> Main;
  StringRef MainModule = Args.getLastArgValue(OPT_main_module);
  if (!MainModule.empty()) {
    Expected<std::unique_ptr<InputFile>> In = InputFile::open(MainModule);
    if (!In)
      return Fail(printable(toString(createFileError(MainModule, In.takeError()))));
    Expected<ModuleSymbols> S = readModuleSymbols((*In)->data());
    if (!S)
      return Fail(printable(toString(createFileError(MainModule, S.takeError()))));
    Main = std::move(*S);
  }

  // Where an input is in the loader's file system: a host path under the
  // root, or, as lddtree does with -R, the input taken inside the root.
  auto LoaderPathOf = [&](StringRef File) -> Expected<std::string> {
    Expected<std::string> L = loaderPathOf(RealRoot, File);
    if (L && (!AutoRoot || sys::fs::exists(File)))
      return L;
    if (!AutoRoot)
      return L.takeError();
    consumeError(L.takeError());
    return normalizeLoaderPath(("/" + File).str());
  };
  // Wheels stay open (and mapped) until the end: their members are read
  // from the mapping.
  std::vector<std::unique_ptr<InputFile>> Wheels;
  std::vector<zip::Archive> Archives;
  Archives.reserve(Files.size());
  StringRef SitePackages = Opts.Rules->SitePackages.empty()
                               ? StringRef("/lib/python3.14/site-packages")
                               : StringRef(Opts.Rules->SitePackages);
  std::vector<Input> Inputs;
  for (const std::string &File : Files) {
    Input &In = Inputs.emplace_back();
    In.File = File;
    auto SetError = [&](Error E) {
      In.Error = toString(createFileError(File, std::move(E)));
    };
    if (StringRef(File).ends_with(".whl") && sys::fs::is_regular_file(File)) {
      In.K = Input::Wheel;
      Expected<std::unique_ptr<InputFile>> F =
          InputFile::open(File, InputAccess::Descriptor);
      if (!F) {
        SetError(F.takeError());
        continue;
      }
      Expected<zip::Archive> A =
          zip::Archive::read((*F)->fd(), (*F)->size());
      if (!A) {
        SetError(A.takeError());
        continue;
      }
      Wheels.push_back(std::move(*F));
      Archives.push_back(std::move(*A));
      Expected<std::vector<std::string>> Preload =
          installWheel(Archives.back(), File, SitePackages, FS);
      if (!Preload) {
        SetError(Preload.takeError());
        continue;
      }
      In.Roots = std::move(*Preload);
      continue;
    }
    Expected<std::string> L = LoaderPathOf(File);
    if (!L) {
      SetError(L.takeError());
      continue;
    }
    if (FS.status(*L).Type == LoaderFileSystem::FileType::Directory) {
      In.K = Input::Directory;
      Expected<std::vector<std::string>> Mods = modulesUnder(FS.locate(*L));
      if (!Mods) {
        In.Error = toString(Mods.takeError());
        continue;
      }
      for (const std::string &M : *Mods) {
        Expected<std::string> ML = loaderPathOf(RealRoot, M);
        if (!ML) {
          SetError(ML.takeError());
          break;
        }
        In.Roots.push_back(*ML);
      }
      continue;
    }
    In.Roots.push_back(*L);
  }

  // One graph and one load set for all inputs: one process loads them.
  std::vector<std::string> AllRoots;
  for (const Input &In : Inputs)
    if (In.Error.empty())
      AllRoots.insert(AllRoots.end(), In.Roots.begin(), In.Roots.end());
  DependencyGraph G = resolveDependencies(FS, AllRoots, Opts);
  std::vector<LoadRequest> Requests;
  size_t NextRoot = 0;
  std::vector<bool> FailedRoot(G.Nodes.size(), false);
  for (Input &In : Inputs) {
    if (!In.Error.empty())
      continue;
    for (size_t I = 0; I < In.Roots.size(); ++I)
      In.Nodes.push_back(G.Roots[NextRoot++]);
    // A module given by itself must be a side module: that is an error
    // about the input, as for ldd. A package's broken module is a failed
    // load, predicted like the others.
    if (In.K == Input::Module && !G.Nodes[In.Nodes[0]].Error.empty()) {
      std::string Why = G.Nodes[In.Nodes[0]].Error;
      SmallString<256> Real;
      if (Why == "no such file" && Opts.Root != "/" &&
          !sys::fs::real_path(In.File, Real)) {
        // The file exists on the host, but the loader cannot reach it: it
        // is outside the root, or a link inside leads out.
        Expected<std::string> Lexical = loaderPathOf(RealRoot, In.File);
        Why = Lexical ? "resolves outside the root through a symbolic link"
                      : "not under the --root directory '" +
                            std::string(RealRoot) + "'";
        consumeError(Lexical.takeError());
      } else if (Why == "no such file" && Opts.Root != "/") {
        Why += " under the --root directory '" + std::string(RealRoot) + "'";
      }
      In.Error = toString(createFileError(
          In.File, createStringError(inconvertibleErrorCode(), Why)));
      FailedRoot[In.Nodes[0]] = true;
      continue;
    }
    In.Request = Requests.size();
    Requests.push_back({In.File, In.Nodes, In.K != Input::Module});
  }
  LoadPrediction P = predictLoad(G, Requests);

  bool Resolved = true;
  for (size_t I = 0; I < G.Nodes.size(); ++I) {
    if (FailedRoot[I])
      continue;
    Resolved &= G.Nodes[I].Error.empty();
    for (const Resolution &R : G.Nodes[I].Needed)
      Resolved &= R.Via != FoundVia::NotFound;
  }
  bool LoadsFail = false;
  for (const auto &Outcomes : P.Outcomes)
    for (const RootOutcome &O : Outcomes)
      LoadsFail |= O.Status != LoadStatus::Loaded;
  std::vector<Hazard> Hazards;
  if (Check || Json)
    Hazards = findHazards(G, FS, Opts, P, Main ? &*Main : nullptr);
  // A symbol defined twice makes one module use another's data: as bad as
  // a failed load, and --check fails on it too.
  for (const Hazard &H : Hazards)
    LoadsFail |= H.Kind == "symbol-clash" || H.Kind == "main-module-clash";

  bool InputFailed = false;
  for (const Input &In : Inputs)
    if (!In.Error.empty()) {
      InputFailed = true;
      if (!Json) {
        outs().flush();
        WithColor::error(errs(), ToolName) << printable(In.Error) << "\n";
      }
    }

  if (Json) {
    outs() << formatv("{0:2}", json::Value(toJSON(Inputs, G, P, Opts, MainModule,
                                                  Hazards, Resolved)))
           << "\n";
  } else if (Args.hasArg(OPT_flat_list)) {
    for (const LibraryNode &N : G.Nodes)
      if (N.Error.empty())
        outs() << printable(N.HostPath) << "\n";
  } else {
    std::vector<bool> Shown(G.Nodes.size(), false);
    for (const Input &In : Inputs) {
      if (!In.Error.empty())
        continue;
      if (In.K != Input::Module)
        outs() << printable(In.File) << ":\n";
      for (const RootOutcome &O : P.Outcomes[In.Request]) {
        outs() << printable(G.Nodes[O.Node].LoaderPath);
        // A module given alone shows why it fails in its tree; a package's
        // modules say what happened to each.
        if (In.K != Input::Module && O.Status != LoadStatus::Loaded)
          outs() << " [" << loadStatusName(O.Status) << ": "
                 << printable(O.Reason) << "]";
        outs() << "\n";
        if (!G.Nodes[O.Node].Error.empty())
          outs() << "    [unusable: " << printable(G.Nodes[O.Node].Error)
                 << "]\n";
        else if (O.Status != LoadStatus::NotAttempted)
          printTree(G, O.Node, Shown, Args.hasArg(OPT_show_all));
      }
    }
  }
  // The tree first, then what is wrong with it, in this order on a
  // terminal and in a pipe alike.
  outs().flush();
  if (Check && !Json) {
    for (const Hazard &H : Hazards) {
      // A single module's failed load is the missing library its tree
      // shows, and the error below says so.
      if (H.Kind == "load-failure" &&
          any_of(Inputs, [&](const Input &In) {
            return In.K == Input::Module && In.Error.empty() &&
                   G.Nodes[In.Nodes[0]].LoaderPath == H.Module;
          }))
        continue;
      WithColor::warning(errs(), ToolName)
          << "'" << printable(H.Module) << "': " << printable(H.Message)
          << "\n";
    }
  }
  if (Check && !Resolved)
    WithColor::error(errs(), ToolName)
        << "some libraries are not found or not usable\n";
  else if (Check && LoadsFail)
    WithColor::error(errs(), ToolName)
        << "some modules do not load or share symbols\n";
  if (!flushStandardOutput(ToolName))
    return 1;
  return InputFailed || (Check && (!Resolved || LoadsFail)) ? 1 : 0;
}
