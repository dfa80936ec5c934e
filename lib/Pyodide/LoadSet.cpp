//===- LoadSet.cpp - What one process loading some inputs gets ------------===//
//
// See LoadSet.h: input classification, the load set, the verdict and the
// JSON report, which wasm-ldd prints.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/LoadSet.h"
#include "Pyodide/InstalledWheel.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Json.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/Zip.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace wasmrpath {

struct LoadSet::Storage {
  /// The real path of the root (Opts.Resolve.Root is as the user wrote it,
  /// for messages and JSON; paths are compared with this).
  std::string Root;
  std::unique_ptr<LoaderFileSystem> Host;
  /// The host's files as they are ("/"): the main module and what it loads
  /// at start-up, which are fetched beside its JS glue, not from the
  /// loader's file system.
  std::unique_ptr<LoaderFileSystem> HostFiles;
  std::unique_ptr<InstalledWheel> FS;
  /// Wheels stay open (and mapped) until the end: their members are read
  /// from the mapping when the walk reaches them.
  std::vector<std::unique_ptr<InputFile>> Wheels;
  std::vector<std::unique_ptr<zip::Archive>> Archives;
};

LoadSet::~LoadSet() = default;

Expected<PreloadSpec> preloadSpecForFile(StringRef File) {
  // A name with a '/' at its end, or "." and "..", names a directory, not
  // a library (and sys::path::filename() would give "." for it).
  StringRef Name = sys::path::filename(File, sys::path::Style::posix);
  if (File.ends_with("/") || Name == "." || Name == "..")
    Name = "";
  if (Name.empty())
    return makeError(errc::invalid_argument,
                     "'" + File + "': the name is empty (expected [NAME=]FILE)");
  return PreloadSpec{Name.str(), File.str()};
}

Expected<PreloadSpec> parsePreloadSpec(StringRef Spec) {
  auto [Name, File] = Spec.split('=');
  if (File.empty() || Name.contains('/'))
    return preloadSpecForFile(Spec);
  if (Name.empty())
    return makeError(errc::invalid_argument,
                     "'" + Spec + "': the name is empty (expected [NAME=]FILE)");
  return PreloadSpec{Name.str(), File.str()};
}

StringRef inputKindName(LoadSetInput::Kind K) {
  switch (K) {
  case LoadSetInput::Kind::Module:
    return "module";
  case LoadSetInput::Kind::Wheel:
    return "wheel";
  case LoadSetInput::Kind::Directory:
    return "directory";
  case LoadSetInput::Kind::MainModule:
    return "main_module";
  }
  llvm_unreachable("unknown input kind");
}

