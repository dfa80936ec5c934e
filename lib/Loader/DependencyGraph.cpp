//===- DependencyGraph.cpp - The libraries reachable from some modules ----===//
//
// The dependency walk: from root modules, every NEEDED name resolved as the
// loader would, each distinct file read once (by identity), breadth first,
// without recursion.
//
//===----------------------------------------------------------------------===//

#include "Search.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Symbols.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <map>

using namespace llvm;

namespace wasmrpath {

using namespace loader_detail;

namespace {

/// A module's NEEDED names, each once, in the order of its first
/// occurrence. The loader loads a name once (a later occurrence finds it
/// loaded; a name not found fails the load at its first occurrence), so a
/// repeated name adds nothing but repeated work and repeated reports.
std::vector<StringRef> distinctNeeded(ArrayRef<std::string> Needed) {
  std::vector<StringRef> Out;
  StringSet<> Seen;
  for (const std::string &Name : Needed)
    if (Seen.insert(Name).second)
      Out.push_back(Name);
  return Out;
}

} // namespace

bool DependencyGraph::allResolved() const {
  for (const LibraryNode &N : Nodes) {
    if (!N.Error.empty())
      return false;
    for (const Resolution &R : N.Needed)
      if (R.Via == FoundVia::NotFound)
        return false;
  }
  return true;
}
Expected<std::string> loaderPathOf(StringRef Root, StringRef HostPath) {
  SmallString<256> Abs(HostPath);
  if (std::error_code EC = sys::fs::make_absolute(Abs))
    return errorCodeToError(EC);
  sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  if (!isUnder(Abs, Root)) {
    // The root may have been given through a symlink.
    SmallString<256> Real;
    if (sys::fs::real_path(Abs, Real) || !isUnder(Real, Root))
      return makeError(errc::invalid_argument,
                       "not under the root directory '" + Root + "'");
    Abs = Real;
  }
  if (Root == "/")
    return std::string(Abs);
  return normalizeLoaderPath(StringRef(Abs).drop_front(Root.size()));
}

DependencyGraph resolveDependencies(LoaderFileSystem &FS,
                                    ArrayRef<std::string> RootPaths,
                                    const ResolveOptions &Opts,
                                    const StartupLoads *Startup) {
  assert(Opts.Rules && "no loader rules");
  std::string Cwd = Opts.Cwd.empty() ? Opts.Rules->DefaultCwd : Opts.Cwd;
  SearchDirs LibraryDirs = libraryDirs(Opts.libraryPath(), *Opts.Rules);
  // Whether each directory a candidate is in exists, asked once per
  // directory: a module with thousands of NEEDED names and of entries
  // costs one question per directory plus one per candidate in a directory
  // that exists.
  StringMap<bool> DirExists;
  auto IsDirectory = [&](StringRef P) {
    auto [It, Inserted] = DirExists.try_emplace(P);
    if (Inserted)
      It->second =
          FS.status(P).Type == LoaderFileSystem::FileType::Directory;
    return It->second;
  };
  auto Exists = [&](StringRef P) {
    StringRef Parent = P.rsplit('/').first;
    return IsDirectory(Parent.empty() ? "/" : Parent) &&
           FS.status(P).Type == LoaderFileSystem::FileType::Regular;
  };
  // Reads one library from \p From; problems become the node's Error so
  // that the walk can report every one of them. The bytes are dropped once
  // read. A start-up library's NEEDED names are left unresolved (only
  // named): the start-up walk resolves them in load order.
  auto Load = [&](LoaderFileSystem &From, StringRef LoaderPath,
                  LoaderFileSystem::FileType Type, bool AtStartup,
                  bool IsMain = false) {
    LibraryNode N;
    N.LoaderPath = LoaderPath.str();
    N.HostPath = From.locate(LoaderPath);
    N.AtStartup = AtStartup;
    if (Type != LoaderFileSystem::FileType::Regular) {
      bool Missing = Type == LoaderFileSystem::FileType::Missing;
      N.Problem = Missing ? NodeProblem::Missing : NodeProblem::NotRegular;
      N.Error = Missing ? "no such file" : "not a regular file";
      return N;
    }
    Expected<std::unique_ptr<MemoryBuffer>> Buf = From.read(LoaderPath);
    if (!Buf) {
      N.Problem = NodeProblem::Unreadable;
      N.Error = toString(Buf.takeError());
      return N;
    }
    Expected<Object> Obj = readObject(arrayRefFromStringRef((*Buf)->getBuffer()));
    if (!Obj) {
      N.Problem = NodeProblem::Malformed;
      N.Error = toString(Obj.takeError());
      return N;
    }
    // A main module without dylink.0 loads nothing; any other module
    // without it is no side module.
    if (!Obj->isSharedLibrary() && !IsMain) {
      N.Problem = NodeProblem::NotSideModule;
      N.Error = toString(makeNotSharedLibraryError());
      return N;
    }
    Expected<ModuleSymbols> Symbols = readModuleSymbols(*Obj);
    if (!Symbols) {
      N.Problem = NodeProblem::Malformed;
      N.Error = toString(Symbols.takeError());
      return N;
    }
    N.Symbols = std::move(*Symbols);
    if (!Obj->Dylink)
      return N;
    N.RuntimePath = Obj->Dylink->RuntimePath;
    N.RPathSection = Obj->RPathSection;
    std::vector<StringRef> Needed = distinctNeeded(Obj->Dylink->Needed);
    if (AtStartup) {
      for (StringRef Name : Needed)
        N.Needed.emplace_back().Name = Name.str();
      return N;
    }
    N.RunPath = getRPath(*Obj, Opts.Place);
    SearchDirs RunDirs = expandRunPath(N.RunPath, LoaderPath, *Opts.Rules);
    for (StringRef Name : Needed)
      N.Needed.push_back(resolveIn(Name, LibraryDirs, RunDirs, Cwd,
                                   *Opts.Rules, Exists, IsDirectory));
    return N;
  };

  DependencyGraph G;
  std::map<sys::fs::UniqueID, size_t> ByID;
  // Start-up libraries by the name they are registered under.
  StringMap<size_t> Registered;
  if (Startup && Startup->FS) {
    LoaderFileSystem &SFS = *Startup->FS;
    // One start-up library, registered under Name, read from Path; the
    // registration comes first, as Emscripten's newDSO() does.
    auto AddStartup = [&](StringRef Name, StringRef Path, bool IsMain) {
      LoaderFileSystem::Status S = SFS.status(Path);
      size_t Index = G.Nodes.size();
      G.Nodes.push_back(Load(SFS, Path, S.Type, /*AtStartup=*/true, IsMain));
      G.Nodes.back().LoaderPath = IsMain ? Path.str() : Name.str();
      if (!IsMain)
        Registered[Name] = Index;
      if (S.Type != LoaderFileSystem::FileType::Missing)
        ByID.try_emplace(S.ID, Index);
      return Index;
    };
    // Depth first in load order, as loadDylibs goes: each NEEDED name is
    // taken from the registry if a library of that name was registered
    // before, else fetched with locateFile() (and registered).
    auto Walk = [&](size_t Root) {
      std::vector<std::pair<size_t, size_t>> Stack{{Root, 0}};
      while (!Stack.empty()) {
        auto &[Node, Next] = Stack.back();
        if (Next == G.Nodes[Node].Needed.size()) {
          Stack.pop_back();
          continue;
        }
        size_t I = Next++;
        size_t Parent = Node; // The push below may move Stack's elements.
        std::string Name = registryName(G.Nodes[Parent].Needed[I].Name);
        Resolution &R = G.Nodes[Parent].Needed[I];
        auto It = Registered.find(Name);
        if (It != Registered.end()) {
          R.Via = FoundVia::Registered;
          R.Path = Name;
          G.Nodes[Parent].Children.push_back(It->second);
          continue;
        }
        std::string Path = normalizeLoaderPath(
            StringRef(Name).starts_with("/")
                ? Name
                : (Startup->LocateDir + "/" + Name));
        R.Tried.push_back(Path);
        if (SFS.status(Path).Type != LoaderFileSystem::FileType::Regular) {
          G.Nodes[Parent].Children.push_back(std::nullopt);
          continue; // Not found: Via stays NotFound.
        }
        R.Via = FoundVia::LocateFile;
        R.Path = Name;
        R.Entry = Startup->LocateDir;
        size_t Child = AddStartup(Name, Path, /*IsMain=*/false);
        G.Nodes[Parent].Children.push_back(Child);
        Stack.emplace_back(Child, 0);
      }
    };
    if (!Startup->MainModule.empty()) {
      G.Main = AddStartup("", Startup->MainModule, /*IsMain=*/true);
      G.Startup.push_back(*G.Main);
      Walk(*G.Main);
    }
    for (const auto &[Name, Path] : Startup->Preloads) {
      std::string Key = registryName(Name);
      auto It = Registered.find(Key);
      if (It != Registered.end()) {
        G.Startup.push_back(It->second); // Loaded already: taken as it is.
        continue;
      }
      size_t Index = AddStartup(Key, normalizeLoaderPath(Path), false);
      G.Startup.push_back(Index);
      Walk(Index);
    }
  }

  // One node per file: by identity for files that exist, by path for the
  // rest (a missing root). A file reached again through another path (a
  // diamond, a cycle, a symbolic link to ".") only gains an edge, so the
  // walk ends after one read per distinct file, and the queue is the
  // node list itself: nothing recurses. A start-up library's file is that
  // library.
  StringMap<size_t> ByPath;
  auto Add = [&](StringRef Path) {
    auto [PIt, PInserted] = ByPath.try_emplace(Path, G.Nodes.size());
    if (!PInserted)
      return PIt->second;
    LoaderFileSystem::Status S = FS.status(Path);
    if (S.Type != LoaderFileSystem::FileType::Missing) {
      auto [It, Inserted] = ByID.try_emplace(S.ID, G.Nodes.size());
      if (!Inserted)
        return PIt->second = It->second;
    }
    G.Nodes.push_back(Load(FS, Path, S.Type, /*AtStartup=*/false));
    return G.Nodes.size() - 1;
  };
  size_t FirstWalked = G.Nodes.size();
  for (const std::string &P : RootPaths)
    G.Roots.push_back(Add(normalizeLoaderPath(P)));
  for (size_t I = FirstWalked; I < G.Nodes.size(); ++I) {
    if (G.Nodes[I].AtStartup)
      continue;
    for (size_t J = 0; J < G.Nodes[I].Needed.size(); ++J) {
      Resolution &R = G.Nodes[I].Needed[J];
      std::optional<size_t> Child;
      if (R.Via != FoundVia::NotFound) {
        std::string Path = R.Path; // Add() may move the nodes.
        Child = Add(Path);
      } else if (R.Entry.empty() && !Registered.empty()) {
        // Not found by the search (and not stopped at a relative entry):
        // a library registered under the name at start-up is taken.
        auto It = Registered.find(registryName(R.Name));
        if (It != Registered.end()) {
          R.Via = FoundVia::Registered;
          R.Path = It->first().str();
          Child = It->second;
        }
      }
      G.Nodes[I].Children.push_back(Child);
    }
  }
  return G;
}

} // namespace wasmrpath
