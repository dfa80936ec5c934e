//===- ResolveFuzzer.cpp - libFuzzer target: the loaders' search rules ----===//
//
// Drives the resolver of Resolve.h (what wasm-ldd reports, and what --check
// warns about) with fuzzed NEEDED names, run-time path entries,
// LD_LIBRARY_PATH entries, module paths and working directories, under the
// emscripten and wasmer rules and under fuzzed rules, against a fake file
// system. The resolver must be right whatever the strings: a module is
// hostile input, and its entries end up in paths that a loader opens. The
// invariants checked here:
//  * every path normalizeLoaderPath() returns is absolute and normalized:
//    no empty, "." or ".." component, so it never leaves the loader's file
//    system; normalizing it again changes nothing; loaderDirName() is its
//    parent directory;
//  * expandRunPath() keeps entry order, names an input entry for every
//    directory, and yields no empty directory (nor one with ':' when the
//    loader re-splits);
//  * every candidate resolveNeeded() tries is such a path and ends in the
//    name searched for; the resolver asks the file system about exactly the
//    candidates it reports, in order; a found path is the last candidate,
//    the only one that exists; a name with '/' is taken as a path and
//    never searched; the entry it credits belongs to the list it names;
//  * the number of candidates is bounded by the search lists, and at most
//    Resolution::MaxTried of them are kept (the rest counted);
//  * the same question gives the same answer;
//  * a dependency walk (resolveDependencies) over a fake file system in
//    which a "s" path component is a symbolic link to "." (so every file
//    has many paths) makes one node per distinct file, reads each file at
//    most once, and asks the file system a number of questions bounded by
//    the candidates it reports: work and memory grow with files, not with
//    routes (issue 12, class 3). The load prediction loads each node at
//    most once and only nodes that are usable.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Symbols.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include <set>
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>
#include <optional>

using namespace llvm;
using namespace wasmrpath;

namespace {

/// The decoded input of the current run, printed with a violation: the
/// raw bytes say little.
struct Input {
  const LoaderRules *Rules = nullptr;
  std::string Name, Module, Cwd;
  std::vector<std::string> RunPath, LibraryPath;
} Current;

void describe(raw_ostream &OS, StringRef Label, StringRef S) {
  OS << Label << " = \"";
  OS.write_escaped(S);
  OS << "\"\n";
}

void check(bool Cond, const char *What) {
  if (Cond)
    return;
  raw_ostream &OS = errs();
  OS << "invariant violated: " << What << "\n";
  if (const LoaderRules *R = Current.Rules) {
    OS << "rules = " << R->Name << " (JS origin "
       << (R->Origin == LoaderRules::OriginStyle::JSReplace)
       << ", braced origin " << R->ExpandBracedOrigin << ", max length "
       << R->MaxCandidateLength << ", walks .. " << R->WalksDotDot
       << ", relative paths " << R->LoadsRelativePaths << ")\n";
    describe(OS, "split at", R->SplitChars);
    for (const std::string &D : R->DefaultDirs)
      describe(OS, "default dir", D);
    describe(OS, "retry from", R->RetryFrom);
    describe(OS, "retry to", R->RetryTo);
  }
  describe(OS, "name", Current.Name);
  describe(OS, "module", Current.Module);
  describe(OS, "cwd", Current.Cwd);
  for (const std::string &E : Current.RunPath)
    describe(OS, "run path entry", E);
  for (const std::string &E : Current.LibraryPath)
    describe(OS, "library path entry", E);
  abort();
}

/// Absolute, normalized: "/" or "/a/b" with no empty, "." or ".." parts.
bool isNormalizedAbsolute(StringRef P) {
  if (!P.starts_with("/"))
    return false;
  if (P == "/")
    return true;
  SmallVector<StringRef, 16> Parts;
  P.drop_front().split(Parts, '/', -1, /*KeepEmpty=*/true);
  return none_of(
      Parts, [](StringRef C) { return C.empty() || C == "." || C == ".."; });
}

void checkNormalize(StringRef P) {
  std::string N = normalizeLoaderPath(P);
  check(isNormalizedAbsolute(N), "normalizeLoaderPath: not normalized");
  check(normalizeLoaderPath(N) == N, "normalizeLoaderPath: not idempotent");
  std::string Dir = loaderDirName(P);
  check(isNormalizedAbsolute(Dir), "loaderDirName: not normalized");
  check(
      N != "/"
          ? StringRef(N).starts_with(Dir) && N.size() > Dir.size() &&
                (Dir == "/" || N[Dir.size()] == '/') &&
                StringRef(N).drop_front(Dir.size() + (Dir != "/")).find('/') ==
                    StringRef::npos
          : Dir == "/",
      "loaderDirName: not the parent directory");
}

/// A name that stays the last component of Dir/Name once normalized.
bool isPlainName(StringRef N) {
  return !N.empty() && N != "." && N != ".." && !N.contains('/');
}

std::vector<std::string> consumeList(FuzzedDataProvider &FDP, size_t Max) {
  std::vector<std::string> L(FDP.ConsumeIntegralInRange<size_t>(0, Max));
  for (std::string &S : L)
    S = FDP.ConsumeRandomLengthString(48);
  return L;
}

/// The fake file system: the files listed, plus the Hit-th question asked
/// (so that a found path is reached at any position of the search without
/// the fuzzer having to guess a candidate's exact spelling). Records the
/// questions. Directories (for loaders that walk "..") are the ones listed,
/// or all of them.
struct FakeFS {
  StringSet<> Files, Dirs;
  bool AllDirs = false;
  size_t Hit = SIZE_MAX;
  std::vector<std::string> Asked;
  std::vector<bool> Answers;