namespace {

/// The host file \p Path read as far as its shape needs (pread of the
/// headers and of the sections isMainModule() looks at: a 10 MB main
/// module is not read whole to be told apart), or std::nullopt if it is no
/// module.
std::optional<Object> readModuleShape(StringRef Path) {
  Expected<std::unique_ptr<InputFile>> In =
      InputFile::open(Path, InputAccess::Descriptor);
  if (!In) {
    consumeError(In.takeError());
    return std::nullopt;
  }
  Expected<Object> Obj = readObject((*In)->fd(), (*In)->size());
  if (!Obj) {
    consumeError(Obj.takeError());
    return std::nullopt;
  }
  return std::move(*Obj);
}

/// True if the host file \p Path is a side module (dylink.0, and not a
/// main module such as pyodide.asm.wasm).
bool isSideModuleFile(StringRef Path) {
  std::optional<Object> Obj = readModuleShape(Path);
  return Obj && Obj->isSharedLibrary() && !isMainModule(*Obj);
}

/// True if the host file \p Path has the main-module shape (isMainModule()).
bool isMainModuleFile(StringRef Path) {
  std::optional<Object> Obj = readModuleShape(Path);
  return Obj && isMainModule(*Obj);
}

/// \p Path made absolute and real, if it can be.
std::string realHostPath(StringRef Path) {
  SmallString<256> Real;
  if (sys::fs::real_path(Path, Real))
    return Path.str();
  return std::string(Real);
}

/// The modules under the host directory \p Dir: those Pyodide would
/// preload ("*.so", "*.so.N") and the ".wasm" files that are side modules,
/// sorted (a directory has no zip order), symbolic links not followed. A
/// directory that cannot be read is an error naming it: LLVM's
/// recursive_directory_iterator skips one it cannot open, and the walk
/// then reported "nothing to check" for a tree whose modules it never saw.
Expected<std::vector<std::string>> modulesUnder(StringRef Dir) {
  std::vector<std::string> Found;
  std::vector<std::string> Pending = {Dir.str()};
  while (!Pending.empty()) {
    std::string D = std::move(Pending.back());
    Pending.pop_back();
    std::error_code EC;
    for (sys::fs::directory_iterator It(D, EC, /*follow_symlinks=*/false), End;
         It != End && !EC; It.increment(EC)) {
      sys::fs::file_type Type = It->type();
      if (Type == sys::fs::file_type::directory_file) {
        Pending.push_back(It->path());
        continue;
      }
      if (Type != sys::fs::file_type::regular_file)
        continue;
      if (isPreloadedByPyodide(It->path()) ||
          (StringRef(It->path()).ends_with(".wasm") &&
           isSideModuleFile(It->path())))
        Found.push_back(It->path());
    }
    if (EC)
      return createFileError(D, EC);
  }
  llvm::sort(Found);
  return Found;
}

json::Value orNull(StringRef S) {
  return S.empty() ? json::Value(nullptr) : jsonString(S);
}

} // namespace

/// Stage 1: the loader's file system, the host tree under the root with
/// the wheels' members installed in front of it.
Error LoadSet::openFileSystems() {
  Storage &St = *Store;
  // Resolve.Root is the root as the user wrote it (messages and JSON show
  // it so); paths are compared with its real path.
  SmallString<256> RealRoot;
  if (std::error_code EC = sys::fs::real_path(Opts.Resolve.Root, RealRoot))
    return createFileError(Opts.Resolve.Root, EC);
  St.Root = std::string(RealRoot);

  Expected<std::unique_ptr<LoaderFileSystem>> Host = createHostFileSystem(St.Root);
  if (!Host)
    return Host.takeError();
  St.Host = std::move(*Host);
  // Wheels are installed into one site-packages in front of the host tree
  // (Pyodide's site-packages, whatever the loader: a wheel is a Pyodide
  // package), their members read only when the walk reaches them.
  InstallOptions Install;
  if (!Opts.Resolve.Rules->SitePackages.empty())
    Install.Rules = Opts.Resolve.Rules;
  St.FS = std::make_unique<InstalledWheel>(Install, St.Host.get());
  return Error::success();

}

