//===- WheelRepair.cpp - Make a Pyodide wheel self-contained --------------===//
//
// The analysis and the writing of WheelRepair.h. The analysis runs the
// library's loader rules (resolveNeeded(), Emscripten's as Pyodide ships
// them) over a view of the wheel as installed in site-packages, built from
// the central directory: nothing is unpacked. The same view, with the
// vendored libraries added and the planned edits applied, is resolved again
// at the end, so a plan that would not load is an error before anything is
// written.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/WheelRepair.h"
#include "wasm-rpath/EditPlan.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Symbols.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/Path.h"
#include <future>
#include <map>

using namespace llvm;

namespace wasmrpath {

namespace {

/// The largest module or RECORD that is read into memory. Members are
/// streamed otherwise; a side module above this is refused, not truncated.
constexpr uint64_t MaxMemberSize = uint64_t(1) << 30;

Error memberError(StringRef Member, const Twine &Msg) {
  return makeError(errc::malformed, "member '" + Member + "': " + Msg);
}

/// Pyodide's rules and environment (Resolve.cpp): where it installs a
/// wheel, its LD_LIBRARY_PATH, its loader's search.
const LoaderRules &pyodideRules() { return *getLoaderRules("pyodide"); }

/// Where a member lands when the wheel is installed, or "" for members
/// that do not go to site-packages (.data/scripts, headers, data).
/// Error: a member that would land outside site-packages.
Expected<std::string> installedPath(StringRef Member, StringRef DataDir) {
  StringRef SitePackages = pyodideRules().SitePackages;
  if (Member.starts_with(DataDir)) {
    StringRef Rest = Member.drop_front(DataDir.size());
    for (StringRef Scheme : {"purelib/", "platlib/"})
      if (Rest.starts_with(Scheme))
        return installedMemberPath(Rest.drop_front(Scheme.size()),
                                   SitePackages);
    return "";
  }
  return installedMemberPath(Member, SitePackages);
}

/// The run-time path entry that makes a module in \p FromDir find files in
/// \p ToDir: "$ORIGIN" or "$ORIGIN/<relative path>" (both normalized
/// absolute loader paths).
std::string originEntry(StringRef FromDir, StringRef ToDir) {
  SmallVector<StringRef, 8> From, To;
  StringRef(FromDir).split(From, '/', -1, /*KeepEmpty=*/false);
  StringRef(ToDir).split(To, '/', -1, /*KeepEmpty=*/false);
  size_t Common = 0;
  while (Common < From.size() && Common < To.size() &&
         From[Common] == To[Common])
    ++Common;
  std::string Entry = "$ORIGIN";
  for (size_t I = Common; I < From.size(); ++I)
    Entry += "/..";
  for (size_t I = Common; I < To.size(); ++I)
    Entry += "/" + To[I].str();
  return Entry;
}

/// "libfoo.so.1" -> "libfoo-<8 hex>.so.1", as auditwheel names the copies.
std::string mangledName(StringRef Name, ArrayRef<uint8_t> Content) {
  auto Digest = wheel::sha256Digest(Content);
  std::string Hash = toHex(ArrayRef(Digest).take_front(4), /*LowerCase=*/true);
  auto [Base, Ext] = Name.split('.');
  if (Ext.empty() && !Name.contains('.'))
    return (Base + "-" + Hash).str();
  return (Base + "-" + Hash + "." + Ext).str();
}

bool matchesAny(ArrayRef<GlobPattern> Globs, StringRef Name) {
  return any_of(Globs, [&](const GlobPattern &G) { return G.match(Name); });
}

Expected<std::vector<GlobPattern>> compileGlobs(ArrayRef<std::string> Pats,
                                                StringRef Option) {
  std::vector<GlobPattern> Out;
  for (const std::string &P : Pats) {
    Expected<GlobPattern> G = GlobPattern::create(P);
    if (!G)
      return makeError(errc::invalid_argument, "invalid " + Option + " '" + P +
                                                   "': " +
                                                   toString(G.takeError()));
    Out.push_back(std::move(*G));
  }
  return Out;
}

/// A library found outside the wheel, to be vendored.
struct HostLibrary {
  std::string HostPath;  // The real path: what identifies the library.
  std::string FoundPath; // As found through --libdir: what is shown.
  std::string NewName;
  std::vector<uint8_t> Content; // Kept until its module is planned.
};

/// The installed wheel as the loader sees it: files and directories by
/// loader path, each file with the member it comes from.
class InstalledView {
public:
  void addFile(StringRef LoaderPath, StringRef Member) {
    Files[LoaderPath] = Member.str();
    StringRef Dir = sys::path::parent_path(LoaderPath, sys::path::Style::posix);
    while (!Dir.empty() && Dirs.insert(Dir).second)
      Dir = sys::path::parent_path(Dir, sys::path::Style::posix);
    Dirs.insert("/");
  }
  bool isFile(StringRef P) const { return Files.count(P); }
  bool isDir(StringRef P) const { return Dirs.count(P); }
  /// True for a directory the wheel itself creates (below site-packages).
  bool isWheelDir(StringRef P) const {
    StringRef SitePackages = pyodideRules().SitePackages;
    return isDir(P) && P.starts_with(SitePackages) &&
           P.size() > SitePackages.size();
  }
  StringRef memberOf(StringRef P) const {
    auto It = Files.find(P);
    return It == Files.end() ? StringRef() : StringRef(It->second);
  }

private:
  StringMap<std::string> Files;
  StringSet<> Dirs;
};

Resolution resolveIn(const InstalledView &View, StringRef Name,
                     StringRef LoaderPath, ArrayRef<std::string> RunPath) {
  const LoaderRules &Rules = pyodideRules();
  return resolveNeeded(
      Name, LoaderPath, RunPath, Rules.DefaultLibraryPath, Rules.DefaultCwd,
      Rules,
      [&](StringRef P) { return View.isFile(P); },
      [&](StringRef P) { return View.isDir(P); });
}

/// One module being planned: its model, where it is installed, and the
/// parts of the plan that need the model.
struct Pending {
  ModulePlan Plan;
  std::string LoaderPath;
  std::vector<std::string> RunPath; // RUNTIME_PATH: what the loader reads.
  std::vector<std::string> Exports;
};

Expected<std::vector<std::string>> exportsOf(ArrayRef<uint8_t> Bytes) {
  Expected<ModuleSymbols> Syms = readModuleSymbols(Bytes);
  if (!Syms)
    return Syms.takeError();
  std::vector<std::string> Names;
  for (const ExportedSymbol &S : Syms->Exports)
    Names.push_back(S.Name);
  return Names;
}

} // namespace

Error checkRepairOptions(const RepairOptions &Opts) {
  if (Opts.LibSdir.empty() || StringRef(Opts.LibSdir).contains('/'))
    return makeError(errc::invalid_argument,
                     "invalid --lib-sdir '" + Opts.LibSdir +
                         "' (a suffix such as .libs, without '/')");
  if (Opts.Level < 0 || Opts.Level > 9)
    return makeError(errc::invalid_argument,
                     "invalid compression level " + Twine(Opts.Level) +
                         " (expected 0-9)");
  if (Expected<std::vector<GlobPattern>> G =
          compileGlobs(Opts.Exclude, "--exclude");
      !G)
    return G.takeError();
  if (Expected<std::vector<GlobPattern>> G =
          compileGlobs(Opts.NoMangle, "--no-mangle");
      !G)
    return G.takeError();
  return Error::success();
}

StringRef neededStatusName(NeededStatus::Kind K) {
  switch (K) {
  case NeededStatus::Found:
    return "found";
  case NeededStatus::InWheel:
    return "in_wheel";
  case NeededStatus::Vendor:
    return "vendor";
  case NeededStatus::Excluded:
    return "excluded";
  case NeededStatus::NotFound:
    return "not_found";
  }
  llvm_unreachable("unknown status");
}

Expected<std::unique_ptr<WheelFile>> WheelFile::open(StringRef Path) {
  std::unique_ptr<WheelFile> W(new WheelFile());
  W->Path = Path.str();
  auto Fail = [&](Error E) { return createFileError(Path, std::move(E)); };
  // Read with pread(), never mapped: a wheel truncated meanwhile is an
  // error, not a SIGBUS.
  Expected<std::unique_ptr<InputFile>> In =
      InputFile::open(Path, InputAccess::Descriptor);
  if (!In)
    return Fail(In.takeError());
  W->In = std::move(*In);
  Expected<zip::Archive> A =
      zip::Archive::read(W->In->fd(), W->In->size());
  if (!A)
    return Fail(A.takeError());
  W->Archive = std::move(*A);
  // Two members of one name install as one file, and RECORD cannot tell
  // them apart: such a wheel is refused rather than half repaired.
  StringSet<> Names;
  for (const zip::Entry &E : W->Archive.entries())
    if (!Names.insert(E.Name).second)
      return Fail(makeError(errc::malformed,
                            "member '" + E.Name + "' appears twice"));
  // Names that escape site-packages or install as another member's file.
  if (Error E = wheel::checkMemberPaths(W->Archive))
    return Fail(std::move(E));
  // RECORD verification streams every member once: let the mapping's pages
  // go behind it, so that memory does not grow with the wheel.
  const InputFile *File = W->In.get();
  W->Archive.setReleaseHook(
      [File](ArrayRef<uint8_t> Range) { File->releasePages(Range); });
  Expected<wheel::WheelName> Name = wheel::parseWheelName(Path);
  if (!Name)
    return Fail(Name.takeError());
  W->Name = std::move(*Name);
  Expected<wheel::DistInfo> DI = wheel::findDistInfo(W->Archive, &W->Name);
  if (!DI)
    return Fail(DI.takeError());
  W->DI = *DI;
  SmallVector<uint8_t, 0> Text;
  if (Error E = W->Archive.extract(*W->DI.Record, Text, MaxMemberSize))
    return Fail(std::move(E));
  Expected<wheel::Record> Rec = wheel::Record::parse(toStringRef(Text));
  if (!Rec)
    return Fail(memberError(W->DI.Record->Name, toString(Rec.takeError())));
  W->Rec = std::move(*Rec);
  return W;
}

Error WheelFile::verifyRecord(bool AllHashes) const {
  ArrayRef<zip::Entry> Entries = Archive.entries();
  // Each member is hashed on its own; the first failure in member order is
  // the one reported, so the message does not depend on scheduling.
  std::vector<std::string> Failures(Entries.size());
  std::vector<char> Failed(Entries.size(), 0);
  parallelFor(0, Entries.size(), [&](size_t I) {
    if (Error E = wheel::verifyMember(
            Archive, Entries[I], Rec, DI,
            AllHashes || isPreloadedByPyodide(Entries[I].Name))) {
      Failures[I] = toString(std::move(E));
      Failed[I] = 1;
    }
  });
  for (size_t I = 0; I < Entries.size(); ++I)
    if (Failed[I])
      return createFileError(Path, makeError(errc::malformed, Failures[I]));
  return Error::success();
}

bool RepairPlan::hasMissing() const {
  for (const ModulePlan &M : Modules)
    for (const NeededStatus &N : M.Resolution)
      if (N.Status == NeededStatus::NotFound)
        return true;
  return false;
}

bool RepairPlan::changesWheel(const WheelFile &W) const {
  if (W.distInfo().RecordJWS || W.distInfo().RecordP7S)
    return true;
  return any_of(Modules, [](const ModulePlan &M) { return M.changes(); });
}

Error checkNothingMissing(const RepairPlan &Plan) {
  std::string Msg;
  for (const ModulePlan &M : Plan.Modules)
    for (const NeededStatus &N : M.Resolution)
      if (N.Status == NeededStatus::NotFound) {
        if (!Msg.empty())
          Msg += "\n";
        Msg += "'" + Plan.Wheel + "': '" + N.Name + "' needed by '" +
               M.Member + "' was found neither in the wheel nor in a --libdir";
      }
  if (Msg.empty())
    return Error::success();
  // One line per missing name, each naming the wheel.
  return makeError(errc::not_found, Msg);
}

Expected<RepairPlan> analyzeWheel(const WheelFile &W,
                                  const RepairOptions &Opts) {
  auto Fail = [&](Error E) { return createFileError(W.path(), std::move(E)); };
  Expected<std::vector<GlobPattern>> Exclude =
      compileGlobs(Opts.Exclude, "--exclude");
  if (!Exclude)
    return Exclude.takeError();
  Expected<std::vector<GlobPattern>> NoMangle =
      compileGlobs(Opts.NoMangle, "--no-mangle");
  if (!NoMangle)
    return NoMangle.takeError();

  RepairPlan Plan;
  Plan.Wheel = W.path().str();
  Plan.LibsDir = W.name().Distribution + Opts.LibSdir;
  // "<name>-<version>.data/", spelled as the wheel spells its .dist-info
  // (the file name may differ in case or escaping: PyYAML vs pyyaml).
  std::string DataDir =
      StringRef(W.distInfo().Dir).drop_back(strlen(".dist-info")).str() +
      ".data/";
  std::string LibsLoaderDir =
      pyodideRules().SitePackages + "/" + Plan.LibsDir;

  InstalledView View;
  DenseMap<const zip::Entry *, std::string> LoaderPathOf;
  // The first member of each file name, in member order: where a name the
  // loader does not find is looked for in the wheel.
  StringMap<std::string> FirstByName;
  std::vector<const zip::Entry *> ModuleEntries;
  for (const zip::Entry &E : W.archive().entries()) {
    if (E.isDirectory())
      continue;
    Expected<std::string> Installed = installedPath(E.Name, DataDir);
    if (!Installed)
      return Fail(Installed.takeError());
    std::string Loader = std::move(*Installed);
    if (Loader.empty())
      continue;
    View.addFile(Loader, E.Name);
    LoaderPathOf[&E] = Loader;
    FirstByName.try_emplace(sys::path::filename(Loader, sys::path::Style::posix),
                            Loader);
    if (isPreloadedByPyodide(E.Name))
      ModuleEntries.push_back(&E);
  }

  // Reads every side module of the wheel; they are resolved below.
  std::vector<Pending> Mods;
  for (const zip::Entry *E : ModuleEntries) {
    SmallVector<uint8_t, 0> Bytes;
    if (Error Err = W.archive().extract(*E, Bytes, MaxMemberSize))
      return Fail(memberError(E->Name, toString(std::move(Err))));
    Expected<Object> Obj = readObject(Bytes);
    if (!Obj)
      return Fail(memberError(E->Name, "not a WebAssembly side module: " +
                                           toString(Obj.takeError())));
    if (!Obj->isSharedLibrary())
      return Fail(memberError(E->Name, toString(makeNotSharedLibraryError())));
    Expected<std::vector<std::string>> Exports = exportsOf(Bytes);
    if (!Exports)
      return Fail(memberError(E->Name, toString(Exports.takeError())));
    Pending P;
    P.Plan.Member = E->Name;
    P.Plan.Needed = Obj->Dylink->Needed;
    P.Plan.RuntimePath = Obj->Dylink->RuntimePath;
    P.Plan.RPathSection = Obj->RPathSection;
    P.LoaderPath = LoaderPathOf[E];
    P.RunPath = getRPath(*Obj, RPathPlace::Dylink);
    P.Exports = std::move(*Exports);
    Mods.push_back(std::move(P));
  }

  // Libraries to vendor, keyed by the real host path, so that one file
  // reached by several names (or symbolic links) is copied once.
  std::map<std::string, size_t> VendoredByPath;
  std::vector<HostLibrary> Vendored;
  // Looks a name up in the --libdir directories; the first side module
  // found wins. Files that exist but are not side modules are skipped, and
  // named in the warning if nothing else is found.
  auto SearchHost = [&](StringRef Name,
                        std::string &Skipped) -> std::optional<size_t> {
    for (const std::string &Dir : Opts.LibDirs)
      for (std::string D : {Dir, Dir + "/lib"}) {
        SmallString<256> Candidate(D);
        sys::path::append(Candidate, Name);
        SmallString<256> Real;
        if (sys::fs::real_path(Candidate, Real) ||
            !sys::fs::is_regular_file(Real))
          continue;
        auto It = VendoredByPath.find(std::string(Real));
        if (It != VendoredByPath.end())
          return It->second;
        Expected<std::unique_ptr<InputFile>> In = InputFile::open(Real);
        if (!In) {
          consumeError(In.takeError());
          continue;
        }
        Expected<Object> Obj = readObject((*In)->data());
        if (!Obj || !Obj->isSharedLibrary()) {
          if (!Obj)
            consumeError(Obj.takeError());
          if (Skipped.empty())
            Skipped = std::string(Candidate);
          continue;
        }
        HostLibrary L;
        L.HostPath = std::string(Real);
        L.FoundPath = std::string(Candidate);
        L.Content.assign((*In)->data().begin(), (*In)->data().end());
        L.NewName = Opts.NoMangleAll || matchesAny(*NoMangle, Name)
                        ? Name.str()
                        : mangledName(Name, L.Content);
        VendoredByPath[L.HostPath] = Vendored.size();
        Vendored.push_back(std::move(L));
        return Vendored.size() - 1;
      }
    return std::nullopt;
  };
  // Each name is looked up once: a wheel of many modules needs the same
  // few libraries many times.
  StringMap<std::optional<size_t>> FoundByName;
  auto FindOnHost = [&](StringRef Name,
                        std::string &Skipped) -> std::optional<size_t> {
    auto [It, New] = FoundByName.try_emplace(Name);
    if (New)
      It->second = SearchHost(Name, Skipped);
    return It->second;
  };

  // Plans the modules in order; vendoring appends to Mods, so the loop
  // reaches the dependencies of what it vendors too.
  StringSet<> Warned;
  for (size_t I = 0; I < Mods.size(); ++I) {
    std::string ModDir =
        sys::path::parent_path(Mods[I].LoaderPath, sys::path::Style::posix)
            .str();
    std::vector<std::string> AddDirs;
    // A copy: vendoring appends to Mods, which may move Mods[I].
    std::vector<std::string> Needed = Mods[I].Plan.Needed;
    for (const std::string &Name : Needed) {
      NeededStatus S;
      S.Name = Name;
      Resolution R = resolveIn(View, Name, Mods[I].LoaderPath, Mods[I].RunPath);
      if (R.Via != FoundVia::NotFound) {
        S.Status = NeededStatus::Found;
        S.LoaderPath = R.Path;
        S.Via = foundViaName(R.Via).str();
        S.Member = View.memberOf(R.Path).str();
        Mods[I].Plan.Resolution.push_back(std::move(S));
        continue;
      }
      std::string Skipped;
      // Members of the wheel with that name, the module's directory first.
      std::string WheelMatch;
      if (!StringRef(Name).contains('/')) {
        std::string Same = ModDir + "/" + Name;
        if (View.isFile(Same))
          WheelMatch = Same;
        else
          WheelMatch = FirstByName.lookup(Name);
      }
      if (!WheelMatch.empty()) {
        S.Status = NeededStatus::InWheel;
        S.Member = View.memberOf(WheelMatch).str();
        AddDirs.push_back(
            sys::path::parent_path(WheelMatch, sys::path::Style::posix).str());
      } else if (matchesAny(*Exclude, Name)) {
        S.Status = NeededStatus::Excluded;
        if (Warned.insert(Name).second)
          Plan.Warnings.push_back("'" + Name + "' needed by '" +
                                  Mods[I].Plan.Member +
                                  "' is excluded: not vendored, left to the "
                                  "runtime");
      } else if (std::optional<size_t> L =
                     StringRef(Name).contains('/')
                         ? std::nullopt
                         : FindOnHost(Name, Skipped)) {
        HostLibrary &Lib = Vendored[*L];
        S.Status = NeededStatus::Vendor;
        S.NewName = Lib.NewName;
        S.Member = Plan.LibsDir + "/" + Lib.NewName;
        std::string Loader = LibsLoaderDir + "/" + Lib.NewName;
        if (!View.isFile(Loader)) {
          // First time: it becomes a module of the plan, planned in turn.
          Expected<Object> Obj = readObject(Lib.Content);
          if (!Obj)
            return Obj.takeError(); // Checked by FindOnHost.
          Expected<std::vector<std::string>> Exports = exportsOf(Lib.Content);
          if (!Exports)
            return createFileError(Lib.HostPath, Exports.takeError());
          Pending P;
          P.Plan.Member = S.Member;
          P.Plan.SourcePath = Lib.FoundPath;
          P.Plan.SourceSHA256 =
              toHex(wheel::sha256Digest(Lib.Content), /*LowerCase=*/true);
          P.Plan.Vendored = true;
          P.Plan.Needed = Obj->Dylink->Needed;
          P.Plan.RuntimePath = Obj->Dylink->RuntimePath;
          P.Plan.RPathSection = Obj->RPathSection;
          P.LoaderPath = Loader;
          // Its run-time path was the build machine's: only $ORIGIN-based
          // entries that land inside the wheel survive, below.
          P.RunPath = getRPath(*Obj, RPathPlace::Dylink);
          P.Exports = std::move(*Exports);
          Mods.push_back(std::move(P));
          View.addFile(Loader, S.Member);
        } else if (Lib.NewName != Name && none_of(Mods, [&](const Pending &P) {
                     return P.LoaderPath == Loader && P.Plan.Vendored;
                   })) {
          // The wheel already holds a copy under this mangled name (a
          // repaired wheel that gained a module): the name says it is the
          // same library, so that copy is used.
          S.Status = NeededStatus::InWheel;
        } else if (View.memberOf(Loader) != S.Member ||
                   [&] {
                     for (const Pending &P : Mods)
                       if (P.LoaderPath == Loader)
                         return !P.Plan.Vendored ||
                                P.Plan.SourcePath != Lib.FoundPath;
                     return false;
                   }()) {
          return Fail(makeError(
              errc::invalid_argument,
              "cannot vendor '" + Lib.HostPath + "' as '" + S.Member +
                  "': the wheel already has a different file there"));
        }
        AddDirs.push_back(LibsLoaderDir);
        if (Lib.NewName != Name)
          Mods[I].Plan.Renames.emplace_back(Name, Lib.NewName);
      } else {
        S.Status = NeededStatus::NotFound;
        if (!Skipped.empty())
          Plan.Warnings.push_back("'" + Skipped +
                                  "' is not a WebAssembly side module; "
                                  "not vendored");
      }
      Mods[I].Plan.Resolution.push_back(std::move(S));
    }
    if (AddDirs.empty() && !Mods[I].Plan.Vendored)
      continue;
    // The new run-time path: the entries that lead inside the installed
    // wheel (those that lead elsewhere were the build machine's), then one
    // entry per directory that must be added, without duplicates.
    std::vector<std::string> New;
    for (const std::string &Entry : Mods[I].RunPath) {
      auto Dirs = expandRunPath({Entry}, Mods[I].LoaderPath, pyodideRules());
      if (!Dirs.empty() && all_of(Dirs, [&](const auto &D) {
            return View.isWheelDir(normalizeLoaderPath(D.first));
          }) && !is_contained(New, Entry))
        New.push_back(Entry);
    }
    for (const std::string &Dir : AddDirs) {
      std::string Entry = originEntry(ModDir, Dir);
      if (!is_contained(New, Entry))
        New.push_back(Entry);
    }
    if (Mods[I].Plan.Vendored && New.empty())
      New.push_back("$ORIGIN");
    if (New != Mods[I].RunPath ||
        (Opts.Place != RPathPlace::Dylink &&
         Mods[I].Plan.RPathSection.value_or(std::vector<std::string>()) !=
             New))
      Mods[I].Plan.NewRunPath = std::move(New);
  }

  // Check the plan: with the vendored libraries in place and the edits
  // made, every name that is not excluded must resolve to the member the
  // plan chose.
  for (const Pending &P : Mods) {
    std::vector<std::string> RunPath =
        P.Plan.NewRunPath ? *P.Plan.NewRunPath : P.RunPath;
    for (const NeededStatus &S : P.Plan.Resolution) {
      if (S.Status != NeededStatus::InWheel && S.Status != NeededStatus::Vendor)
        continue;
      std::string Name = S.NewName.empty() ? S.Name : S.NewName;
      Resolution R = resolveIn(View, Name, P.LoaderPath, RunPath);
      if (View.memberOf(R.Path) != S.Member)
        Plan.Warnings.push_back(
            "after repair, '" + Name + "' needed by '" + P.Plan.Member +
            "' would load " +
            (R.Path.empty() ? std::string("nothing") : "'" + R.Path + "'") +
            " instead of '" + S.Member +
            "' (a library of that name earlier in the search wins; rename it "
            "or drop --no-mangle)");
    }
  }

  // Symbols bind process-wide, first definition wins: a vendored library
  // that exports what another module (or the main module) exports shares
  // or loses that symbol.
  std::map<std::string, std::string> Owner;
  if (!Opts.MainModule.empty()) {
    Expected<std::unique_ptr<InputFile>> Main = InputFile::open(Opts.MainModule);
    if (!Main)
      return createFileError(Opts.MainModule, Main.takeError());
    Expected<std::vector<std::string>> Exports = exportsOf((*Main)->data());
    if (!Exports)
      return createFileError(Opts.MainModule, Exports.takeError());
    for (std::string &S : *Exports)
      Owner.emplace(std::move(S), "main module");
  }
  for (const Pending &P : Mods)
    if (!P.Plan.Vendored)
      for (const std::string &S : P.Exports)
        Owner.emplace(S, P.Plan.Member);
  for (const Pending &P : Mods)
    if (P.Plan.Vendored)
      for (const std::string &S : P.Exports) {
        auto [It, New] = Owner.emplace(S, P.Plan.Member);
        if (!New && It->second != P.Plan.Member)
          Plan.Clashes.push_back({S, P.Plan.Member, It->second});
      }

  for (Pending &P : Mods)
    Plan.Modules.push_back(std::move(P.Plan));
  return Plan;
}

Error writeRepairedWheel(const WheelFile &W, const RepairPlan &Plan,
                         const RepairOptions &Opts, StringRef OutPath,
                         function_ref<Error()> BeforeCommit) {
  const zip::Archive &A = W.archive();
  if (!Plan.changesWheel(W)) {
    // Nothing to do: the output is the input, byte for byte.
    OutputChunk Whole;
    Whole.InputOffset = 0;
    Whole.Size = W.file().size();
    if (Whole.Size == 0)
      return createFileError(W.path(), makeError(errc::malformed, "empty file"));
    if (Error E = writeOutputFile(W.file(), {Whole}, OutPath, BeforeCommit))
      return createFileError(OutPath, std::move(E));
    return Error::success();
  }

  // New members' time stamp: SOURCE_DATE_EPOCH, else the newest member's,
  // so that the same input gives the same output.
  int64_t NewTime = 315532800;
  if (Opts.SourceDateEpoch)
    NewTime = *Opts.SourceDateEpoch;
  else
    for (const zip::Entry &E : A.entries())
      NewTime = std::max(NewTime, zip::dosToUnixTime(E.DosDate, E.DosTime));

  std::map<std::string, const ModulePlan *> Edited;
  std::vector<const ModulePlan *> NewMembers;
  for (const ModulePlan &M : Plan.Modules) {
    if (M.Vendored)
      NewMembers.push_back(&M);
    else if (M.changes())
      Edited[M.Member] = &M;
  }

  // Applies a module's part of the plan through the library's EditPlan.
  auto Edit = [&](const ModulePlan &M, ArrayRef<uint8_t> In,
                  std::string &Out) -> Error {
    EditPlan EP;
    EP.setPlace(Opts.Place);
    if (M.NewRunPath) {
      if (Error E = M.NewRunPath->empty() ? EP.removeRPath()
                                          : EP.setRPath(*M.NewRunPath))
        return E;
    }
    for (const auto &[Old, New] : M.Renames)
      EP.replaceNeeded(Old, New);
    if (Error E = EP.finalize())
      return E;
    raw_string_ostream OS(Out);
    Expected<bool> Changed = editModuleBuffer(
        In, [&](Object &O) { return EP.apply(O, isWasmModuleFile); }, OS);
    if (!Changed)
      return Changed.takeError();
    return Error::success();
  };

  zip::Writer Wr;
  wheel::Record NewRecord;
  auto AddNew = [&](StringRef Name, ArrayRef<uint8_t> Content, int64_t MTime,
                    uint32_t Mode) -> Error {
    zip::NewEntry NE;
    NE.Level = Opts.Level;
    NE.MTime = MTime;
    NE.Mode = Mode ? Mode : 0100644;
    if (Error E = Wr.addEntry(Name, Content, NE))
      return E;
    NewRecord.Rows.push_back(wheel::makeRecordRow(Name, Content));
    return Error::success();
  };
  auto AddVendored = [&]() -> Error {
    for (const ModulePlan *M : NewMembers) {
      Expected<std::unique_ptr<InputFile>> In = InputFile::open(M->SourcePath);
      if (!In)
        return createFileError(M->SourcePath, In.takeError());
      std::string Out;
      if (Error E = Edit(*M, (*In)->data(), Out))
        return createFileError(M->SourcePath, std::move(E));
      // The content must still be what the plan (and the hash in the
      // mangled name) was made from.
      if (toHex(wheel::sha256Digest((*In)->data()), /*LowerCase=*/true) !=
          M->SourceSHA256)
        return createFileError(
            M->SourcePath,
            makeError(errc::input_changed,
                      "changed while the wheel was being repaired"));
      // A fixed mode, so that the output does not depend on the host's.
      if (Error E = AddNew(M->Member, arrayRefFromStringRef(Out), NewTime,
                           0100755))
        return E;
    }
    NewMembers.clear();
    return Error::success();
  };

  const wheel::DistInfo &DI = W.distInfo();
  std::string DistInfoPrefix = DI.Dir + "/";
  for (const zip::Entry &E : A.entries()) {
    // Vendored libraries go before .dist-info, which wheels keep last.
    if (StringRef(E.Name).starts_with(DistInfoPrefix))
      if (Error Err = AddVendored())
        return createFileError(W.path(), std::move(Err));
    if (&E == DI.Record || &E == DI.RecordJWS || &E == DI.RecordP7S)
      continue;
    auto It = Edited.find(E.Name);
    if (It == Edited.end()) {
      if (Error Err = Wr.copyEntry(E))
        return createFileError(W.path(), std::move(Err));
      if (const wheel::RecordRow *Row = W.record().find(E.Name))
        NewRecord.Rows.push_back(*Row);
      continue;
    }
    SmallVector<uint8_t, 0> Bytes;
    std::string Out;
    if (Error Err = A.extract(E, Bytes, MaxMemberSize))
      return createFileError(W.path(), memberError(E.Name, toString(std::move(Err))));
    if (Error Err = Edit(*It->second, Bytes, Out))
      return createFileError(W.path(), memberError(E.Name, toString(std::move(Err))));
    if (Error Err = AddNew(E.Name, arrayRefFromStringRef(Out),
                           zip::dosToUnixTime(E.DosDate, E.DosTime),
                           E.unixMode()))
      return createFileError(W.path(), std::move(Err));
  }
  if (Error Err = AddVendored())
    return createFileError(W.path(), std::move(Err));

  // RECORD last, with its own row empty.
  const zip::Entry &RecordEntry = *DI.Record;
  NewRecord.Rows.push_back({RecordEntry.Name, "", ""});
  std::string RecordText = NewRecord.serialize();
  zip::NewEntry NE;
  NE.Level = Opts.Level;
  NE.MTime = zip::dosToUnixTime(RecordEntry.DosDate, RecordEntry.DosTime);
  NE.Mode = RecordEntry.unixMode() ? RecordEntry.unixMode() : 0100644;
  if (Error Err = Wr.addEntry(RecordEntry.Name,
                              arrayRefFromStringRef(RecordText), NE))
    return createFileError(W.path(), std::move(Err));
  std::vector<OutputChunk> Chunks = Wr.finish();
  if (Error E = writeOutputFile(W.file(), Chunks, OutPath, BeforeCommit))
    return createFileError(OutPath, std::move(E));
  return Error::success();
}

Expected<RepairPlan> repairWheel(const WheelFile &W, const RepairOptions &Opts,
                                 StringRef OutPath) {
  // RECORD is verified on other threads while the plan is made and the
  // output written; the output replaces nothing until it has passed. A
  // bad RECORD is the error reported, whatever else failed.
  std::future<Error> Verifying =
      std::async(std::launch::async,
                 [&] { return W.verifyRecord(Opts.CheckAllHashes); });
  std::optional<Error> Verified;
  auto Wait = [&]() -> Error & {
    if (!Verified)
      Verified.emplace(Verifying.get());
    return *Verified;
  };
  Expected<RepairPlan> Plan = analyzeWheel(W, Opts);
  Error Result = Plan ? checkNothingMissing(*Plan) : Plan.takeError();
  if (!Result)
    Result = writeRepairedWheel(W, *Plan, Opts, OutPath, [&]() -> Error {
      if (Wait())
        return makeError(errc::malformed, "RECORD does not match");
      return Error::success();
    });
  if (Error &V = Wait()) {
    consumeError(std::move(Result));
    return std::move(V);
  }
  consumeError(std::move(*Verified));
  if (Result)
    return Result;
  return Plan;
}

json::Value toJSON(const RepairPlan &Plan) {
  auto Strings = [](ArrayRef<std::string> S) {
    json::Array A;
    for (const std::string &X : S)
      A.push_back(X);
    return A;
  };
  auto Optional = [&](const std::optional<std::vector<std::string>> &S) {
    return S ? json::Value(Strings(*S)) : json::Value(nullptr);
  };
  json::Array Modules;
  for (const ModulePlan &M : Plan.Modules) {
    json::Array Needed;
    for (const NeededStatus &S : M.Resolution) {
      json::Object O{{"name", S.Name}, {"status", neededStatusName(S.Status)}};
      if (!S.LoaderPath.empty())
        O["path"] = S.LoaderPath;
      if (!S.Via.empty())
        O["via"] = S.Via;
      if (!S.Member.empty())
        O["member"] = S.Member;
      if (!S.NewName.empty())
        O["new_name"] = S.NewName;
      Needed.push_back(std::move(O));
    }
    json::Array Renames;
    for (const auto &[Old, New] : M.Renames)
      Renames.push_back(json::Object{{"from", Old}, {"to", New}});
    json::Object O{{"member", M.Member},
                   {"vendored", M.Vendored},
                   {"needed", std::move(Needed)},
                   {"runtime_path", Optional(M.RuntimePath)},
                   {"rpath.0", Optional(M.RPathSection)},
                   {"new_runtime_path", Optional(M.NewRunPath)},
                   {"renames", std::move(Renames)}};
    if (M.Vendored)
      O["source"] = M.SourcePath;
    Modules.push_back(std::move(O));
  }
  json::Array Clashes;
  for (const VendoredSymbolClash &C : Plan.Clashes)
    Clashes.push_back(json::Object{
        {"symbol", C.Symbol}, {"library", C.Library}, {"other", C.Other}});
  return json::Object{{"wheel", Plan.Wheel},
                      {"libs_dir", Plan.LibsDir},
                      {"modules", std::move(Modules)},
                      {"symbol_clashes", std::move(Clashes)},
                      {"warnings", Strings(Plan.Warnings)}};
}

} // namespace wasmrpath
