//===- Resolve.cpp - How loaders find NEEDED libraries --------------------===//

#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/Symbols.h"
#include "wasm-rpath/Wheel.h"
#include "wasm-rpath/Zip.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <map>

using namespace llvm;

namespace wasmrpath {

namespace {

// Emscripten 5.0.3 as shipped in Pyodide 314.0.7 (libdylink.js and musl's
// path_open), each rule checked by loading the test vectors in Pyodide
// (test/wasm-ldd/conformance-pyodide.test).
const LoaderRules &emscriptenRules() {
  static const LoaderRules Rules = [] {
    LoaderRules R;
    R.Name = "emscripten";
    R.Origin = LoaderRules::OriginStyle::JSReplace;
    R.SplitChars = ":\n";
    R.MaxCandidateLength = 512;
    R.WalksDotDot = true;
    R.LoadsRelativePaths = false;
    R.DefaultCwd = "/home/pyodide";
    return R;
  }();
  return Rules;
}

// Pyodide 314.0.7: its Emscripten's rules in the environment it sets up
// (pyodide.asm.mjs; checked by loading the vectors and wheels in it).
const LoaderRules &pyodideRules() {
  static const LoaderRules Rules = [] {
    LoaderRules R = emscriptenRules();
    R.Name = "pyodide";
    R.DefaultLibraryPath = {"/usr/lib", "/lib/python3.14/site-packages"};
    R.SitePackages = "/lib/python3.14/site-packages";
    return R;
  }();
  return Rules;
}

// The WASIX linker (lib/wasix/src/state/linker/locator.rs), from its sources.
const LoaderRules &wasmerRules() {
  static const LoaderRules Rules = [] {
    LoaderRules R;
    R.Name = "wasmer";
    R.Origin = LoaderRules::OriginStyle::PathJoin;
    R.ExpandBracedOrigin = true;
    R.DefaultDirs = {"/lib", "/usr/lib", "/usr/local/lib"};
    R.RetryFrom = ".so";
    R.RetryTo = ".wasm";
    return R;
  }();
  return Rules;
}

constexpr StringLiteral Origin = "$ORIGIN";
constexpr StringLiteral BracedOrigin = "${ORIGIN}";

/// What String.prototype.replace inserts for \p Replacement when the match
/// is \p Match at the start of a string whose remainder is \p After.
std::string jsReplacement(StringRef Replacement, StringRef Match,
                          StringRef After) {
  std::string Out;
  for (size_t I = 0; I < Replacement.size(); ++I) {
    char C = Replacement[I];
    char Next = I + 1 < Replacement.size() ? Replacement[I + 1] : 0;
    if (C != '$' || !Next) {
      Out += C;
      continue;
    }
    switch (Next) {
    case '$':
      Out += '$';
      break;
    case '&':
      Out += Match;
      break;
    case '`':
      break; // Nothing precedes a match at the start.
    case '\'':
      Out += After;
      break;
    default:
      Out += C; // Not a pattern; "$1" without groups stays literal too.
      continue;
    }
    ++I;
  }
  return Out;
}

/// The directory an entry starting with an origin token denotes.
std::string expandOrigin(StringRef Dir, StringRef Token, StringRef Rest,
                         const LoaderRules &Rules) {
  if (Rules.Origin == LoaderRules::OriginStyle::JSReplace)
    return jsReplacement(Dir, Token, Rest) + Rest.str();
  if (Rest.empty())
    return Dir.str();
  return Rest.starts_with("/") ? (Dir + Rest).str() : (Dir + "/" + Rest).str();
}

/// Appends the directories one (expanded) entry stands for: itself, or its
/// pieces if the loader joins and re-splits the path. Joining with a
/// separator and splitting again is the same as splitting each entry on its
/// own, since empty pieces are dropped.
void appendSearchDirs(StringRef Expanded, StringRef Entry,
                      const LoaderRules &Rules,
                      std::vector<std::pair<std::string, std::string>> &Out) {
  if (Rules.SplitChars.empty()) {
    if (!Expanded.empty())
      Out.emplace_back(Expanded.str(), Entry.str());
    return;
  }
  SmallVector<StringRef, 4> Pieces;
  while (!Expanded.empty()) {
    size_t End = Expanded.find_first_of(Rules.SplitChars);
    StringRef Piece = Expanded.substr(0, End);
    if (!Piece.empty())
      Out.emplace_back(Piece.str(), Entry.str());
    Expanded = End == StringRef::npos ? StringRef() : Expanded.substr(End + 1);
  }
}

/// Resolves a candidate path the way the loader's file system does: '..'
/// lexically, or by walking, where it needs the directory before it to
/// exist. std::nullopt if the walk fails.
std::optional<std::string>
resolveCandidate(StringRef Path, const LoaderRules &Rules,
                 function_ref<bool(StringRef)> IsDirectory) {
  if (!Rules.WalksDotDot || !IsDirectory || !Path.contains(".."))
    return normalizeLoaderPath(Path);
  SmallVector<StringRef, 16> Parts, Stack;
  Path.split(Parts, '/', -1, /*KeepEmpty=*/false);
  for (StringRef P : Parts) {
    if (P == ".")
      continue;
    if (P == "..") {
      if (!IsDirectory("/" + join(Stack, "/")))
        return std::nullopt;
      if (!Stack.empty())
        Stack.pop_back();
      continue;
    }
    Stack.push_back(P);
  }
  return "/" + join(Stack, "/");
}

bool isUnder(StringRef Path, StringRef Dir) {
  if (Dir == "/")
    return Path.starts_with("/");
  return Path == Dir ||
         (Path.starts_with(Dir) && Path.size() > Dir.size() &&
          Path[Dir.size()] == '/');
}

} // namespace

const LoaderRules *getLoaderRules(StringRef Name) {
  if (Name == "pyodide")
    return &pyodideRules();
  if (Name == "emscripten")
    return &emscriptenRules();
  if (Name == "wasmer")
    return &wasmerRules();
  return nullptr;
}

ArrayRef<StringRef> getLoaderNames() {
  static const StringRef Names[] = {"pyodide", "emscripten", "wasmer"};
  return Names;
}

StringRef foundViaName(FoundVia Via) {
  switch (Via) {
  case FoundVia::Path:
    return "path";
  case FoundVia::LibraryPath:
    return "library_path";
  case FoundVia::RuntimePath:
    return "runtime_path";
  case FoundVia::DefaultDir:
    return "default";
  case FoundVia::NotFound:
    return "not_found";
  }
  llvm_unreachable("unknown FoundVia");
}

std::string normalizeLoaderPath(StringRef Path) {
  SmallVector<StringRef, 16> Parts;
  SmallVector<StringRef, 16> Out;
  Path.split(Parts, '/', -1, /*KeepEmpty=*/false);
  for (StringRef P : Parts) {
    if (P == ".")
      continue;
    if (P == "..") {
      if (!Out.empty())
        Out.pop_back();
      continue;
    }
    Out.push_back(P);
  }
  return "/" + join(Out, "/");
}

std::string loaderDirName(StringRef ModulePath) {
  std::string Norm = normalizeLoaderPath(ModulePath);
  size_t Slash = StringRef(Norm).rfind('/');
  return Slash == 0 ? "/" : Norm.substr(0, Slash);
}

std::vector<std::pair<std::string, std::string>>
expandRunPath(ArrayRef<std::string> Entries, StringRef ModulePath,
              const LoaderRules &Rules) {
  std::string Dir = loaderDirName(ModulePath);
  std::vector<std::pair<std::string, std::string>> Result;
  for (const std::string &Entry : Entries) {
    StringRef E(Entry);
    std::string Expanded;
    if (E.starts_with(Origin))
      Expanded = expandOrigin(Dir, Origin, E.drop_front(Origin.size()), Rules);
    else if (Rules.ExpandBracedOrigin && E.starts_with(BracedOrigin))
      Expanded =
          expandOrigin(Dir, BracedOrigin, E.drop_front(BracedOrigin.size()), Rules);
    else
      Expanded = Entry;
    appendSearchDirs(Expanded, Entry, Rules, Result);
  }
  return Result;
}

namespace {

/// A search list: (directory, entry it came from) pairs.
using SearchDirs = std::vector<std::pair<std::string, std::string>>;

/// LD_LIBRARY_PATH is split like the run-time path but has no $ORIGIN.
SearchDirs libraryDirs(ArrayRef<std::string> LibraryPath,
                       const LoaderRules &Rules) {
  SearchDirs Dirs;
  for (const std::string &Entry : LibraryPath)
    appendSearchDirs(Entry, Entry, Rules, Dirs);
  return Dirs;
}

/// resolveNeeded() with the search lists already expanded, so that a walk
/// expands each module's lists once, not once per NEEDED name.
Resolution resolveIn(StringRef Name, const SearchDirs &LibraryDirs,
                     const SearchDirs &RunDirs, StringRef Cwd,
                     const LoaderRules &Rules,
                     function_ref<bool(StringRef)> Exists,
                     function_ref<bool(StringRef)> IsDirectory) {
  Resolution R;
  R.Name = Name.str();
  auto TryOne = [&](StringRef Raw, FoundVia Via, StringRef Entry) {
    std::optional<std::string> Path = resolveCandidate(Raw, Rules, IsDirectory);
    if (!Path)
      return false;
    if (R.Tried.size() < Resolution::MaxTried)
      R.Tried.push_back(*Path);
    else
      ++R.TriedOmitted;
    if (!Exists(*Path))
      return false;
    R.Path = std::move(*Path);
    R.Via = Via;
    R.Entry = Entry.str();
    return true;
  };
  auto Try = [&](StringRef Raw, FoundVia Via, StringRef Entry) {
    if (TryOne(Raw, Via, Entry))
      return true;
    return !Rules.RetryFrom.empty() && Raw.ends_with(Rules.RetryFrom) &&
           TryOne((Raw.drop_back(Rules.RetryFrom.size()) + Rules.RetryTo).str(),
                  Via, Entry);
  };
  // <dir>/<name>, with a relative dir taken from the working directory.
  auto TryIn = [&](StringRef Dir, FoundVia Via, StringRef Entry) {
    std::string Candidate = (Dir + "/" + Name).str();
    if (Rules.MaxCandidateLength && Candidate.size() >= Rules.MaxCandidateLength)
      return false;
    if (Dir.starts_with("/"))
      return Try(Candidate, Via, Entry);
    if (!Try((Cwd + "/" + Candidate).str(), Via, Entry))
      return false;
    // Found from the working directory through a relative entry: a loader
    // that cannot load relative paths (Emscripten) stops its search here
    // and then fails, as Pyodide shows.
    if (!Rules.LoadsRelativePaths) {
      R.Via = FoundVia::NotFound;
      R.Path.clear();
    }
    return true;
  };

  // A name with a slash is a path, not searched.
  if (Name.contains('/')) {
    if (Name.starts_with("/"))
      Try(Name, FoundVia::Path, "");
    else if (Rules.LoadsRelativePaths)
      Try((Cwd + "/" + Name).str(), FoundVia::Path, "");
    return R;
  }
  for (const auto &[Dir, Entry] : LibraryDirs)
    if (TryIn(Dir, FoundVia::LibraryPath, Entry))
      return R;
  for (const auto &[Dir, Entry] : RunDirs)
    if (TryIn(Dir, FoundVia::RuntimePath, Entry))
      return R;
  for (const std::string &Dir : Rules.DefaultDirs)
    if (TryIn(Dir, FoundVia::DefaultDir, Dir))
      return R;
  return R;
}

} // namespace

Resolution resolveNeeded(StringRef Name, StringRef ModulePath,
                         ArrayRef<std::string> RunPath,
                         ArrayRef<std::string> LibraryPath, StringRef Cwd,
                         const LoaderRules &Rules,
                         function_ref<bool(StringRef)> Exists,
                         function_ref<bool(StringRef)> IsDirectory) {
  return resolveIn(Name, libraryDirs(LibraryPath, Rules),
                   expandRunPath(RunPath, ModulePath, Rules), Cwd, Rules,
                   Exists, IsDirectory);
}

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

//===----------------------------------------------------------------------===//
// File systems
//===----------------------------------------------------------------------===//

LoaderFileSystem::~LoaderFileSystem() = default;

namespace {

/// An InputFile (a checked, mapped regular file) as a MemoryBuffer.
class InputFileBuffer final : public MemoryBuffer {
public:
  explicit InputFileBuffer(std::unique_ptr<InputFile> F) : File(std::move(F)) {
    StringRef D = toStringRef(File->data());
    init(D.begin(), D.end(), /*RequiresNullTerminator=*/false);
  }
  BufferKind getBufferKind() const override { return MemoryBuffer_MMap; }

private:
  std::unique_ptr<InputFile> File;
};

LoaderFileSystem::FileType typeOf(sys::fs::file_type T) {
  switch (T) {
  case sys::fs::file_type::regular_file:
    return LoaderFileSystem::FileType::Regular;
  case sys::fs::file_type::directory_file:
    return LoaderFileSystem::FileType::Directory;
  case sys::fs::file_type::file_not_found:
  case sys::fs::file_type::status_error:
    return LoaderFileSystem::FileType::Missing;
  default:
    return LoaderFileSystem::FileType::Other;
  }
}

/// A host directory as the loader's "/". Every path is resolved to a real
/// path and checked to be inside the root before anything follows it: a
/// path whose resolution fails for any reason (ELOOP, ENAMETOOLONG through
/// a link that leads out, EACCES) is missing, never looked up as it is.
class HostFileSystem final : public LoaderFileSystem {
public:
  explicit HostFileSystem(std::string Root) : Root(std::move(Root)) {}