/// Stage 2: what each input is (a wheel, a directory, a side module, the
/// main module) and the loader paths of its modules. A problem with one
/// input is recorded on it; the others go on.
void LoadSet::classifyInputs(ArrayRef<std::string> Files) {
  Storage &St = *Store;
  InstalledWheel &FS = *St.FS;
  const std::string &Root = St.Root;
  // Where an input is in the loader's file system: a host path under the
  // root, or, as lddtree does with -R, the input taken inside the root.
  auto LoaderPathOf = [&](StringRef File) -> Expected<std::string> {
    Expected<std::string> L = loaderPathOf(Root, File);
    if (L && (!Opts.AutoRoot || sys::fs::exists(File)))
      return L;
    if (!Opts.AutoRoot)
      return L.takeError();
    consumeError(L.takeError());
    return normalizeLoaderPath(("/" + File).str());
  };

  using Kind = LoadSetInput::Kind;
  using Problem = LoadSetInput::Problem;
  for (const std::string &File : Files) {
    LoadSetInput &In = Inputs.emplace_back();
    In.File = File;
    auto SetError = [&](Problem Why, Error E) {
      In.Why = Why;
      In.Error = toString(createFileError(File, std::move(E)));
    };
    if (StringRef(File).ends_with(".whl") && sys::fs::is_regular_file(File)) {
      In.K = Kind::Wheel;
      // Read with pread, never mapped: a wheel truncated meanwhile gives an
      // error, not SIGBUS.
      Expected<std::unique_ptr<InputFile>> F =
          InputFile::open(File, InputAccess::Descriptor);
      if (!F) {
        SetError(Problem::Unreadable, F.takeError());
        continue;
      }
      Expected<zip::Archive> A = zip::Archive::read((*F)->fd(), (*F)->size());
      if (!A) {
        SetError(Problem::Unreadable, A.takeError());
        continue;
      }
      St.Wheels.push_back(std::move(*F));
      St.Archives.push_back(std::make_unique<zip::Archive>(std::move(*A)));
      Expected<std::vector<std::string>> Preload =
          FS.install(*St.Archives.back(), File);
      if (!Preload) {
        SetError(Problem::Unreadable, Preload.takeError());
        continue;
      }
      In.Roots = std::move(*Preload);
      continue;
    }
    // A module with the main-module shape is the main module, wherever it
    // stands: its exports bind first, and it loads its NEEDED libraries at
    // start-up. It is a host file (served beside its glue), not a file of
    // the loader's file system: it may be outside the root.
    auto TakeAsMain = [&](const std::string &HostFile) {
      In.K = Kind::MainModule;
      if (!MainPath.empty() && !sys::fs::equivalent(MainPath, HostFile))
        SetError(Problem::SecondMainModule,
                 makeError(errc::invalid_argument,
                           "a second main module (the main module is '" +
                               MainPath + "')"));
      else
        MainPath = HostFile;
    };
    if (sys::fs::is_regular_file(File) && isMainModuleFile(File)) {
      TakeAsMain(File);
      continue;
    }
    Expected<std::string> L = LoaderPathOf(File);
    if (!L) {
      SetError(Problem::NotUnderRoot, L.takeError());
      continue;
    }
    if (FS.status(*L).Type == LoaderFileSystem::FileType::Directory) {
      In.K = Kind::Directory;
      Expected<std::vector<std::string>> Mods = modulesUnder(FS.locate(*L));
      if (!Mods) {
        In.Why = Problem::Unreadable;
        In.Error = toString(Mods.takeError());
        continue;
      }
      for (const std::string &M : *Mods) {
        Expected<std::string> ML = loaderPathOf(Root, M);
        if (!ML) {
          SetError(Problem::NotUnderRoot, ML.takeError());
          break;
        }
        In.Roots.push_back(*ML);
      }
      continue;
    }
    // The same, for an input taken inside the root.
    std::string HostFile = FS.locate(*L);
    if (FS.status(*L).Type == LoaderFileSystem::FileType::Regular &&
        isMainModuleFile(HostFile)) {
      TakeAsMain(HostFile);
      continue;
    }
    In.Roots.push_back(*L);
  }

}

/// Stage 3: the main module's headers and its JS glue (given, or beside
/// it), whose functions are providers too.
Error LoadSet::readMainModule() {
  if (MainPath.empty())
    return Error::success();
  // Checked here (its headers); read whole once, by the dependency walk,
  // which takes its symbols.
  Expected<std::unique_ptr<InputFile>> In =
      InputFile::open(MainPath, InputAccess::Descriptor);
  if (!In)
    return createFileError(MainPath, In.takeError());
  Expected<Object> Obj = readObject((*In)->fd(), (*In)->size());
  if (!Obj)
    return createFileError(MainPath, Obj.takeError());
  // The glue: given, or beside the main module.
  std::string GlueFile = Opts.MainGlue;
  bool Given = !GlueFile.empty();
  if (!Given) {
    StringRef M(MainPath);
    StringRef Stem = M.ends_with(".wasm") ? M.drop_back(5) : M;
    for (StringRef Ext : {".mjs", ".js"})
      if (sys::fs::is_regular_file(Stem + Ext)) {
        GlueFile = (Stem + Ext).str();
        break;
      }
  }
  if (!GlueFile.empty()) {
    Expected<std::unique_ptr<InputFile>> GlueIn = InputFile::open(GlueFile);
    Expected<StringSet<>> Names =
        GlueIn ? readGlueSymbols(toStringRef((*GlueIn)->data()))
               : Expected<StringSet<>>(GlueIn.takeError());
    if (Names) {
      Glue = std::move(*Names);
      GluePath = GlueFile;
    } else if (Given) {
      return createFileError(GlueFile, Names.takeError());
    } else {
      consumeError(Names.takeError()); // A file that is not glue.
    }
  }
  return Error::success();
}