  bool exists(StringRef P) {
    bool Yes = Files.contains(P) || Asked.size() == Hit;
    Asked.push_back(P.str());
    Answers.push_back(Yes);
    return Yes;
  }
  bool isDirectory(StringRef P) const { return AllDirs || Dirs.contains(P); }
};

/// How many directories \p Entry makes once split at \p SplitChars, at most.
size_t maxPieces(StringRef Entry, StringRef SplitChars) {
  if (SplitChars.empty())
    return 1;
  return 1 + count_if(Entry, [&](char C) { return SplitChars.contains(C); });
}

} // namespace

/// A loader file system of a few modules where a path component "s" is a
/// symbolic link to "." (dropped to find the file), so that every file is
/// reachable through unboundedly many paths. Counts the questions.
class AliasFS final : public LoaderFileSystem {
public:
  StringMap<std::string> Files; ///< Canonical path -> module bytes.
  size_t StatusCalls = 0, Reads = 0;
  std::set<std::string> ReadPaths;

  static std::string canonical(StringRef P) {
    SmallVector<StringRef, 8> Parts, Kept;
    P.split(Parts, '/', -1, false);
    for (StringRef C : Parts)
      if (C != "s")
        Kept.push_back(C);
    return normalizeLoaderPath("/" + join(Kept, "/"));
  }
  Status status(StringRef P) override {
    ++StatusCalls;
    std::string C = canonical(P);
    auto It = Files.find(C);
    if (It != Files.end())
      return {FileType::Regular,
              sys::fs::UniqueID(1, std::distance(Files.begin(), It) + 1)};
    for (const auto &F : Files)
      if (StringRef(F.getKey()).starts_with(C == "/" ? C : C + "/"))
        return {FileType::Directory, sys::fs::UniqueID(2, 0)};
    return {};
  }
  Expected<std::unique_ptr<MemoryBuffer>> read(StringRef P) override {
    ++Reads;
    std::string C = canonical(P);
    check(ReadPaths.insert(C).second, "walk: a file was read twice");
    auto It = Files.find(C);
    check(It != Files.end(), "walk: read of a file that does not exist");
    return MemoryBuffer::getMemBufferCopy(It->second);
  }
  std::string locate(StringRef P) override { return P.str(); }
};

std::string uleb(uint64_t V) {
  std::string Out;
  do {
    uint8_t B = V & 0x7f;
    V >>= 7;
    Out += char(B | (V ? 0x80 : 0));
  } while (V);
  return Out;
}
std::string strVec(const std::vector<std::string> &L) {
  std::string Out = uleb(L.size());
  for (const std::string &S : L)
    Out += uleb(S.size()) + S;
  return Out;
}

/// A side module with this NEEDED list and RUNTIME_PATH.
std::string sideModule(const std::vector<std::string> &Needed,
                       const std::vector<std::string> &RunPath) {
  std::string Sub = std::string("\x01\x04\0\0\0\0", 6);
  std::string N = strVec(Needed), R = strVec(RunPath);
  Sub += "\x02" + uleb(N.size()) + N + "\x05" + uleb(R.size()) + R;
  std::string Payload = uleb(8) + "dylink.0" + Sub;
  return std::string("\0asm\1\0\0\0", 8) + "\0" + uleb(Payload.size()) + Payload;
}

