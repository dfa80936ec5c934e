//===- Resolve.cpp - How loaders find NEEDED libraries --------------------===//

#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Reader.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <deque>

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
  if (Name == "emscripten")
    return &emscriptenRules();
  if (Name == "wasmer")
    return &wasmerRules();
  return nullptr;
}

ArrayRef<StringRef> getLoaderNames() {
  static const StringRef Names[] = {"emscripten", "wasmer"};
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

Resolution resolveNeeded(StringRef Name, StringRef ModulePath,
                         ArrayRef<std::string> RunPath,
                         ArrayRef<std::string> LibraryPath, StringRef Cwd,
                         const LoaderRules &Rules,
                         function_ref<bool(StringRef)> Exists,
                         function_ref<bool(StringRef)> IsDirectory) {
  Resolution R;
  R.Name = Name.str();
  auto TryOne = [&](StringRef Raw, FoundVia Via, StringRef Entry) {
    std::optional<std::string> Path = resolveCandidate(Raw, Rules, IsDirectory);
    if (!Path)
      return false;
    R.Tried.push_back(*Path);
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
    if (!Dir.starts_with("/"))
      Candidate = (Cwd + "/" + Candidate).str();
    return Try(Candidate, Via, Entry);
  };

  // A name with a slash is a path, not searched.
  if (Name.contains('/')) {
    if (Name.starts_with("/"))
      Try(Name, FoundVia::Path, "");
    else if (Rules.LoadsRelativePaths)
      Try((Cwd + "/" + Name).str(), FoundVia::Path, "");
    return R;
  }
  // LD_LIBRARY_PATH is split like the run-time path but has no $ORIGIN.
  std::vector<std::pair<std::string, std::string>> LibraryDirs;
  for (const std::string &Entry : LibraryPath)
    appendSearchDirs(Entry, Entry, Rules, LibraryDirs);
  for (const auto &[Dir, Entry] : LibraryDirs)
    if (TryIn(Dir, FoundVia::LibraryPath, Entry))
      return R;
  for (const auto &[Dir, Entry] : expandRunPath(RunPath, ModulePath, Rules))
    if (TryIn(Dir, FoundVia::RuntimePath, Entry))
      return R;
  for (const std::string &Dir : Rules.DefaultDirs)
    if (TryIn(Dir, FoundVia::DefaultDir, Dir))
      return R;
  return R;
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

std::optional<std::string> hostPathUnderRoot(StringRef Root,
                                             StringRef LoaderPath) {
  std::string Norm = normalizeLoaderPath(LoaderPath);
  SmallString<256> Host(Root);
  if (Root == "/")
    Host = Norm;
  else
    sys::path::append(Host, sys::path::Style::posix, StringRef(Norm).drop_front());
  // ".." was resolved lexically above; a symlink inside the tree may still
  // point out of it, and a loader confined to the tree would not follow it.
  SmallString<256> Real;
  if (!sys::fs::real_path(Host, Real) && !isUnder(Real, Root))
    return std::nullopt;
  return std::string(Host);
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
                       "not under the --root directory '" + Root + "'");
    Abs = Real;
  }
  if (Root == "/")
    return std::string(Abs);
  return normalizeLoaderPath(StringRef(Abs).drop_front(Root.size()));
}