/// Stage 4: the start-up loads: the main module's NEEDED libraries, then
/// the preloads, fetched beside the glue.
StartupLoads LoadSet::startupLoads() {
  // The start-up loads: the main module's NEEDED libraries, then the
  // preloads, fetched beside the glue (StartupLoads).
  Storage &St = *Store;
  StartupLoads Startup;
  if (!MainPath.empty() || !Opts.Preloads.empty()) {
    St.HostFiles = std::move(*createHostFileSystem("/"));
    Startup.FS = St.HostFiles.get();
    Startup.MainModule = MainPath.empty() ? "" : realHostPath(MainPath);
    for (const auto &[Name, File] : Opts.Preloads)
      Startup.Preloads.emplace_back(Name, realHostPath(File));
    StringRef Beside = !GluePath.empty()        ? StringRef(GluePath)
                       : !Startup.MainModule.empty() ? StringRef(Startup.MainModule)
                                                     : StringRef(Startup.Preloads[0].second);
    Startup.LocateDir = loaderDirName(realHostPath(Beside));
  }
  return Startup;
}

/// Stage 5: one dependency graph and one load prediction for all inputs
/// (one process loads them); an input module that is not a usable side
/// module is an error about that input, as for ldd.
Error LoadSet::predict(const StartupLoads &Startup,
                       std::vector<bool> &FailedRoot) {
  Storage &St = *Store;
  InstalledWheel &FS = *St.FS;
  const std::string &Root = St.Root;
  using Kind = LoadSetInput::Kind;
  using Problem = LoadSetInput::Problem;
  // One graph and one load set for all inputs: one process loads them.
  std::vector<std::string> AllRoots;
  for (const LoadSetInput &In : Inputs)
    if (In.Why == Problem::None)
      AllRoots.insert(AllRoots.end(), In.Roots.begin(), In.Roots.end());
  G = resolveDependencies(FS, AllRoots, Opts.Resolve,
                          Startup.FS ? &Startup : nullptr);
  if (G.Main) {
    LibraryNode &M = G.Nodes[*G.Main];
    if (!M.Error.empty())
      return createFileError(MainPath, makeError(errc::malformed, M.Error));
    Main = M.Symbols;
  }
  std::vector<LoadRequest> Requests;
  if (!G.Startup.empty()) {
    StartupRequest = Requests.size();
    Requests.push_back({"the start-up loads", G.Startup, true});
  }
  size_t NextRoot = 0;
  FailedRoot.assign(G.Nodes.size(), false);
  for (LoadSetInput &In : Inputs) {
    if (In.Why != Problem::None)
      continue;
    if (In.K == Kind::MainModule) {
      In.Nodes.push_back(*G.Main);
      In.Request = *StartupRequest;
      continue;
    }
    for (size_t I = 0; I < In.Roots.size(); ++I)
      In.Nodes.push_back(G.Roots[NextRoot++]);
    // A module given by itself must be a side module: that is an error
    // about the input, as for ldd. A package's broken module is a failed
    // load, predicted like the others.
    if (In.K == Kind::Module && !G.Nodes[In.Nodes[0]].Error.empty()) {
      const LibraryNode &N = G.Nodes[In.Nodes[0]];
      Problem Why = Problem::NotUsable;
      std::string Msg = N.Error;
      SmallString<256> Real;
      if (N.Problem == NodeProblem::Missing && Opts.Resolve.Root != "/") {
        if (!sys::fs::real_path(In.File, Real)) {
          // The file exists on the host, but the loader cannot reach it:
          // it is outside the root, or a link inside leads out.
          Expected<std::string> Lexical = loaderPathOf(Root, In.File);
          Why = Lexical ? Problem::LinkLeavesRoot : Problem::NotUnderRoot;
          Msg = Lexical ? "resolves outside the root through a symbolic link"
                        : "not under the root directory '" + Root + "'";
          consumeError(Lexical.takeError());
        } else {
          Why = Problem::MissingUnderRoot;
          Msg = "no such file under the root directory '" + Root + "'";
        }
      }
      In.Why = Why;
      In.Error = toString(createFileError(
          In.File, makeError(N.Problem == NodeProblem::Missing
                                 ? errc::not_found
                                 : errc::not_shared_library,
                             Msg)));
      FailedRoot[In.Nodes[0]] = true;
      continue;
    }
    In.Request = Requests.size();
    Requests.push_back({In.File, In.Nodes, In.K != Kind::Module});
  }
  P = predictLoad(G, Requests);

  return Error::success();
}