/// The walk over AliasFS: bounded by files, not routes.
void checkWalk(FuzzedDataProvider &FDP, const LoaderRules &Rules) {
  static const char *const Names[] = {"a.so", "b.so", "c.so", "d.so", "e.so"};
  static const char *const Dirs[] = {"/", "/l", "/l/m", "/p"};
  static const char *const Entries[] = {"$ORIGIN", "$ORIGIN/s", "$ORIGIN/s/s",
                                        "$ORIGIN/..", "/l", "/l/s/m", "s",
                                        "/p:/l", "$ORIGIN/../p"};
  AliasFS FS;
  size_t NFiles = FDP.ConsumeIntegralInRange<size_t>(1, 6);
  for (size_t I = 0; I < NFiles; ++I) {
    std::vector<std::string> Needed, RunPath;
    size_t NN = FDP.ConsumeIntegralInRange<size_t>(0, 4);
    for (size_t J = 0; J < NN; ++J) {
      std::string N = FDP.PickValueInArray(Names);
      if (!is_contained(Needed, N))
        Needed.push_back(N);
    }
    size_t NE = FDP.ConsumeIntegralInRange<size_t>(0, 4);
    for (size_t J = 0; J < NE; ++J)
      RunPath.push_back(FDP.PickValueInArray(Entries));
    std::string Path = normalizeLoaderPath(
        std::string(FDP.PickValueInArray(Dirs)) + "/" + FDP.PickValueInArray(Names));
    FS.Files[Path] = FDP.ConsumeBool() ? sideModule(Needed, RunPath)
                                       : std::string("not wasm");
  }
  std::vector<std::string> Roots;
  for (size_t I = 0, N = FDP.ConsumeIntegralInRange<size_t>(1, 3); I < N; ++I)
    Roots.push_back(std::string(FDP.PickValueInArray(Dirs)) + "/s/" +
                    FDP.PickValueInArray(Names));
  ResolveOptions Opts;
  Opts.Rules = &Rules;
  if (FDP.ConsumeBool())
    Opts.LibraryPath = std::vector<std::string>{"/l/s", "/p"};
  DependencyGraph G = resolveDependencies(FS, Roots, Opts);

  size_t Candidates = 0, NeededCount = 0;
  for (const LibraryNode &N : G.Nodes) {
    check(isNormalizedAbsolute(N.LoaderPath), "walk: node path not normalized");
    check(N.Children.size() == N.Needed.size(), "walk: one child per NEEDED");
    for (const Resolution &R : N.Needed)
      Candidates += R.Tried.size() + R.TriedOmitted;
    NeededCount += N.Needed.size();
    for (const std::optional<size_t> &C : N.Children)
      check(!C || *C < G.Nodes.size(), "walk: child out of range");
  }
  check(G.Roots.size() == Roots.size(), "walk: one root per input");
  check(G.Nodes.size() <= FS.Files.size() + Roots.size(),
        "walk: more nodes than distinct files (routes counted)");
  check(FS.Reads <= FS.Files.size(), "walk: more reads than files");
  check(FS.StatusCalls <= 4 * (Candidates + NeededCount + Roots.size()) + 64,
        "walk: file system questions not bounded by the candidates");

  // Every module of every root, one request each, then all in one package.
  std::vector<LoadRequest> Requests;
  for (size_t R : G.Roots)
    Requests.push_back({"r", {R}, false});
  Requests.push_back({"pkg", G.Roots, true});
  LoadPrediction P = predictLoad(G, Requests);
  check(P.Outcomes.size() == Requests.size(), "load: one outcome list per request");
  std::set<size_t> Loaded;
  for (size_t N : P.LoadOrder) {
    check(Loaded.insert(N).second, "load: a module loaded twice");
    check(G.Nodes[N].Error.empty(), "load: an unusable module was loaded");
  }
  for (const RootOutcome &O : P.Outcomes.back())
    if (O.Status == LoadStatus::Loaded)
      check(Loaded.count(O.Node), "load: a loaded root is not in the order");
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  FuzzedDataProvider FDP(Data, Size);

  // Rules: the two real loaders, or fuzzed ones.
  LoaderRules Custom;
  std::string RetryFrom, RetryTo, SplitChars;
  const LoaderRules *Rules = nullptr;
  switch (FDP.ConsumeIntegralInRange<int>(0, 3)) {
  case 0:
    Rules = getLoaderRules("emscripten");
    break;
  case 3:
    Rules = getLoaderRules("pyodide");
    break;
  case 1:
    Rules = getLoaderRules("wasmer");
    break;
  default:
    Custom.Name = "fuzzed";
    Custom.Origin = FDP.ConsumeBool() ? LoaderRules::OriginStyle::JSReplace
                                      : LoaderRules::OriginStyle::PathJoin;
    Custom.ExpandBracedOrigin = FDP.ConsumeBool();
    SplitChars = FDP.PickValueInArray<const char *>({"", ":", ":\n", ";"});
    Custom.SplitChars = SplitChars;
    Custom.MaxCandidateLength =
        FDP.ConsumeBool() ? 0 : FDP.ConsumeIntegralInRange<size_t>(1, 64);
    Custom.WalksDotDot = FDP.ConsumeBool();
    Custom.LoadsRelativePaths = FDP.ConsumeBool();
    Custom.DefaultDirs = consumeList(FDP, 3);
    // A suffix, as a loader's rule has: never a '/'.
    RetryFrom = FDP.ConsumeRandomLengthString(8);
    RetryTo = FDP.ConsumeRandomLengthString(8);
    erase(RetryFrom, '/');
    erase(RetryTo, '/');
    Custom.RetryFrom = RetryFrom;
    Custom.RetryTo = RetryTo;
    Rules = &Custom;
    break;
  }
  check(Rules != nullptr, "a known loader has no rules");

  std::string Name = FDP.ConsumeRandomLengthString(48);
  std::string Module = FDP.ConsumeRandomLengthString(64);
  std::string Cwd = FDP.ConsumeRandomLengthString(48);
  std::vector<std::string> RunPath = consumeList(FDP, 8);
  std::vector<std::string> LibraryPath = consumeList(FDP, 4);
  FakeFS FS;
  for (const std::string &F : consumeList(FDP, 4))
    FS.Files.insert(normalizeLoaderPath(F));
  for (const std::string &D : consumeList(FDP, 4))
    FS.Dirs.insert(normalizeLoaderPath(D));
  FS.AllDirs = FDP.ConsumeBool();
  bool WithIsDirectory = FDP.ConsumeBool();
  if (FDP.ConsumeBool())
    FS.Hit = FDP.ConsumeIntegralInRange<size_t>(0, 40);
  bool Walk = FDP.ConsumeBool();
  std::string Extra = Walk ? std::string() : FDP.ConsumeRemainingBytesAsString();
  Current = {Rules, Name, Module, Cwd, RunPath, LibraryPath};

  for (StringRef P :
       {StringRef(Name), StringRef(Module), StringRef(Cwd), StringRef(Extra)})
    checkNormalize(P);
  for (const std::string &E : RunPath)
    checkNormalize(E);
  check(getLoaderRules(Name) == nullptr || Name == "emscripten" ||
            Name == "wasmer" || Name == "pyodide",
        "getLoaderRules accepts an unknown name");

  // expandRunPath: order kept, every directory from an input entry, none
  // empty, none with a split character left in it.
  auto Expanded = expandRunPath(RunPath, Module, *Rules);
  size_t EntryIndex = 0;
  for (const auto &[Dir, Entry] : Expanded) {
    while (EntryIndex < RunPath.size() && RunPath[EntryIndex] != Entry)
      ++EntryIndex;
    check(EntryIndex < RunPath.size(),
          "expandRunPath: entry not from the input, or out of order");
    check(!Dir.empty(), "expandRunPath: empty directory");
    check(StringRef(Dir).find_first_of(Rules->SplitChars) == StringRef::npos,
          "expandRunPath: a split character left in a directory");
  }

  auto Exists = [&](StringRef P) { return FS.exists(P); };
  auto IsDirectory = [&](StringRef P) { return FS.isDirectory(P); };
  auto Resolve = [&]() {
    return WithIsDirectory ? resolveNeeded(Name, Module, RunPath, LibraryPath,
                                           Cwd, *Rules, Exists, IsDirectory)
                           : resolveNeeded(Name, Module, RunPath, LibraryPath,
                                           Cwd, *Rules, Exists);
  };
  Resolution R = Resolve();

  // The file system was asked about exactly the candidates reported, and
  // each is an absolute, normalized path.
  check(R.Tried.size() <= Resolution::MaxTried, "more candidates kept than MaxTried");
  check(R.TriedOmitted == 0 || R.Tried.size() == Resolution::MaxTried,
        "candidates omitted before MaxTried were kept");
  check(FS.Asked.size() == R.Tried.size() + R.TriedOmitted &&
            std::equal(R.Tried.begin(), R.Tried.end(), FS.Asked.begin()),
        "probes differ from the candidates reported");
  for (const std::string &C : R.Tried)
    check(isNormalizedAbsolute(C), "a candidate is not normalized");

  // Which name each candidate looks for; a retry replaces a suffix.
  StringRef N(Name);
  bool IsPath = N.contains('/');
  std::optional<std::string> Retried;
  if (!Rules->RetryFrom.empty() && N.ends_with(Rules->RetryFrom))
    Retried = (N.drop_back(Rules->RetryFrom.size()) + Rules->RetryTo).str();
  if (IsPath) {
    // A path is tried as it is (and its retry), never searched.
    check(R.Tried.size() <= 2, "a path was searched");
    if (!N.starts_with("/") && !Rules->LoadsRelativePaths)
      check(R.Tried.empty(), "a relative path was loaded");
    // The path itself, then its retry; each skipped if a loader that walks
    // ".." finds no directory on the way.
    auto AsGiven = [&](StringRef P) {
      return normalizeLoaderPath(P.starts_with("/") ? P.str()
                                                    : (Cwd + "/" + P).str());
    };
    std::vector<std::string> Allowed = {AsGiven(N)};
    if (Retried)
      Allowed.push_back(AsGiven(*Retried));
    size_t Next = 0;
    for (const std::string &C : R.Tried) {
      while (Next < Allowed.size() && Allowed[Next] != C)
        ++Next;
      check(Next < Allowed.size(), "a path was not taken as given");
      ++Next;
    }
  } else if (isPlainName(N) && (!Retried || isPlainName(*Retried))) {
    for (const std::string &C : R.Tried) {
      StringRef Base = StringRef(C).rsplit('/').second;
      check(Base == N || (Retried && Base == *Retried),
            "a candidate does not end in the name");
    }
  }
  size_t Dirs = Expanded.size() + Rules->DefaultDirs.size();
  for (const std::string &E : LibraryPath)
    Dirs += maxPieces(E, Rules->SplitChars);
  check(R.Tried.size() + R.TriedOmitted <= (IsPath ? 2 : 2 * Dirs),
        "more candidates than the search lists hold");

  // Found: the last candidate, the only one that exists.
  if (R.Via == FoundVia::NotFound && any_of(FS.Answers, [](bool B) { return B; })) {
    // Stopped at a relative entry found under the working directory (the
    // entry may be empty: a fuzzed default directory "").
    check(R.Path.empty(), "not found but a path is set");
    check(!Rules->LoadsRelativePaths, "a loader that loads relative paths stopped");
    check(!FS.Answers.empty() && FS.Answers.back() &&
              count(FS.Answers, true) == 1,
          "stopped at a relative entry that was not the first hit");
  } else if (R.Via == FoundVia::NotFound) {
    check(R.Path.empty() && R.Entry.empty(), "not found but a path is set");
    check(none_of(FS.Answers, [](bool B) { return B; }),
          "an existing candidate was passed over");
  } else {
    check(!FS.Asked.empty() && R.Path == FS.Asked.back(),
          "the found path is not the last candidate");
    check(FS.Answers.back(), "the found path does not exist");
    check(count(FS.Answers, true) == 1,
          "the search went on after a hit, or passed one over");
    check((R.Via == FoundVia::Path) == IsPath, "Via::Path for a bare name");
    switch (R.Via) {
    case FoundVia::LibraryPath:
      check(is_contained(LibraryPath, R.Entry), "entry not in LibraryPath");
      break;
    case FoundVia::RuntimePath:
      check(is_contained(RunPath, R.Entry), "entry not in the run path");
      break;
    case FoundVia::DefaultDir:
      check(is_contained(Rules->DefaultDirs, R.Entry),
            "entry not a default directory");
      break;
    default:
      check(R.Entry.empty(), "an entry for a path");
      break;
    }
  }

  // Deterministic: the same question, the same answer.
  std::vector<std::string> Tried = R.Tried;
  FS.Asked.clear();
  FS.Answers.clear();
  Resolution R2 = Resolve();
  check(R2.Tried == Tried && R2.TriedOmitted == R.TriedOmitted &&
            R2.Path == R.Path && R2.Via == R.Via &&
            R2.Entry == R.Entry && R2.Name == R.Name,
        "resolution is not deterministic");
  // The walk's bound is stated for the real loaders' rules (fuzzed default
  // directories may hold any number of "..", each a question).
  if (Walk && Rules != &Custom)
    checkWalk(FDP, *Rules);
  return 0;
}