Expected<DependencyGraph> resolveDependencies(StringRef HostPath,
                                              const ResolveOptions &Opts) {
  assert(Opts.Rules && "no loader rules");
  // The tools take the root from --root; its errors say so, because a
  // message about a directory the user never named on its own is puzzling.
  SmallString<256> RealRoot;
  if (std::error_code EC = sys::fs::real_path(Opts.Root, RealRoot))
    return createStringError(EC, "--root '" + Opts.Root + "': " + EC.message());
  if (!sys::fs::is_directory(RealRoot))
    return makeError(errc::invalid_argument,
                     "--root '" + Opts.Root + "' is not a directory");
  Expected<std::string> RootLoaderPath = loaderPathOf(RealRoot, HostPath);
  if (!RootLoaderPath)
    return createFileError(HostPath, RootLoaderPath.takeError());

  std::string Cwd = Opts.Cwd.empty() ? Opts.Rules->DefaultCwd : Opts.Cwd;
  auto Exists = [&](StringRef LoaderPath) {
    std::optional<std::string> Host = hostPathUnderRoot(RealRoot, LoaderPath);
    return Host && sys::fs::is_regular_file(*Host);
  };
  auto IsDirectory = [&](StringRef LoaderPath) {
    std::optional<std::string> Host = hostPathUnderRoot(RealRoot, LoaderPath);
    return Host && sys::fs::is_directory(*Host);
  };
  // Reads one library; problems become the node's Error so that the walk
  // can report every one of them.
  auto Load = [&](StringRef LoaderPath) {
    LibraryNode N;
    N.LoaderPath = LoaderPath.str();
    std::optional<std::string> Host = hostPathUnderRoot(RealRoot, LoaderPath);
    if (!Host) {
      N.Error = "resolves outside the root through a symbolic link";
      return N;
    }
    N.HostPath = *Host;
    Expected<std::unique_ptr<InputFile>> In = InputFile::open(*Host);
    if (!In) {
      N.Error = toString(In.takeError());
      return N;
    }
    Expected<Object> Obj = readObject((*In)->data());
    if (!Obj) {
      N.Error = toString(Obj.takeError());
      return N;
    }
    if (!Obj->isSharedLibrary()) {
      N.Error = toString(makeNotSharedLibraryError());
      return N;
    }
    N.RuntimePath = Obj->Dylink->RuntimePath;
    N.RPathSection = Obj->RPathSection;
    N.RunPath = getRPath(*Obj, Opts.Place);
    for (const std::string &Name : Obj->Dylink->Needed)
      N.Needed.push_back(resolveNeeded(Name, LoaderPath, N.RunPath,
                                       Opts.LibraryPath, Cwd, *Opts.Rules,
                                       Exists, IsDirectory));
    return N;
  };

  DependencyGraph G;
  G.Nodes.push_back(Load(*RootLoaderPath));
  if (!G.Nodes[0].Error.empty())
    return createFileError(HostPath, createStringError(inconvertibleErrorCode(),
                                                       G.Nodes[0].Error));
  StringMap<size_t> Index;
  Index[G.Nodes[0].LoaderPath] = 0;
  // Breadth first, each library once: a diamond or a cycle reaches a node
  // that is already in the graph and only gains an edge.
  for (size_t I = 0; I < G.Nodes.size(); ++I) {
    for (size_t J = 0; J < G.Nodes[I].Needed.size(); ++J) {
      const Resolution &R = G.Nodes[I].Needed[J];
      if (R.Via == FoundVia::NotFound) {
        G.Nodes[I].Children.push_back(std::nullopt);
        continue;
      }
      auto [It, Inserted] = Index.try_emplace(R.Path, G.Nodes.size());
      size_t Child = It->second;
      std::string Path = R.Path;
      G.Nodes[I].Children.push_back(Child);
      if (Inserted)
        G.Nodes.push_back(Load(Path));
    }
  }
  return G;
}

std::vector<Hazard> findHazards(const DependencyGraph &G,
                                const ResolveOptions &Opts) {
  SmallString<256> RealRoot;
  if (sys::fs::real_path(Opts.Root, RealRoot))
    RealRoot = Opts.Root;
  std::vector<Hazard> Result;
  for (const LibraryNode &N : G.Nodes) {
    auto Warn = [&](const Twine &Msg) {
      Result.push_back({N.LoaderPath, Msg.str()});
    };
    if (!N.Error.empty())
      continue; // Reported by the edge that reached it.
    for (const std::string &Entry : N.RunPath) {
      StringRef E(Entry);
      if (E.contains(BracedOrigin))
        Warn("run-time path entry '" + E +
             "' uses ${ORIGIN}, which Emscripten does not expand; use $ORIGIN");
      else if (E.contains(Origin) && !E.starts_with(Origin))
        Warn("run-time path entry '" + E +
             "' has $ORIGIN after its start, where loaders do not expand it");
      if (E.contains(':'))
        Warn("run-time path entry '" + E +
             "' contains ':', which Emscripten splits into several entries");
      if (!E.starts_with("/") && !E.starts_with(Origin) &&
          !E.starts_with(BracedOrigin))
        Warn("run-time path entry '" + E +
             "' is relative to the loader's working directory; use "
             "$ORIGIN/...");
      if (E.starts_with("/")) {
        std::optional<std::string> Host = hostPathUnderRoot(RealRoot, E);
        if (!Host || !sys::fs::is_directory(*Host))
          Warn("absolute run-time path entry '" + E +
               "' does not exist under the root '" + Opts.Root + "'");
      }
    }
    if (std::optional<std::string> Mismatch =
            describeRPathMismatch(N.RuntimePath, N.RPathSection))
      Warn(*Mismatch);
    for (size_t I = 0; I < N.Needed.size(); ++I) {
      const Resolution &R = N.Needed[I];
      if (R.Name.find('/') != std::string::npos && R.Name[0] != '/')
        Warn("NEEDED '" + R.Name +
             "' is a relative path, taken from the loader's working directory");
      if (N.Children[I] && !G.Nodes[*N.Children[I]].Error.empty())
        Warn("NEEDED '" + R.Name + "' resolves to " + R.Path +
             ", which a loader cannot use: " + G.Nodes[*N.Children[I]].Error);
    }
  }
  return Result;
}

} // namespace wasmrpath