/// Stage 6: the verdict, with the symbol hazards when asked for.
void LoadSet::judge(const std::vector<bool> &FailedRoot) {
  using Kind = LoadSetInput::Kind;
  using Problem = LoadSetInput::Problem;
  LoadVerdict &V = Verdict;
  for (size_t I = 0; I < G.Nodes.size(); ++I) {
    if (FailedRoot[I])
      continue;
    V.Resolved &= G.Nodes[I].Error.empty();
    for (const Resolution &R : G.Nodes[I].Needed)
      V.Resolved &= R.Via != FoundVia::NotFound;
  }
  for (const auto &Outcomes : P.Outcomes)
    for (const RootOutcome &O : Outcomes)
      V.LoadsFail |= O.Status != LoadStatus::Loaded;
  if (Opts.FindHazards)
  {
    SymbolContext Ctx;
    Ctx.Main = mainSymbols();
    Ctx.Glue = Glue ? &*Glue : nullptr;
    Ctx.AllowDuplicate = Opts.AllowDuplicate;
    Hazards = findHazards(G, *Store->FS, Opts.Resolve, P, Ctx);
  }
  // A module bound to another's data, or missing data, is as bad as a
  // failed load (hazardSeverity()).
  for (const Hazard &H : Hazards)
    V.LoadsFail |= hazardSeverity(H.Kind) == HazardSeverity::Error;
  for (const LoadSetInput &In : Inputs) {
    V.InputFailed |= In.Why != Problem::None;
    V.NothingToCheck |= In.Why == Problem::None && In.K != Kind::Module &&
                        In.K != Kind::MainModule &&
                        In.Roots.empty();
  }
}

Expected<std::unique_ptr<LoadSet>> LoadSet::create(ArrayRef<std::string> Files,
                                                   LoadSetOptions O) {
  assert(O.Resolve.Rules && "no loader rules");
  std::unique_ptr<LoadSet> S(new LoadSet());
  S->Opts = std::move(O);
  S->Store = std::make_unique<Storage>();
  S->MainPath = S->Opts.MainModule;
  if (Error E = S->openFileSystems())
    return E;
  S->classifyInputs(Files);
  if (Error E = S->readMainModule())
    return E;
  StartupLoads Startup = S->startupLoads();
  std::vector<bool> FailedRoot;
  if (Error E = S->predict(Startup, FailedRoot))
    return E;
  S->judge(FailedRoot);
  return S;
}

