//===- Resolve.cpp - Each loader's rules and its search -------------------===//
//
// The data that tells the loaders apart (LoaderRules, one value per loader,
// each with what it was checked against), how a run-time path expands under
// them, and the search for one NEEDED name. Nothing here touches a file
// system: the callers say what exists.
//
//===----------------------------------------------------------------------===//

#include "Search.h"
#include "wasm-rpath/Json.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace wasmrpath {

using namespace loader_detail;

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
  if (Rules.Origin == LoaderRules::OriginStyle::JSReplace) {
    std::string Expanded = jsReplacement(Dir, Token, Rest);
    Expanded += Rest;
    return Expanded;
  }
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
  case FoundVia::LocateFile:
    return "locate_file";
  case FoundVia::Registered:
    return "registered";
  }
  llvm_unreachable("unknown FoundVia");
}

bool isNormalLoaderPath(StringRef Path) {
  if (!Path.starts_with("/"))
    return false;
  if (Path.size() == 1)
    return true;
  for (StringRef Rest = Path.drop_front();;) {
    auto [Part, Tail] = Rest.split('/');
    if (Part.empty() || Part == "." || Part == "..")
      return false;
    if (Part.size() == Rest.size()) // The last component.
      return true;
    Rest = Tail;
  }
}

std::string normalizeLoaderPath(StringRef Path) {
  // Resolution asks about many paths that are normal already (the
  // candidates it builds from normal directories): copied as they are.
  if (isNormalLoaderPath(Path))
    return Path.str();
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
  if (Out.empty())
    return "/";
  std::string Result;
  Result.reserve(Path.size() + 1);
  for (StringRef P : Out) {
    Result += '/';
    Result += P;
  }
  return Result;
}

std::string registryName(StringRef Name) {
  std::string Norm = normalizeLoaderPath(Name);
  return Name.starts_with("/") ? Norm : Norm.substr(1);
}

std::string loaderDirName(StringRef ModulePath) {
  std::string Norm = normalizeLoaderPath(ModulePath);
  size_t Slash = StringRef(Norm).rfind('/');
  Norm.resize(Slash == 0 ? 1 : Slash);
  return Norm;
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

json::Object toJSON(const LoaderRules &R) {
  return json::Object{
      {"name", jsonString(R.Name)},
      {"origin", R.Origin == LoaderRules::OriginStyle::JSReplace ? "js-replace"
                                                                 : "path-join"},
      {"expandBracedOrigin", R.ExpandBracedOrigin},
      {"splitChars", jsonString(R.SplitChars)},
      {"maxCandidateLength", static_cast<int64_t>(R.MaxCandidateLength)},
      {"walksDotDot", R.WalksDotDot},
      {"loadsRelativePaths", R.LoadsRelativePaths},
      {"defaultDirs", jsonStringArray(R.DefaultDirs)},
      {"retryFrom", jsonString(R.RetryFrom)},
      {"retryTo", jsonString(R.RetryTo)},
      {"defaultCwd", jsonString(R.DefaultCwd)},
      {"defaultLibraryPath", jsonStringArray(R.DefaultLibraryPath)},
      {"sitePackages", jsonString(R.SitePackages)},
  };
}

namespace loader_detail {

bool isUnder(StringRef Path, StringRef Dir) {
  if (Dir == "/")
    return Path.starts_with("/");
  return Path == Dir ||
         (Path.starts_with(Dir) && Path.size() > Dir.size() &&
          Path[Dir.size()] == '/');
}

SearchDirs libraryDirs(ArrayRef<std::string> LibraryPath,
                       const LoaderRules &Rules) {
  SearchDirs Dirs;
  for (const std::string &Entry : LibraryPath)
    appendSearchDirs(Entry, Entry, Rules, Dirs);
  return Dirs;
}

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
    SmallString<256> Candidate;
    (Dir + "/" + Name).toVector(Candidate);
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
} // namespace loader_detail

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

} // namespace wasmrpath
