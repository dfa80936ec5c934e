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
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <map>

using namespace llvm;

namespace wasmrpath {

using namespace loader_detail;

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
                                    const ResolveOptions &Opts) {
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
  // Reads one library; problems become the node's Error so that the walk
  // can report every one of them. The bytes are dropped once read.
  auto Load = [&](StringRef LoaderPath, LoaderFileSystem::FileType Type) {
    LibraryNode N;
    N.LoaderPath = LoaderPath.str();
    N.HostPath = FS.locate(LoaderPath);
    if (Type != LoaderFileSystem::FileType::Regular) {
      bool Missing = Type == LoaderFileSystem::FileType::Missing;
      N.Problem = Missing ? NodeProblem::Missing : NodeProblem::NotRegular;
      N.Error = Missing ? "no such file" : "not a regular file";
      return N;
    }
    Expected<std::unique_ptr<MemoryBuffer>> Buf = FS.read(LoaderPath);
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
    if (!Obj->isSharedLibrary()) {
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
    N.RuntimePath = Obj->Dylink->RuntimePath;
    N.RPathSection = Obj->RPathSection;
    N.RunPath = getRPath(*Obj, Opts.Place);
    SearchDirs RunDirs = expandRunPath(N.RunPath, LoaderPath, *Opts.Rules);
    for (const std::string &Name : Obj->Dylink->Needed)
      N.Needed.push_back(resolveIn(Name, LibraryDirs, RunDirs, Cwd,
                                   *Opts.Rules, Exists, IsDirectory));
    return N;
  };

  // One node per file: by identity for files that exist, by path for the
  // rest (a missing root). A file reached again through another path (a
  // diamond, a cycle, a symbolic link to ".") only gains an edge, so the
  // walk ends after one read per distinct file, and the queue is the
  // node list itself: nothing recurses.
  DependencyGraph G;
  std::map<sys::fs::UniqueID, size_t> ByID;
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
    G.Nodes.push_back(Load(Path, S.Type));
    return G.Nodes.size() - 1;
  };
  for (const std::string &P : RootPaths)
    G.Roots.push_back(Add(normalizeLoaderPath(P)));
  for (size_t I = 0; I < G.Nodes.size(); ++I) {
    for (size_t J = 0; J < G.Nodes[I].Needed.size(); ++J) {
      const Resolution &R = G.Nodes[I].Needed[J];
      std::optional<size_t> Child;
      if (R.Via != FoundVia::NotFound) {
        std::string Path = R.Path; // Add() may move the nodes.
        Child = Add(Path);
      }
      G.Nodes[I].Children.push_back(Child);
    }
  }
  return G;
}

} // namespace wasmrpath