bool LoadSet::isOwnInputFailure(const Hazard &H) const {
  return H.Kind == HazardKind::LoadFailure &&
         any_of(Inputs, [&](const LoadSetInput &In) {
           return In.K == LoadSetInput::Kind::Module &&
                  In.Why == LoadSetInput::Problem::None &&
                  G.Nodes[In.Nodes[0]].LoaderPath == H.Module;
         });
}

json::Object LoadSet::toJSON() const {
  json::Array InputList;
  for (const LoadSetInput &In : Inputs) {
    json::Array Modules;
    if (In.Why == LoadSetInput::Problem::None)
      for (const RootOutcome &O : P.Outcomes[In.Request])
        Modules.push_back(json::Object{
            {"path", jsonString(G.Nodes[O.Node].LoaderPath)},
            {"status", loadStatusName(O.Status)},
            {"reason", orNull(O.Reason)},
        });
    InputList.push_back(json::Object{
        {"file", jsonString(In.File)},
        {"kind", inputKindName(In.K)},
        {"error", orNull(In.Error)},
        {"modules", std::move(Modules)},
    });
  }
  json::Array Libraries;
  for (const LibraryNode &N : G.Nodes) {
    json::Array Needed;
    for (const Resolution &R : N.Needed)
      Needed.push_back(json::Object{
          {"name", jsonString(R.Name)},
          {"path", orNull(R.Path)},
          {"via", foundViaName(R.Via)},
          {"entry", orNull(R.Entry)},
          {"tried", jsonStringArray(R.Tried)},
          {"tried_omitted", static_cast<int64_t>(R.TriedOmitted)},
      });
    json::Array Exports;
    for (const ExportedSymbol &E : N.Symbols.Exports)
      Exports.push_back(jsonString(E.Name));
    Libraries.push_back(json::Object{
        {"path", jsonString(N.LoaderPath)},
        {"host_path", jsonString(N.HostPath)},
        {"error", orNull(N.Error)},
        {"runtime_path", jsonOptionalStringArray(N.RuntimePath)},
        {"rpath.0", jsonOptionalStringArray(N.RPathSection)},
        {"needed", std::move(Needed)},
        {"exports", std::move(Exports)},
        {"at_startup", N.AtStartup},
    });
  }
  json::Array StartupList;
  if (StartupRequest)
    for (const RootOutcome &O : P.Outcomes[*StartupRequest])
      StartupList.push_back(json::Object{
          {"path", jsonString(G.Nodes[O.Node].LoaderPath)},
          {"host_path", jsonString(G.Nodes[O.Node].HostPath)},
          {"main_module", G.Main && O.Node == *G.Main},
          {"status", loadStatusName(O.Status)},
          {"reason", orNull(O.Reason)},
      });
  json::Array Order;
  for (size_t N : P.LoadOrder)
    Order.push_back(jsonString(G.Nodes[N].LoaderPath));
  json::Array HazardList;
  for (const Hazard &H : Hazards) {
    json::Object O{{"kind", hazardKindName(H.Kind)},
                   {"module", jsonString(H.Module)},
                   {"message", jsonString(H.Message)}};
    if (!H.Winner.empty()) {
      O["symbol"] = jsonString(H.Symbol);
      O["winner"] = jsonString(H.Winner);
    }
    if (!H.Symbols.empty())
      O["symbols"] = jsonStringArray(H.Symbols);
    HazardList.push_back(std::move(O));
  }
  return json::Object{
      {"schema_version", JsonSchemaVersion},
      {"loader", jsonString(Opts.Resolve.Rules->Name)},
      {"root", jsonString(Opts.Resolve.Root)},
      {"library_path", jsonStringArray(Opts.Resolve.libraryPath())},
      {"main_module", orNull(MainPath)},
      {"startup", std::move(StartupList)},
      {"main_glue", orNull(GluePath)},
      {"inputs", std::move(InputList)},
      {"libraries", std::move(Libraries)},
      {"load_order", std::move(Order)},
      {"resolved", Verdict.Resolved},
      {"hazards", std::move(HazardList)},
  };
}

} // namespace wasmrpath