  Status status(StringRef Path) override {
    std::string Norm = normalizeLoaderPath(Path);
    if (Norm == "/")
      return statReal(Root);
    StringRef Parent = StringRef(Norm).rsplit('/').first;
    StringRef Name = StringRef(Norm).rsplit('/').second;
    const std::optional<std::string> &Dir = realDir(Parent.empty() ? "/" : Parent);
    if (!Dir)
      return {};
    SmallString<256> Candidate(*Dir);
    sys::path::append(Candidate, sys::path::Style::posix, Name);
    sys::fs::file_status St;
    if (sys::fs::status(Candidate, St, /*Follow=*/false))
      return {};
    if (St.type() != sys::fs::file_type::symlink_file)
      return {typeOf(St.type()), St.getUniqueID()};
    // A link: where it leads must be inside the root too.
    SmallString<256> Real;
    if (sys::fs::real_path(Candidate, Real) || !isUnder(Real, Root))
      return {};
    return statReal(Real);
  }

  Expected<std::unique_ptr<MemoryBuffer>> read(StringRef Path) override {
    std::optional<std::string> Real = realUnderRoot(normalizeLoaderPath(Path));
    if (!Real)
      return makeError(errc::not_found,
                       "resolves outside the root through a symbolic link");
    Expected<std::unique_ptr<InputFile>> In = InputFile::open(*Real);
    if (!In)
      return In.takeError();
    return std::make_unique<InputFileBuffer>(std::move(*In));
  }

  std::string locate(StringRef Path) override {
    std::string Norm = normalizeLoaderPath(Path);
    if (Root == "/")
      return Norm;
    return Root + (Norm == "/" ? "" : Norm);
  }

private:
  Status statReal(StringRef Real) {
    sys::fs::file_status St;
    if (sys::fs::status(Real, St, /*Follow=*/true))
      return {};
    return {typeOf(St.type()), St.getUniqueID()};
  }

  /// The real host path of \p LoaderPath if it resolves inside the root.
  std::optional<std::string> realUnderRoot(StringRef LoaderPath) {
    SmallString<256> Real;
    if (sys::fs::real_path(locate(LoaderPath), Real) || !isUnder(Real, Root))
      return std::nullopt;
    return std::string(Real);
  }

  /// The real host directory of the loader directory \p Dir, cached: a
  /// search asks about many names in few directories.
  const std::optional<std::string> &realDir(StringRef Dir) {
    auto [It, Inserted] = DirCache.try_emplace(Dir);
    if (Inserted) {
      std::optional<std::string> Real = realUnderRoot(Dir);
      if (Real && sys::fs::is_directory(*Real))
        It->second = std::move(Real);
    }
    return It->second;
  }

  std::string Root;
  StringMap<std::optional<std::string>> DirCache;
};

} // namespace

Expected<std::unique_ptr<LoaderFileSystem>>
createHostFileSystem(StringRef Root) {
  SmallString<256> Real;
  if (std::error_code EC = sys::fs::real_path(Root, Real))
    return createFileError(Root, EC);
  if (!sys::fs::is_directory(Real))
    return createFileError(Root, makeError(errc::invalid_argument,
                                           "the root is not a directory"));
  return std::make_unique<HostFileSystem>(std::string(Real));
}

void MemoryOverlayFileSystem::addFile(StringRef Path,
                                      std::unique_ptr<MemoryBuffer> Data,
                                      StringRef Location) {
  std::string Norm = normalizeLoaderPath(Path);
  for (std::string D = loaderDirName(Norm);; D = loaderDirName(D))
    if (!Dirs.insert(D).second || D == "/")
      break;
  uint64_t Index = Files.size();
  auto [It, Inserted] = Files.try_emplace(Norm);
  if (!Inserted)
    Index = It->second.Index;
  It->second = File{std::move(Data), Location.str(), Index};
}

LoaderFileSystem::Status MemoryOverlayFileSystem::status(StringRef Path) {
  std::string Norm = normalizeLoaderPath(Path);
  auto It = Files.find(Norm);
  // Identities that no host file has: device ~0, one inode per file.
  if (It != Files.end())
    return {FileType::Regular, sys::fs::UniqueID(~0ULL, It->second.Index)};
  if (Base) {
    Status S = Base->status(Norm);
    if (S.Type != FileType::Missing)
      return S;
  }
  if (Dirs.contains(Norm))
    return {FileType::Directory, sys::fs::UniqueID(~0ULL - 1, 0)};
  return {};
}

Expected<std::unique_ptr<MemoryBuffer>>
MemoryOverlayFileSystem::read(StringRef Path) {
  std::string Norm = normalizeLoaderPath(Path);
  auto It = Files.find(Norm);
  if (It != Files.end())
    return MemoryBuffer::getMemBuffer(It->second.Data->getMemBufferRef(),
                                      /*RequiresNullTerminator=*/false);
  if (Base)
    return Base->read(Norm);
  return makeError(errc::not_found, "no such file");
}

std::string MemoryOverlayFileSystem::locate(StringRef Path) {
  std::string Norm = normalizeLoaderPath(Path);
  auto It = Files.find(Norm);
  if (It != Files.end())
    return It->second.Location;
  return Base ? Base->locate(Norm) : Norm;
}

//===----------------------------------------------------------------------===//
// The dependency walk
//===----------------------------------------------------------------------===//

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
                       "not under the --root directory '" + Root + "'");
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
      N.Error = Type == LoaderFileSystem::FileType::Missing
                    ? "no such file"
                    : "not a regular file";
      return N;
    }
    Expected<std::unique_ptr<MemoryBuffer>> Buf = FS.read(LoaderPath);
    if (!Buf) {
      N.Error = toString(Buf.takeError());
      return N;
    }
    Expected<Object> Obj = readObject(arrayRefFromStringRef((*Buf)->getBuffer()));
    if (!Obj) {
      N.Error = toString(Obj.takeError());
      return N;
    }
    if (!Obj->isSharedLibrary()) {
      N.Error = toString(makeNotSharedLibraryError());
      return N;
    }
    Expected<ModuleSymbols> Symbols = readModuleSymbols(*Obj);
    if (!Symbols) {
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

//===----------------------------------------------------------------------===//
// Load prediction
//===----------------------------------------------------------------------===//

StringRef loadStatusName(LoadStatus S) {
  switch (S) {
  case LoadStatus::Loaded:
    return "loaded";
  case LoadStatus::Failed:
    return "failed";
  case LoadStatus::NotAttempted:
    return "not_attempted";
  case LoadStatus::Stale:
    return "stale";
  }
  llvm_unreachable("unknown LoadStatus");
}

LoadPrediction predictLoad(const DependencyGraph &G,
                           ArrayRef<LoadRequest> Requests) {
  // Emscripten registers a library before loading its dependencies, and
  // keeps the registration when the load fails: a later load that reaches
  // it (by path, or by a name that was not found) takes it as loaded.
  enum State : uint8_t { Unseen, InProgress, Done, Broken };
  std::vector<State> States(G.Nodes.size(), Unseen);
  StringSet<> BrokenNames;
  LoadPrediction P;

  // Loads one root depth first with an explicit stack; false and a reason
  // on failure, Stale set if a stale registration was taken for a library.
  auto LoadOne = [&](size_t Root, std::string &Reason, bool &Stale) {
    struct Frame {
      size_t Node;
      size_t Next = 0;
    };
    std::vector<Frame> Stack;
    auto Fail = [&](const Twine &Why) {
      Reason = Why.str();
      for (const Frame &F : Stack)
        States[F.Node] = Broken;
      return false;
    };
    auto Enter = [&](size_t N) {
      switch (States[N]) {
      case Done:
      case InProgress: // A cycle: Emscripten returns the registration.
        return true;
      case Broken:
        Stale = true;
        return true;
      case Unseen:
        break;
      }
      if (!G.Nodes[N].Error.empty()) {
        States[N] = Broken;
        return Fail("'" + G.Nodes[N].LoaderPath +
                    "' cannot be loaded: " + G.Nodes[N].Error);
      }
      States[N] = InProgress;
      Stack.push_back({N});
      return true;
    };
    if (!Enter(Root))
      return false;
    while (!Stack.empty()) {
      Frame &F = Stack.back();
      const LibraryNode &N = G.Nodes[F.Node];
      if (F.Next == N.Needed.size()) {
        States[F.Node] = Done;
        P.LoadOrder.push_back(F.Node);
        Stack.pop_back();
        continue;
      }
      size_t I = F.Next++;
      if (std::optional<size_t> C = N.Children[I]) {
        if (!Enter(*C))
          return false;
        continue;
      }
      const std::string &Name = N.Needed[I].Name;
      if (!BrokenNames.insert(Name).second) {
        Stale = true;
        continue;
      }
      return Fail("NEEDED '" + Name + "' of " + N.LoaderPath + " not found");
    }
    return true;
  };

  for (const LoadRequest &Req : Requests) {
    std::vector<RootOutcome> &Out = P.Outcomes.emplace_back();
    bool Stopped = false;
    for (size_t Root : Req.Roots) {
      RootOutcome O;
      O.Node = Root;
      if (Stopped) {
        O.Status = LoadStatus::NotAttempted;
        O.Reason = "an earlier module of " + Req.Label + " failed to load";
      } else {
        bool Stale = false;
        if (!LoadOne(Root, O.Reason, Stale)) {
          O.Status = LoadStatus::Failed;
          Stopped = Req.StopAtFirstFailure;
        } else if (Stale) {
          O.Status = LoadStatus::Stale;
          O.Reason = "reaches a library that an earlier failed load left "
                     "registered; its first call kills the runtime";
        }
      }
      Out.push_back(std::move(O));
    }
  }
  return P;
}

//===----------------------------------------------------------------------===//
// Hazards
//===----------------------------------------------------------------------===//

bool isPreloadedByPyodide(StringRef FileName) {
  StringRef Base = sys::path::filename(FileName, sys::path::Style::posix);
  // "*.so" or "*.so.<digits>[.<digits>...]".
  StringRef Rest = Base;
  while (true) {
    StringRef Head, Tail;
    std::tie(Head, Tail) = Rest.rsplit('.');
    if (Head == Rest || Tail.empty())
      return false;
    if (Tail == "so") {
      Rest = Head;
      break;
    }
    if (!all_of(Tail, isDigit))
      return false;
    Rest = Head;
  }
  if (Rest.empty())
    return false;
  // An extension module for another CPython: ".cpython-3XY-...".
  size_t Tag = Rest.find(".cpython-");
  if (Tag != StringRef::npos) {
    StringRef Version = Rest.substr(Tag + 9).take_while(isDigit);
    return Version == "314";
  }
  return true;
}

Expected<std::string> installedMemberPath(StringRef Member,
                                          StringRef SitePackages) {
  if (Member.starts_with("/") || Member.contains('\\') ||
      is_contained(split(Member, '/'), ".."))
    return makeError(errc::malformed, "member '" + Member +
                                          "' would be installed outside "
                                          "site-packages");
  return normalizeLoaderPath((SitePackages + "/" + Member).str());
}

Expected<std::vector<std::string>>
installWheel(const zip::Archive &A, StringRef Label, StringRef SitePackages,
             MemoryOverlayFileSystem &FS) {
  // A module larger than this is not a side module anyone loads; the limit
  // keeps a hostile archive from exhausting memory.
  constexpr uint64_t MaxModule = uint64_t(1) << 30;
  // Names that escape site-packages or install as another member's file.
  if (Error Err = wheel::checkMemberPaths(A))
    return Err;
  std::vector<std::string> Preload;
  for (const zip::Entry &E : A.entries()) {
    if (E.isDirectory())
      continue;
    StringRef Name(E.Name);
    Expected<std::string> Installed = installedMemberPath(Name, SitePackages);
    if (!Installed)
      return Installed.takeError();
    std::string Path = std::move(*Installed);
    SmallVector<uint8_t, 0> Bytes;
    if (Error Err = A.extractPrefix(E, 8, Bytes))
      return createFileError(Label + ":" + Name, std::move(Err));
    if (hasWasmModuleHeader(Bytes)) {
      if (Error Err = A.extract(E, Bytes, MaxModule))
        return createFileError(Label + ":" + Name, std::move(Err));
    }
    FS.addFile(Path,
               MemoryBuffer::getMemBufferCopy(toStringRef(Bytes),
                                              (Label + ":" + Name).str()),
               (Label + ":" + Name).str());
    if (isPreloadedByPyodide(Name))
      Preload.push_back(Path);
  }
  return Preload;
}

std::vector<Hazard> findHazards(const DependencyGraph &G, LoaderFileSystem &FS,
                                const ResolveOptions &Opts,
                                const LoadPrediction &P,
                                const ModuleSymbols *Main) {
  std::vector<Hazard> Result;
  std::string Cwd = Opts.Cwd.empty() ? Opts.Rules->DefaultCwd : Opts.Cwd;
  for (const LibraryNode &N : G.Nodes) {
    auto Warn = [&](StringRef Kind, const Twine &Msg) {
      Result.push_back({Kind, N.LoaderPath, Msg.str(), "", ""});
    };
    if (!N.Error.empty())
      continue; // Reported by the edge that reached it.
    for (const std::string &Entry : N.RunPath) {
      StringRef E(Entry);
      if (E.contains(BracedOrigin))
        Warn("braced-origin",
             "run-time path entry '" + E +
                 "' uses ${ORIGIN}, which Emscripten does not expand; use "
                 "$ORIGIN");
      else if (E.contains(Origin) && !E.starts_with(Origin))
        Warn("origin-not-at-start",
             "run-time path entry '" + E +
                 "' has $ORIGIN after its start, where loaders do not "
                 "expand it");
      if (E.contains(':'))
        Warn("colon-in-entry",
             "run-time path entry '" + E +
                 "' contains ':', which Emscripten splits into several "
                 "entries");
      if (!E.starts_with("/") && !E.starts_with(Origin) &&
          !E.starts_with(BracedOrigin))
        Warn("relative-entry", "run-time path entry '" + E +
                                   "' is relative to the loader's working "
                                   "directory; use $ORIGIN/...");
      if (E.starts_with("/") &&
          FS.status(E).Type != LoaderFileSystem::FileType::Directory)
        Warn("missing-absolute-entry",
             "absolute run-time path entry '" + E +
                 "' does not exist under the root '" + Opts.Root + "'");
    }
    if (std::optional<std::string> Mismatch =
            describeRPathMismatch(N.RuntimePath, N.RPathSection))
      Warn("rpath-mismatch", *Mismatch);
    for (size_t I = 0; I < N.Needed.size(); ++I) {
      const Resolution &R = N.Needed[I];
      if (R.Name.find('/') != std::string::npos && R.Name[0] != '/')
        Warn("relative-needed",
             "NEEDED '" + R.Name +
                 "' is a relative path, taken from the loader's working "
                 "directory");
      if (N.Children[I] && !G.Nodes[*N.Children[I]].Error.empty())
        Warn("unusable-library",
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
          Warn("shadowed-library",
               "NEEDED '" + R.Name + "' resolves to " + R.Path +
                   " (LD_LIBRARY_PATH), not to " + Own.Path +
                   " that its run-time path names");
      }
    }
  }
  for (const std::vector<RootOutcome> &Req : P.Outcomes)
    for (const RootOutcome &O : Req) {
      StringRef Kind = O.Status == LoadStatus::Failed ? "load-failure"
                       : O.Status == LoadStatus::NotAttempted
                           ? "not-preloaded"
                       : O.Status == LoadStatus::Stale ? "stale-load"
                                                       : "";
      if (!Kind.empty())
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
        {C.Winner ? "symbol-clash" : "main-module-clash", Loser,
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
