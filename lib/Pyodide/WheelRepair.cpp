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
#include "Edit/Strip.h"
#include "IO/OutputFile.h"
#include "Pyodide/InstalledWheel.h"
#include "wasm-rpath/EditPlan.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/Glob.h"
#include "wasm-rpath/Json.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/Resolve.h"
#include "wasm-rpath/Symbols.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Threading.h"
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <thread>
#include <type_traits>

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

/// The 8 hex digits of \p Content's SHA-256 that name its vendored copy.
std::string hashTag(ArrayRef<uint8_t> Content) {
  auto Digest = wheel::sha256Digest(Content);
  return toHex(ArrayRef(Digest).take_front(4), /*LowerCase=*/true);
}

/// "libfoo.so.1" -> "libfoo-<Hash>.so.1", as auditwheel names the copies.
std::string mangledName(StringRef Name, StringRef Hash) {
  auto [Base, Ext] = Name.split('.');
  if (Ext.empty() && !Name.contains('.'))
    return (Base + "-" + Hash).str();
  return (Base + "-" + Hash + "." + Ext).str();
}

/// Whether \p Name is \p Orig as repair renames it in a vendored copy:
/// \p Orig itself (not mangled) or mangledName()'s form of it, whatever
/// the hash.
bool isRenamedFrom(StringRef Name, StringRef Orig) {
  if (Name == Orig)
    return true;
  auto [Base, Ext] = Orig.split('.');
  StringRef Rest = Name;
  if (!Rest.consume_front(Base) || !Rest.consume_front("-") ||
      Rest.size() < 8 || !all_of(Rest.take_front(8), [](char C) {
        return isDigit(C) || (C >= 'a' && C <= 'f');
      }))
    return false;
  Rest = Rest.drop_front(8);
  return Orig.contains('.') ? Rest.consume_front(".") && Rest == Ext
                            : Rest.empty();
}

/// Whether \p Copy, a member of the wheel named as the vendored copy of
/// the library \p Lib (the hash in the name is \p Lib's), is \p Lib as a
/// repair writes it. A repair changes only the NEEDED names it renames,
/// the run-time path (RUNTIME_PATH of dylink.0, rpath.0) and the custom
/// sections a strip removes, so the hash of the copy's own bytes is not
/// the name's: everything else must be \p Lib's, byte for byte, in order.
bool isVendoredCopyOf(const Object &Copy, const Object &Lib) {
  if (!Copy.Dylink || !Lib.Dylink ||
      Copy.Dylink->IsLegacy != Lib.Dylink->IsLegacy)
    return false;
  const DylinkInfo &C = *Copy.Dylink, &L = *Lib.Dylink;
  if (C.LegacyMemInfo != L.LegacyMemInfo || C.Needed.size() != L.Needed.size())
    return false;
  for (size_t I = 0; I < C.Needed.size(); ++I)
    if (!isRenamedFrom(C.Needed[I], L.Needed[I]))
      return false;
  auto Fixed = [](const DylinkInfo &D) {
    std::vector<ArrayRef<uint8_t>> Raw;
    for (const DylinkSubsection &Sub : D.Subsections)
      if (Sub.Type != DylinkNeeded && Sub.Type != DylinkRuntimePath)
        Raw.push_back(Sub.Raw);
    return Raw;
  };
  if (Fixed(C) != Fixed(L))
    return false;
  auto Edited = [](const Section &S) {
    return S.isCustom() &&
           (S.Name == DylinkSectionName || S.Name == LegacyDylinkSectionName ||
            S.Name == RPathSectionName);
  };
  // The copy's other sections are the library's, less custom sections
  // that a strip removed.
  size_t J = 0;
  for (const Section &S : Copy.Sections) {
    if (Edited(S))
      continue;
    for (; J < Lib.Sections.size(); ++J) {
      const Section &T = Lib.Sections[J];
      if (!T.isCustom() ||
          (!Edited(T) && T.Name == S.Name && S.Id == T.Id &&
           Copy.payload(S) == Lib.payload(T)))
        break;
    }
    if (J == Lib.Sections.size())
      return false;
    const Section &T = Lib.Sections[J++];
    if (T.Id != S.Id || T.Name != S.Name || Copy.payload(S) != Lib.payload(T))
      return false;
  }
  for (; J < Lib.Sections.size(); ++J)
    if (!Lib.Sections[J].isCustom())
      return false;
  return true;
}

/// A library found outside the wheel, to be vendored.
struct HostLibrary {
  std::string HostPath;  // The real path: what identifies the library.
  std::string FoundPath; // As found through --libdir: what is shown.
  std::string NewName;
  std::string HashTag; // hashTag() of the content.
  std::vector<uint8_t> Content; // Kept until its module is planned.
};

/// One module being planned: its model, where it is installed, and the
/// parts of the plan that need the model.
struct Pending {
  ModulePlan Plan;
  std::string LoaderPath;
  std::vector<std::string> RunPath; // RUNTIME_PATH: what the loader reads.
  ModuleSymbols Symbols;             // Exports only: what clashes.
};

/// The bytes a strip at \p Opts.Strip removes from \p Obj: Strip.h's
/// rule, asked of the model, so that a module whose only change is the
/// strip is planned as changing.
uint64_t strippedBytesOf(const Object &Obj, const RepairOptions &Opts) {
  uint64_t Bytes = 0;
  for (const Section &Sec : Obj.Sections)
    if (Sec.isCustom() && !Sec.Removed &&
        isStrippedSection(Sec.Name, Opts.Strip, Opts.KeepSections))
      Bytes += Sec.size();
  return Bytes;
}

/// The exports of the module \p Obj (read from memory), for the clash check.
Expected<ModuleSymbols> exportsOf(const Object &Obj) {
  Expected<ModuleSymbols> Syms = readModuleSymbols(Obj);
  if (!Syms)
    return Syms.takeError();
  Syms->Imports.clear();
  Syms->Imports.shrink_to_fit();
  return Syms;
}

/// What a repair's analysis keeps of the side modules it reads, so that
/// each is inflated once per repair, not three times (analysis, RECORD
/// check, rewrite): RECORD's verdict on each module's content, checked
/// from the bytes inflated for the analysis, and the bytes themselves for
/// the rewrite, while their total stays within KeptBytesBudget (beyond it
/// the rewrite inflates a module again, so memory stays bounded however
/// large the wheel). The parse is not kept: measured, the memory it holds
/// (first touched, a page fault each page) cost more than parsing again.
struct ModuleReads {
  static constexpr uint64_t KeptBytesBudget = uint64_t(8) << 20;
  struct Module {
    /// The RECORD check's error message, empty if the content matches its
    /// row; none if not checked (the member could not be read).
    std::optional<std::string> Verdict;
    SmallVector<uint8_t, 0> Bytes;
  };
  /// The side modules, in the analysis's order, and where each entry is.
  /// Arrays, not a map of modules: on a machine where a page fault costs
  /// tens of microseconds, the memory first touched is time. The rewrite
  /// takes each module's Bytes (one thread per module; the containers
  /// themselves do not change meanwhile).
  std::vector<Module> Modules;
  DenseMap<const zip::Entry *, unsigned> Index;
  Module *find(const zip::Entry *E) {
    auto It = Index.find(E);
    return It == Index.end() ? nullptr : &Modules[It->second];
  }
};

} // namespace

void forEachIndexJoined(size_t N, uint64_t WorkBytes,
                        function_ref<void(size_t)> Fn) {
  // Not llvm::parallel: its threads outlive the call and are only woken at
  // exit, where they run OpenSSL's per-thread cleanup while OpenSSL's own
  // atexit handler frees the same state (a double free at exit, about one
  // run in 5,000). Threads started here have ended, and with them their
  // per-thread state, before this returns.
  uint64_t Threads = std::min<uint64_t>(
      {N, std::max(1u, llvm::hardware_concurrency().compute_thread_count()),
       std::max<uint64_t>(1, WorkBytes / BytesPerThread)});
  std::atomic<size_t> Next{0};
  auto Work = [&] {
    for (size_t I; (I = Next.fetch_add(1, std::memory_order_relaxed)) < N;)
      Fn(I);
  };
  std::vector<std::thread> Pool;
  for (uint64_t T = 1; T < Threads; ++T)
    Pool.emplace_back(Work);
  Work();
  for (std::thread &T : Pool)
    T.join();
}

Error checkLibSdir(StringRef LibSdir) {
  // One path component appended to the distribution's name: no separator
  // of any kind (a backslash is one to Windows tools and to some unzips),
  // and nothing that could make "<dist><suffix>" a directory of its own
  // meaning.
  // ':' separates the entries of a run-time path (the directory would be
  // split in two where the modules look for it), and a control character
  // has no place in a directory name that people read.
  if (LibSdir.empty() || LibSdir.find_first_of("/\\:") != StringRef::npos ||
      any_of(LibSdir, [](char C) {
        return static_cast<unsigned char>(C) < 0x20 || C == 0x7f;
      }))
    return makeError(errc::invalid_argument,
                     "invalid library directory suffix '" + LibSdir +
                         "' (a suffix such as .libs, without '/', '\\', "
                         "':' or control characters)");
  return Error::success();
}

Error checkCompressionLevel(int Level) {
  if (Level < 0 || Level > 9)
    return makeError(errc::invalid_argument,
                     "invalid compression level " + Twine(Level) +
                         " (expected 0-9)");
  return Error::success();
}

Error checkGlobs(ArrayRef<std::string> Patterns) {
  Expected<GlobList> G = GlobList::create(Patterns);
  return G ? Error::success() : G.takeError();
}

Error checkRepairOptions(const RepairOptions &Opts) {
  if (Error E = checkLibSdir(Opts.LibSdir))
    return E;
  if (Error E = checkCompressionLevel(Opts.Level))
    return E;
  if (Error E = checkGlobs(Opts.Exclude))
    return E;
  if (Error E = checkKeepSections(Opts))
    return E;
  return checkGlobs(Opts.NoMangle);
}

Error checkKeepSections(const RepairOptions &Opts) {
  if (!Opts.KeepSections.empty() && Opts.Strip == StripLevel::None)
    return makeError(errc::invalid_argument,
                     "sections to keep given, but nothing is stripped");
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
  // Never mapped (a wheel truncated meanwhile is an error, not a
  // SIGBUS). A small wheel is read whole, with one read: its members are
  // then read from memory, not with a system call each (on a VM, a tenth
  // of a 500-module repair), and the members a repair copies come from
  // the same bytes that were checked. A larger one is read with pread()
  // as needed, in bounded memory.
  uint64_t Size = 0;
  InputAccess Access = !sys::fs::file_size(Path, Size) && Size <= ReadWholeSize
                           ? InputAccess::Read
                           : InputAccess::Descriptor;
  Expected<std::unique_ptr<InputFile>> In = InputFile::open(Path, Access);
  if (!In)
    return Fail(In.takeError());
  W->In = std::move(*In);
  Expected<zip::Archive> A =
      W->In->data().empty()
          ? zip::Archive::read(W->In->fd(), W->In->size())
          : zip::Archive::read(W->In->data());
  if (!A)
    return Fail(A.takeError());
  W->Archive = std::move(*A);
  // Two members of one name install as one file, and RECORD cannot tell
  // them apart: such a wheel is refused rather than half repaired.
  StringSet<> Names;
  for (const zip::Entry &E : W->Archive.entries())
    if (!Names.insert(E.name()).second)
      return Fail(makeError(errc::malformed,
                            "member '" + E.name() + "' appears twice"));
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
  Expected<wheel::DistInfo> DI = wheel::findDistInfo(W->Archive);
  if (!DI)
    return Fail(DI.takeError());
  W->DI = *DI;
  SmallVector<uint8_t, 0> Text;
  if (Error E = W->Archive.extract(*W->DI.Record, Text, MaxMemberSize))
    return Fail(std::move(E));
  Expected<wheel::Record> Rec = wheel::Record::parse(toStringRef(Text));
  if (!Rec)
    return Fail(memberError(W->DI.Record->name(), toString(Rec.takeError())));
  W->Rec = std::move(*Rec);
  return W;
}

Error WheelFile::verifyRecord(bool AllHashes) const {
  ArrayRef<zip::Entry> Entries = Archive.entries();
  // Each member is hashed on its own; the first failure in member order is
  // the one reported, so the message does not depend on scheduling.
  std::vector<std::string> Failures(Entries.size());
  std::vector<char> Failed(Entries.size(), 0);
  auto Hashed = [&](const zip::Entry &E) {
    return AllHashes || isPreloadedByPyodide(E.name());
  };
  uint64_t Bytes = 0;
  for (const zip::Entry &E : Entries)
    if (Hashed(E))
      Bytes += E.UncompressedSize;
  forEachIndexJoined(Entries.size(), Bytes, [&](size_t I) {
    if (Error E = wheel::verifyMember(Archive, Entries[I], Rec, DI,
                                      Hashed(Entries[I]))) {
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

uint64_t RepairPlan::strippedBytes() const {
  uint64_t Bytes = 0;
  for (const ModulePlan &M : Modules)
    Bytes += M.StrippedBytes;
  return Bytes;
}

bool RepairPlan::changesWheel(const WheelFile &W) const {
  if (W.distInfo().RecordJWS || W.distInfo().RecordP7S)
    return true;
  return any_of(Modules, [](const ModulePlan &M) { return M.changes(); });
}

Error checkNothingMissing(const RepairPlan &Plan) {
  // One error per missing name, each naming the wheel: a tool prints each
  // on a line of its own (and escapes it, so no name can forge a line).
  Error All = Error::success();
  for (const ModulePlan &M : Plan.Modules)
    for (const NeededStatus &N : M.Resolution)
      if (N.Status == NeededStatus::NotFound)
        All = joinErrors(
            std::move(All),
            makeError(errc::not_found,
                      "'" + Plan.Wheel + "': '" + N.Name + "' needed by '" +
                          M.Member +
                          "' was found neither in the wheel nor in a library "
                          "directory" +
                          (N.Why.empty() ? "" : " (" + N.Why + ")")));
  return All;
}

namespace {

/// analyzeWheel() in stages, each a member function, run in this order:
/// index the members, read the side modules, classify each NEEDED name of
/// each module (finding host libraries as needed, which become modules in
/// turn), plan its run-time path, check that the plan loads, find symbol
/// clashes. Lookups are by map, so that the work grows with the number of
/// modules and names, never with their product.
class WheelAnalysis {
public:
  WheelAnalysis(const WheelFile &W, const RepairOptions &Opts,
                ModuleReads *Reads = nullptr)
      : W(W), Opts(Opts), Reads(Reads) {}
  Expected<RepairPlan> run();

private:
  Error fail(Error E) const { return createFileError(W.path(), std::move(E)); }
  Error checkOutputPaths() const;
  Error checkLibraryDirs() const;
  Error indexMembers();
  Error readModules();
  Expected<std::optional<size_t>> findHostLibrary(StringRef Name);
  Expected<std::optional<size_t>> searchHost(StringRef Name);
  Expected<bool> isSideModuleMember(StringRef LoaderPath);
  Error classifyNeeded(size_t I);
  Error checkVendoredCopy(StringRef Loader, size_t HostIndex);
  void planRunPath(size_t I, ArrayRef<std::string> AddDirs);
  void checkPlanLoads();
  Error findClashes();

  const WheelFile &W;
  const RepairOptions &Opts;
  /// Filled by readModules() for a repair (null for show).
  ModuleReads *Reads;
  GlobList Exclude, NoMangle;
  RepairPlan Plan;
  std::string LibsLoaderDir;
  /// The wheel as Pyodide installs it (loadPackage: <dist>.data/ left in
  /// place), the libraries the plan vendors added as they are planned.
  InstalledWheel View{InstallOptions{&pyodideRules(),
                                     DataDirPolicy::KeepInPlace}};
  /// The first member of each file name, in member order: where a name the
  /// loader does not find is looked for in the wheel.
  StringMap<StringRef> FirstByName; // Views of View's loader paths.
  /// The side modules of the wheel (entry, loader path), in member order.
  std::vector<std::pair<const zip::Entry *, std::string>> ModuleEntries;
  std::deque<Pending> Mods;
  /// Loader path -> index in Mods.
  StringMap<size_t> ModAt;
  /// Libraries to vendor, keyed by the real host path, so that one file
  /// reached by several names (or symbolic links) is copied once.
  std::map<std::string, size_t> VendoredByPath;
  std::vector<HostLibrary> Vendored;
  /// Each name is looked up once: a wheel of many modules needs the same
  /// few libraries many times. With the file that was skipped, and why.
  struct HostLookup {
    std::optional<size_t> Index;
    std::string Skipped;
  };
  StringMap<HostLookup> FoundByName;
  /// Loader path -> whether the member there is a side module, for the
  /// members that satisfy a NEEDED name but are not preloaded.
  StringMap<bool> SideModuleAt;
  StringSet<> Warned;
  /// Loader paths of the copies checkVendoredCopy() accepted.
  StringSet<> CheckedCopies;
};

Error WheelAnalysis::checkLibraryDirs() const {
  // A directory that is missing or is a file would only show up later as
  // a misleading "not found".
  for (const std::string &Dir : Opts.LibDirs) {
    sys::fs::file_status St;
    if (std::error_code EC = sys::fs::status(Dir, St))
      return makeError(errc::invalid_argument,
                       "library directory '" + Dir + "': " + EC.message());
    if (!sys::fs::is_directory(St))
      return makeError(errc::invalid_argument,
                       "library directory '" + Dir + "' is not a directory");
  }
  return Error::success();
}

Error WheelAnalysis::indexMembers() {
  // Only wheels for WebAssembly: a linux_x86_64 wheel's extensions are not
  // side modules (nor named as Pyodide preloads them), and "repairing" it
  // would only copy it.
  StringRef Platform = W.name().PlatformTag;
  SmallVector<StringRef, 4> Tags;
  Platform.split(Tags, '.');
  if (none_of(Tags, [](StringRef T) {
        return T == "any" || T.contains("wasm32") || T.contains("emscripten");
      }))
    return fail(makeError(errc::unsupported,
                          "platform tag '" + Platform +
                              "' is not a Pyodide (wasm32) platform"));
  // With one .dist-info, findDistInfo() took it whatever its name; one
  // that the file name does not imply is a wheel pip refuses to install
  // (and one whose vendored directory is named after the file's name).
  // The directory as installers read its name (RECORD's decoded path).
  std::string DistInfoDir =
      StringRef(W.distInfo().Record->decodedName()).rsplit('/').first.str();
  if (!wheel::distInfoMatches(W.name(), DistInfoDir))
    Plan.Warnings.push_back("the file name implies '" +
                            W.name().distInfoDir() + "' but the wheel holds '" +
                            DistInfoDir +
                            "' (compared as installers compare them: "
                            "names normalized, versions as written); "
                            "installers may refuse it");
  LibsLoaderDir = pyodideRules().SitePackages + "/" + Plan.LibsDir;
  Expected<std::vector<std::string>> Preloads =
      View.install(W.archive(), W.path());
  if (!Preloads)
    return fail(Preloads.takeError());
  for (const InstalledWheel::File *F : View.files()) {
    FirstByName.try_emplace(
        sys::path::filename(F->LoaderPath, sys::path::Style::posix),
        F->LoaderPath);
    if (F->Preload)
      ModuleEntries.emplace_back(F->Entry, F->LoaderPath);
  }
  if (ModuleEntries.empty())
    Plan.Warnings.push_back("no side modules (no member named *.so or "
                            "*.so.N): nothing to repair");
  return Error::success();
}

Error WheelAnalysis::readModules() {
  // Each module is extracted, parsed and its exports read on its own, on
  // all cores (one module in memory per thread); the results are taken in
  // member order, the first error in member order being the one reported.
  // A deque, which becomes Mods: vendoring appends to it without moving
  // (nor touching again) what is there.
  std::deque<Pending> Read(ModuleEntries.size());
  std::vector<std::optional<Error>> Failed(ModuleEntries.size());
  // For a repair: RECORD's verdicts and the bytes kept (ModuleReads).
  std::vector<ModuleReads::Module> Kept(Reads ? Read.size() : 0);
  std::atomic<uint64_t> KeptBytes{0};
  uint64_t Bytes = 0;
  for (const auto &[E, Loader] : ModuleEntries)
    Bytes += E->UncompressedSize;
  forEachIndexJoined(ModuleEntries.size(), Bytes, [&](size_t I) {
    const auto &[E, Loader] = ModuleEntries[I];
    auto Fail = [&](Error Err) { Failed[I].emplace(fail(std::move(Err))); };
    if (E->UncompressedSize > Opts.MaxModuleSize)
      return Fail(memberError(E->name(), "a side module of " +
                                           Twine(E->UncompressedSize) +
                                           " bytes, above the limit of " +
                                           Twine(Opts.MaxModuleSize)));
    SmallVector<uint8_t, 0> Bytes;
    if (Error Err = W.archive().extract(*E, Bytes, Opts.MaxModuleSize))
      return Fail(std::move(Err)); // It names the member.
    if (Reads) {
      // The RECORD check of this member, from the bytes at hand.
      ArrayRef<uint8_t> Content = Bytes;
      Error V = wheel::verifyMember(W.archive(), *E, W.record(), W.distInfo(),
                                    /*CheckHash=*/true, &Content);
      Kept[I].Verdict = V ? toString(std::move(V)) : std::string();
    }
    Expected<Object> Obj = readObject(Bytes);
    if (!Obj)
      return Fail(memberError(E->name(), "not a WebAssembly side module: " +
                                           toString(Obj.takeError())));
    if (!Obj->isSharedLibrary())
      return Fail(memberError(E->name(), toString(makeNotSharedLibraryError())));
    Expected<ModuleSymbols> Syms = exportsOf(*Obj);
    if (!Syms)
      return Fail(memberError(E->name(), toString(Syms.takeError())));
    Pending &P = Read[I];
    P.Plan.Member = E->name();
    P.Plan.Needed = Obj->Dylink->Needed;
    P.Plan.RuntimePath = Obj->Dylink->RuntimePath;
    P.Plan.RPathSection = Obj->RPathSection;
    P.Plan.StrippedBytes = strippedBytesOf(*Obj, Opts);
    P.LoaderPath = Loader;
    P.RunPath = getRPath(*Obj, RPathPlace::Dylink);
    P.Symbols = std::move(*Syms);
    // Kept for the rewrite, within the budget (run() lets go of those of
    // the modules that turn out not to change).
    if (Reads) {
      uint64_t Size = Bytes.size();
      if (KeptBytes.fetch_add(Size) + Size <= ModuleReads::KeptBytesBudget)
        Kept[I].Bytes = std::move(Bytes);
      else
        KeptBytes.fetch_sub(Size);
    }
  });
  if (Reads) {
    Reads->Modules = std::move(Kept);
    Reads->Index.reserve(Read.size());
    for (size_t I = 0; I < Read.size(); ++I)
      Reads->Index[ModuleEntries[I].first] = I;
  }
  Error First = Error::success();
  for (std::optional<Error> &F : Failed)
    if (F) {
      if (!First)
        First = std::move(*F);
      else
        consumeError(std::move(*F));
    }
  if (First)
    return First;
  Mods = std::move(Read);
  for (size_t I = 0; I < Mods.size(); ++I)
    ModAt[Mods[I].LoaderPath] = I;
  return Error::success();
}

/// Reads the host library \p Path whole, refusing one above \p Max bytes
/// before reading it (its size is taken from the open descriptor), and
/// again after (it may have grown in between).
Expected<std::unique_ptr<InputFile>> readHostLibrary(StringRef Path,
                                                     uint64_t Max) {
  auto TooLarge = [&](uint64_t Size) {
    return makeError(errc::invalid_argument,
                     "a library of " + Twine(Size) +
                         " bytes, above the limit of " + Twine(Max));
  };
  {
    Expected<std::unique_ptr<InputFile>> Probe =
        InputFile::open(Path, InputAccess::Descriptor);
    if (!Probe)
      return Probe.takeError();
    if ((*Probe)->size() > Max)
      return TooLarge((*Probe)->size());
  }
  Expected<std::unique_ptr<InputFile>> In = InputFile::open(Path);
  if (!In)
    return In.takeError();
  if ((*In)->data().size() > Max)
    return TooLarge((*In)->data().size());
  return In;
}

/// The directories searched in one library directory, as pyodide-build
/// searches its libdir (dylink-facts.md §3c).
std::vector<std::string> searchDirsOf(StringRef Dir) {
  return {Dir.str(), (Dir + "/lib").str(),
          (Dir + "/lib/wasm32-emscripten/pic").str(),
          (Dir + "/lib/wasm32-emscripten").str()};
}

Expected<std::optional<size_t>> WheelAnalysis::searchHost(StringRef Name) {
  // The first side module found wins. Files that exist but are not side
  // modules are skipped, and named (with the reader's reason) if nothing
  // else is found; a file that exists but cannot be read is an error.
  HostLookup &L = FoundByName[Name];
  for (const std::string &Dir : Opts.LibDirs)
    for (const std::string &D : searchDirsOf(Dir)) {
      SmallString<256> Candidate(D);
      sys::path::append(Candidate, Name);
      SmallString<256> Real;
      if (std::error_code EC = sys::fs::real_path(Candidate, Real)) {
        if (EC == std::errc::no_such_file_or_directory ||
            EC == std::errc::not_a_directory)
          continue;
        return createFileError(Candidate, EC);
      }
      if (!sys::fs::is_regular_file(Real))
        continue;
      auto It = VendoredByPath.find(std::string(Real));
      if (It != VendoredByPath.end())
        return It->second;
      Expected<std::unique_ptr<InputFile>> In =
          readHostLibrary(Real, Opts.MaxModuleSize);
      if (!In)
        return createFileError(Candidate, In.takeError());
      Expected<Object> Obj = readObject((*In)->data());
      if (!Obj || !Obj->isSharedLibrary()) {
        std::string Why = Obj ? toString(makeNotSharedLibraryError())
                              : toString(Obj.takeError());
        if (L.Skipped.empty())
          L.Skipped = "'" + std::string(Candidate) +
                      "' is not a WebAssembly side module: " + Why;
        continue;
      }
      HostLibrary H;
      H.HostPath = std::string(Real);
      H.FoundPath = std::string(Candidate);
      H.Content.assign((*In)->data().begin(), (*In)->data().end());
      H.HashTag = hashTag(H.Content);
      H.NewName = Opts.NoMangleAll || NoMangle.match(Name)
                      ? Name.str()
                      : mangledName(Name, H.HashTag);
      VendoredByPath[H.HostPath] = Vendored.size();
      Vendored.push_back(std::move(H));
      return Vendored.size() - 1;
    }
  return std::nullopt;
}

Expected<std::optional<size_t>> WheelAnalysis::findHostLibrary(StringRef Name) {
  auto It = FoundByName.find(Name);
  if (It != FoundByName.end())
    return It->second.Index;
  Expected<std::optional<size_t>> R = searchHost(Name);
  if (!R)
    return R.takeError();
  FoundByName[Name].Index = *R;
  return *R;
}

Expected<bool> WheelAnalysis::isSideModuleMember(StringRef LoaderPath) {
  if (ModAt.count(LoaderPath))
    return true;
  auto It = SideModuleAt.find(LoaderPath);
  if (It != SideModuleAt.end())
    return It->second;
  StringRef Member = View.memberOf(LoaderPath);
  const zip::Entry *E = W.archive().find(Member);
  bool Is = false;
  if (E && E->UncompressedSize <= Opts.MaxModuleSize) {
    // The header is enough to tell, but a side module is small enough to
    // read whole (the limit above).
    SmallVector<uint8_t, 0> Bytes;
    if (Error Err = W.archive().extract(*E, Bytes, Opts.MaxModuleSize))
      return fail(std::move(Err)); // It names the member.
    Expected<Object> Obj = readObject(Bytes);
    Is = Obj && Obj->isSharedLibrary();
    if (!Obj)
      consumeError(Obj.takeError());
  }
  SideModuleAt[LoaderPath] = Is;
  return Is;
}

Error WheelAnalysis::checkVendoredCopy(StringRef Loader, size_t HostIndex) {
  if (CheckedCopies.contains(Loader))
    return Error::success();
  StringRef Member = View.memberOf(Loader);
  const zip::Entry *E = W.archive().find(Member);
  SmallVector<uint8_t, 0> Bytes;
  if (E && E->UncompressedSize <= Opts.MaxModuleSize)
    if (Error Err = W.archive().extract(*E, Bytes, Opts.MaxModuleSize))
      return fail(std::move(Err)); // It names the member.
  // Found by index, not held by reference: findHostLibrary() below may
  // add to Vendored. The content's bytes do not move with it.
  std::string FoundPath = Vendored[HostIndex].FoundPath;
  Expected<Object> Copy = readObject(Bytes);
  Expected<Object> Orig = readObject(Vendored[HostIndex].Content);
  bool Same = Copy && Orig && isVendoredCopyOf(*Copy, *Orig);
  if (!Copy)
    consumeError(Copy.takeError());
  if (!Orig)
    consumeError(Orig.takeError());
  if (!Same)
    return fail(memberError(
        Member, "named as the vendored copy of '" + FoundPath +
                    "' (the hash in its name is that library's), but it is "
                    "another file"));
  // isVendoredCopyOf() accepts any hash in a renamed NEEDED. Where the
  // --libdir directories provide the original name, the hash must be that
  // library's, or the copy would load a file of the wheel's choosing in
  // its place. (Compared by content, not with this run's NewName: that
  // depends on the alias the library was first found by and on
  // --no-mangle, which an earlier repair need not have shared.) A name
  // they do not provide is the wheel's to provide, as for any module.
  for (size_t N = 0; N < Copy->Dylink->Needed.size(); ++N) {
    StringRef Got = Copy->Dylink->Needed[N];
    std::string Was = Orig->Dylink->Needed[N];
    if (Got == Was)
      continue;
    Expected<std::optional<size_t>> Found = findHostLibrary(Was);
    if (!Found)
      return Found.takeError();
    if (!*Found)
      continue;
    std::string Want = mangledName(Was, Vendored[**Found].HashTag);
    if (Got != Want)
      return fail(memberError(Member, "named as the vendored copy of '" +
                                          FoundPath + "', but it needs '" +
                                          Got + "' where a repair writes '" +
                                          Want + "'"));
  }
  CheckedCopies.insert(Loader);
  return Error::success();
}

Error WheelAnalysis::classifyNeeded(size_t I) {
  std::string ModDir =
      sys::path::parent_path(Mods[I].LoaderPath, sys::path::Style::posix).str();
  std::vector<std::string> AddDirs;
  // Vendoring appends to Mods meanwhile, which a deque does without moving
  // what it holds: these stay valid (Mods[I]'s Resolution and Renames are
  // what the loop changes).
  static_assert(std::is_same_v<decltype(Mods), std::deque<Pending>>);
  const std::vector<std::string> &Needed = Mods[I].Plan.Needed;
  const std::string &LoaderPath = Mods[I].LoaderPath;
  const std::string &Member = Mods[I].Plan.Member;
  // A name that only a file which is not a side module provides is not
  // provided: the loader would find the file and fail to load it.
  auto NotAModule = [&](NeededStatus &S, StringRef At) {
    S.Why = "'" + View.memberOf(At).str() +
            "' in the wheel is not a WebAssembly side module";
    Plan.Warnings.push_back("'" + S.Name + "' needed by '" + Member +
                            "' is '" + View.memberOf(At).str() +
                            "' in the wheel, which is not a WebAssembly "
                            "side module");
  };
  // A name listed more than once (the format allows it) is classified and
  // reported once, where it first appears; a rename applies to every
  // occurrence.
  StringSet<> Seen;
  for (const std::string &Name : Needed) {
    if (Needed.size() > 1 && !Seen.insert(Name).second)
      continue;
    NeededStatus S;
    S.Name = Name;
    Resolution R = View.resolve(Name, LoaderPath, Mods[I].RunPath);
    if (R.Via != FoundVia::NotFound) {
      Expected<bool> IsModule = isSideModuleMember(R.Path);
      if (!IsModule)
        return IsModule.takeError();
      if (*IsModule) {
        S.Status = NeededStatus::Found;
        S.LoaderPath = R.Path;
        S.Via = foundViaName(R.Via).str();
        S.Member = View.memberOf(R.Path).str();
      } else {
        S.Status = NeededStatus::NotFound;
        NotAModule(S, R.Path);
      }
      Mods[I].Plan.Resolution.push_back(std::move(S));
      continue;
    }
    // Members of the wheel with that name, the module's directory first.
    std::string WheelMatch;
    if (!StringRef(Name).contains('/')) {
      std::string Same = ModDir + "/" + Name;
      WheelMatch = View.isFile(Same) ? Same : FirstByName.lookup(Name).str();
    }
    if (!WheelMatch.empty()) {
      Expected<bool> IsModule = isSideModuleMember(WheelMatch);
      if (!IsModule)
        return IsModule.takeError();
      if (!*IsModule) {
        NotAModule(S, WheelMatch);
        WheelMatch.clear();
      }
    }
    std::optional<size_t> Host;
    if (!WheelMatch.empty()) {
      S.Status = NeededStatus::InWheel;
      S.Member = View.memberOf(WheelMatch).str();
      AddDirs.push_back(
          sys::path::parent_path(WheelMatch, sys::path::Style::posix).str());
    } else if (Exclude.match(Name)) {
      S.Status = NeededStatus::Excluded;
      if (Warned.insert(Name).second)
        Plan.Warnings.push_back("'" + Name + "' needed by '" + Member +
                                "' is excluded: not vendored, left to the "
                                "runtime");
    } else if (!StringRef(Name).contains('/')) {
      Expected<std::optional<size_t>> Found = findHostLibrary(Name);
      if (!Found)
        return Found.takeError();
      Host = *Found;
    }
    if (Host) {
      HostLibrary &Lib = Vendored[*Host];
      S.Status = NeededStatus::Vendor;
      S.NewName = Lib.NewName;
      S.Member = Plan.LibsDir + "/" + Lib.NewName;
      std::string Loader = LibsLoaderDir + "/" + Lib.NewName;
      // The vendored directory must be one: a file of that name in the
      // wheel would make the output a wheel no installer can unpack.
      if (View.isFile(LibsLoaderDir))
        return fail(makeError(errc::invalid_argument,
                              "cannot vendor '" + Lib.HostPath + "' into '" +
                                  Plan.LibsDir +
                                  "/': the wheel has a file of that name"));
      auto Existing = ModAt.find(Loader);
      if (!View.isFile(Loader)) {
        // First time: it becomes a module of the plan, planned in turn.
        Expected<Object> Obj = readObject(Lib.Content);
        if (!Obj)
          return Obj.takeError(); // Checked by searchHost().
        Expected<ModuleSymbols> Syms = exportsOf(*Obj);
        if (!Syms)
          return createFileError(Lib.HostPath, Syms.takeError());
        Pending P;
        P.Plan.Member = S.Member;
        P.Plan.SourcePath = Lib.FoundPath;
        P.Plan.SourceSHA256 =
            toHex(wheel::sha256Digest(Lib.Content), /*LowerCase=*/true);
        P.Plan.Vendored = true;
        P.Plan.Needed = Obj->Dylink->Needed;
        P.Plan.RuntimePath = Obj->Dylink->RuntimePath;
        P.Plan.RPathSection = Obj->RPathSection;
        P.Plan.StrippedBytes = strippedBytesOf(*Obj, Opts);
        P.LoaderPath = Loader;
        // Its run-time path was the build machine's: only $ORIGIN-based
        // entries that land inside the wheel survive (planRunPath()).
        P.RunPath = getRPath(*Obj, RPathPlace::Dylink);
        P.Symbols = std::move(*Syms);
        // Planned: the content is read again from the host when written.
        Lib.Content.clear();
        Lib.Content.shrink_to_fit();
        ModAt[Loader] = Mods.size();
        Mods.push_back(std::move(P));
        View.addPlannedFile(Loader, S.Member);
      } else if (Lib.NewName != Name &&
                 (Existing == ModAt.end() ||
                  !Mods[Existing->second].Plan.Vendored)) {
        // The wheel already holds a copy under this mangled name (a
        // repaired wheel that gained a module): the name says it is the
        // same library, so that copy is used, once its content is checked
        // against the name (a wheel could carry another library under it).
        if (Error E = checkVendoredCopy(Loader, *Host))
          return E;
        S.Status = NeededStatus::InWheel;
      } else if (View.memberOf(Loader) != S.Member ||
                 (Existing != ModAt.end() &&
                  (!Mods[Existing->second].Plan.Vendored ||
                   Mods[Existing->second].Plan.SourcePath != Lib.FoundPath))) {
        return fail(makeError(
            errc::invalid_argument,
            "cannot vendor '" + Lib.HostPath + "' as '" + S.Member +
                "': the wheel already has a different file there"));
      }
      AddDirs.push_back(LibsLoaderDir);
      // Vendored may have grown (checkVendoredCopy()): Lib is stale.
      const std::string &NewName = Vendored[*Host].NewName;
      if (NewName != Name)
        Mods[I].Plan.Renames.emplace_back(Name, NewName);
    } else if (S.Status != NeededStatus::InWheel &&
               S.Status != NeededStatus::Excluded) {
      S.Status = NeededStatus::NotFound;
      auto It = FoundByName.find(Name);
      if (It != FoundByName.end() && !It->second.Skipped.empty()) {
        if (S.Why.empty())
          S.Why = It->second.Skipped;
        if (Warned.insert("skipped:" + Name).second)
          Plan.Warnings.push_back(It->second.Skipped + "; not vendored");
      }
    }
    Mods[I].Plan.Resolution.push_back(std::move(S));
  }
  if (!AddDirs.empty() || Mods[I].Plan.Vendored)
    planRunPath(I, AddDirs);
  return Error::success();
}

void WheelAnalysis::planRunPath(size_t I, ArrayRef<std::string> AddDirs) {
  // The new run-time path: the entries that lead inside the installed
  // wheel (those that lead elsewhere were the build machine's), then one
  // entry per directory that must be added, without duplicates.
  Pending &M = Mods[I];
  std::string ModDir =
      sys::path::parent_path(M.LoaderPath, sys::path::Style::posix).str();
  std::vector<std::string> New;
  for (const std::string &Entry : M.RunPath) {
    auto Dirs = expandRunPath({Entry}, M.LoaderPath, pyodideRules());
    if (!Dirs.empty() && all_of(Dirs, [&](const auto &D) {
          return View.isWheelDirectory(normalizeLoaderPath(D.first));
        }) && !is_contained(New, Entry))
      New.push_back(Entry);
  }
  for (const std::string &Dir : AddDirs) {
    std::string Entry = originEntry(ModDir, Dir);
    if (!is_contained(New, Entry))
      New.push_back(Entry);
  }
  if (M.Plan.Vendored && New.empty())
    New.push_back("$ORIGIN");
  if (New != M.RunPath ||
      (Opts.Place != RPathPlace::Dylink &&
       M.Plan.RPathSection.value_or(std::vector<std::string>()) != New))
    M.Plan.NewRunPath = std::move(New);
}

void WheelAnalysis::checkPlanLoads() {
  // With the vendored libraries in place and the edits made, every name
  // that is not excluded must resolve to the member the plan chose.
  for (const Pending &P : Mods) {
    const std::vector<std::string> &RunPath =
        P.Plan.NewRunPath ? *P.Plan.NewRunPath : P.RunPath;
    for (const NeededStatus &S : P.Plan.Resolution) {
      if (S.Status != NeededStatus::InWheel && S.Status != NeededStatus::Vendor)
        continue;
      std::string Name = S.NewName.empty() ? S.Name : S.NewName;
      Resolution R = View.resolve(Name, P.LoaderPath, RunPath);
      if (View.memberOf(R.Path) != S.Member)
        Plan.Warnings.push_back(
            "after repair, '" + Name + "' needed by '" + P.Plan.Member +
            "' would load " +
            (R.Path.empty() ? std::string("nothing") : "'" + R.Path + "'") +
            " instead of '" + S.Member +
            "' (a library of that name earlier in the search wins; vendor it "
            "under a mangled name)");
    }
  }
}

Error WheelAnalysis::findClashes() {
  // Symbols bind process-wide, first definition wins: a vendored library
  // that exports what another module (or the main module) exports shares
  // or loses that symbol. The wheel's own modules load first; clashes
  // among them are not the repair's doing and are not reported here.
  std::optional<ModuleSymbols> Main;
  if (!Opts.MainModule.empty()) {
    Expected<std::unique_ptr<InputFile>> File = InputFile::open(Opts.MainModule);
    if (!File)
      return createFileError(Opts.MainModule, File.takeError());
    Expected<ModuleSymbols> Syms = readModuleSymbols((*File)->data());
    if (!Syms)
      return createFileError(Opts.MainModule, Syms.takeError());
    Main = std::move(*Syms);
  }
  std::vector<const Pending *> Order;
  for (const Pending &P : Mods)
    if (!P.Plan.Vendored)
      Order.push_back(&P);
  for (const Pending &P : Mods)
    if (P.Plan.Vendored)
      Order.push_back(&P);
  std::vector<const ModuleSymbols *> Syms;
  for (const Pending *P : Order)
    Syms.push_back(&P->Symbols);
  for (SymbolClash &C : findSymbolClashes(Syms, Main ? &*Main : nullptr)) {
    if (!Order[C.Loser]->Plan.Vendored)
      continue;
    Plan.Clashes.push_back(
        {std::move(C.Symbol), Order[C.Loser]->Plan.Member,
         C.Winner ? Order[*C.Winner]->Plan.Member : "main module"});
  }
  return Error::success();
}

Error WheelAnalysis::checkOutputPaths() const {
  // The repaired wheel must pass the reader's path checks: the members it
  // keeps plus the libraries it vendors (a vendored name that is a
  // directory of the wheel, or lies under one of its files, would make a
  // wheel no installer, nor this tool, can read).
  std::vector<StringRef> Names;
  Names.reserve(W.archive().entries().size() + Mods.size());
  for (const zip::Entry &E : W.archive().entries())
    Names.push_back(E.name());
  for (const Pending &P : Mods)
    if (P.Plan.Vendored)
      Names.push_back(P.Plan.Member);
  if (Error E = wheel::checkMemberPaths(Names))
    return fail(makeError(errc::invalid_argument,
                          "cannot vendor into this wheel: in the repaired "
                          "wheel, " + toString(std::move(E))));
  return Error::success();
}

Expected<RepairPlan> WheelAnalysis::run() {
  Expected<GlobList> Ex = GlobList::create(Opts.Exclude);
  if (!Ex)
    return Ex.takeError();
  Exclude = std::move(*Ex);
  Expected<GlobList> NM = GlobList::create(Opts.NoMangle);
  if (!NM)
    return NM.takeError();
  NoMangle = std::move(*NM);
  if (Error E = checkLibraryDirs())
    return E;
  Plan.Wheel = W.path().str();
  Plan.LibsDir = W.name().Distribution + Opts.LibSdir;
  for (const zip::Entry &E : W.archive().entries())
    if (!E.isNameDecodedAsIs())
      Plan.DecodedNames[E.name()] = E.decodedName();
  // A member whose name decodes otherwise may find its RECORD row by its
  // raw bytes; that row must not be another member's (by its decoded
  // name) too. Checked here, for show and every repair, not only when the
  // member is written.
  if (!Plan.DecodedNames.empty()) {
    std::vector<bool> Taken(W.record().Rows.size());
    for (const zip::Entry &E : W.archive().entries())
      if (const wheel::RecordRow *Row = W.record().find(E)) {
        size_t RowIndex = Row - W.record().Rows.data();
        if (Taken[RowIndex])
          return fail(memberError(E.name(), "RECORD's row '" + Row->Path +
                                                "' already describes "
                                                "another member"));
        Taken[RowIndex] = true;
      }
  }
  if (Error E = indexMembers())
    return E;
  if (Error E = readModules())
    return E;
  // Vendoring appends to Mods, so the loop reaches the dependencies of
  // what it vendors too.
  for (size_t I = 0; I < Mods.size(); ++I)
    if (Error E = classifyNeeded(I))
      return E;
  checkPlanLoads();
  if (Error E = findClashes())
    return E;
  if (Error E = checkOutputPaths())
    return E;
  Plan.Modules.reserve(Mods.size());
  for (Pending &P : Mods) {
    // A module that does not change is copied as stored: its bytes go.
    if (Reads && !P.Plan.changes())
      if (const zip::Entry *E = W.archive().find(P.Plan.Member))
        if (ModuleReads::Module *K = Reads->find(E))
          K->Bytes = {};
    Plan.Modules.push_back(std::move(P.Plan));
  }
  return std::move(Plan);
}

} // namespace

Expected<RepairPlan> analyzeWheel(const WheelFile &W,
                                  const RepairOptions &Opts) {
  return WheelAnalysis(W, Opts).run();
}

namespace {

/// writeRepairedWheel(), taking the modules' bytes from \p Reads where the
/// analysis kept them.
Error writeRepaired(const WheelFile &W, const RepairPlan &Plan,
                    const RepairOptions &Opts, StringRef OutPath,
                    function_ref<Error()> BeforeCommit,
                    ModuleReads *Reads) {
  const zip::Archive &A = W.archive();
  if (!Plan.changesWheel(W)) {
    // Nothing to do: the output is the input, byte for byte.
    OutputChunk Whole;
    Whole.InputOffset = 0;
    Whole.Size = W.file().size();
    if (Whole.Size == 0)
      return createFileError(W.path(), makeError(errc::malformed, "empty file"));
    if (Error E = writeNewOutputFile(W.file(), {Whole}, OutPath, BeforeCommit))
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
    if (Opts.Strip != StripLevel::None) {
      EP.setStrip(Opts.Strip);
      for (const std::string &Name : Opts.KeepSections)
        EP.keepSection(Name);
    }
    if (Error E = EP.finalize())
      return E;
    raw_string_ostream OS(Out);
    Expected<bool> Changed = editModuleBuffer(
        In, [&](Object &O) { return EP.apply(O, isWasmModuleFile); }, OS);
    if (!Changed)
      return Changed.takeError();
    return Error::success();
  };

  // The members in the order they are written: each copied as stored, or
  // made anew (a module of the wheel rewritten, or a vendored library;
  // those go before .dist-info, which wheels keep last).
  struct Step {
    const zip::Entry *Copy = nullptr;
    const zip::Entry *Rewrite = nullptr; // With Module, its plan.
    const ModulePlan *Module = nullptr;  // Alone: a vendored library.
  };
  std::vector<Step> Steps;
  const wheel::DistInfo &DI = W.distInfo();
  std::string DistInfoPrefix = DI.Dir + "/";
  auto StepsForVendored = [&] {
    for (const ModulePlan *M : NewMembers)
      Steps.push_back({nullptr, nullptr, M});
    NewMembers.clear();
  };
  for (const zip::Entry &E : A.entries()) {
    if (StringRef(E.name()).starts_with(DistInfoPrefix))
      StepsForVendored();
    if (&E == DI.Record || &E == DI.RecordJWS || &E == DI.RecordP7S)
      continue;
    auto It = Edited.find(E.name().str());
    if (It == Edited.end())
      Steps.push_back({&E, nullptr, nullptr});
    else
      Steps.push_back({nullptr, &E, It->second});
  }
  StepsForVendored();

  // A member made anew: read, edited, compressed and hashed, on any
  // thread. What it makes is a pure function of the input, so the output
  // does not depend on the scheduling.
  struct Made {
    Error Err = Error::success();
    zip::PreparedEntry Entry;
    wheel::RecordRow Row;
    ~Made() { consumeError(std::move(Err)); }
  };
  auto Prepare = [&](StringRef Name, ArrayRef<uint8_t> Content, int64_t MTime,
                     uint32_t Mode, std::optional<bool> UTF8Name,
                     Made &Out) -> Error {
    zip::NewEntry NE;
    NE.Level = Opts.Level;
    NE.MTime = MTime;
    NE.Mode = Mode ? Mode : 0100644;
    NE.UTF8Name = UTF8Name;
    Expected<zip::PreparedEntry> PE = zip::prepareEntry(Name, Content, NE);
    if (!PE)
      return PE.takeError();
    Out.Entry = std::move(*PE);
    // RECORD lists the name as installers decode it.
    Out.Row = wheel::makeRecordRow(Out.Entry.E.decodedName(), Content);
    return Error::success();
  };
  auto MakeRewritten = [&](const zip::Entry &E, const ModulePlan &M,
                           Made &Out) -> Error {
    SmallVector<uint8_t, 0> Bytes;
    ModuleReads::Module *Kept = Reads ? Reads->find(&E) : nullptr;
    if (Kept && !Kept->Bytes.empty())
      Bytes = std::move(Kept->Bytes); // Released with this call.
    else if (Error Err = A.extract(E, Bytes, MaxMemberSize))
      return createFileError(W.path(), std::move(Err)); // It names the member.
    std::string Text;
    if (Error Err = Edit(M, Bytes, Text))
      return createFileError(W.path(),
                             memberError(E.name(), toString(std::move(Err))));
    if (Error Err = Prepare(E.name(), arrayRefFromStringRef(Text),
                            zip::dosToUnixTime(E.DosDate, E.DosTime),
                            E.unixMode(),
                            // The flag says how readers decode the name:
                            // the original's choice keeps its meaning.
                            (E.Flags & zip::FlagUTF8) != 0, Out))
      return createFileError(W.path(), std::move(Err));
    return Error::success();
  };
  auto MakeVendored = [&](const ModulePlan &M, Made &Out) -> Error {
    Expected<std::unique_ptr<InputFile>> In =
        readHostLibrary(M.SourcePath, Opts.MaxModuleSize);
    if (!In)
      return createFileError(M.SourcePath, In.takeError());
    std::string Text;
    if (Error E = Edit(M, (*In)->data(), Text))
      return createFileError(M.SourcePath, std::move(E));
    // The content must still be what the plan (and the hash in the
    // mangled name) was made from.
    if (toHex(wheel::sha256Digest((*In)->data()), /*LowerCase=*/true) !=
        M.SourceSHA256)
      return createFileError(
          M.SourcePath, makeError(errc::input_changed,
                                  "changed while the wheel was being repaired"));
    // A fixed mode, so that the output does not depend on the host's.
    return Prepare(M.Member, arrayRefFromStringRef(Text), NewTime, 0100755,
                   std::nullopt, Out);
  };

  // Members are made in windows of consecutive steps, on all cores, and
  // laid out in step order. A window holds at most WindowBytes of input
  // (and at least one member), so that memory stays bounded however many
  // or large the modules are.
  constexpr uint64_t WindowBytes = uint64_t(8) << 20;
  std::vector<size_t> MadeSteps;
  for (size_t I = 0; I < Steps.size(); ++I)
    if (!Steps[I].Copy)
      MadeSteps.push_back(I);
  auto InputSize = [&](const Step &S) -> uint64_t {
    if (S.Rewrite)
      return S.Rewrite->UncompressedSize;
    uint64_t Size;
    if (sys::fs::file_size(S.Module->SourcePath, Size))
      return WindowBytes; // An error to come: alone in its window.
    return Size;
  };
  std::vector<Made> Window;
  size_t WindowBegin = 0, WindowEnd = 0; // Indices in MadeSteps.
  auto MakeWindow = [&](size_t First) {
    size_t Last = First;
    uint64_t Bytes = 0;
    while (Last < MadeSteps.size()) {
      uint64_t Size = InputSize(Steps[MadeSteps[Last]]);
      if (Last > First && Bytes + Size > WindowBytes)
        break;
      Bytes += Size;
      ++Last;
    }
    Window = std::vector<Made>(Last - First);
    WindowBegin = First;
    WindowEnd = Last;
    forEachIndexJoined(Last - First, Bytes, [&](size_t I) {
      const Step &S = Steps[MadeSteps[First + I]];
      Made &Out = Window[I];
      Out.Err = S.Rewrite ? MakeRewritten(*S.Rewrite, *S.Module, Out)
                          : MakeVendored(*S.Module, Out);
    });
  };

  zip::Writer Wr;
  wheel::Record NewRecord;
  size_t NextMade = 0;
  for (const Step &S : Steps) {
    if (S.Copy) {
      if (Error Err = Wr.copyEntry(*S.Copy))
        return createFileError(W.path(), std::move(Err));
      // Listed by the path it installs as (the analysis checked that no
      // row describes two members).
      if (const wheel::RecordRow *Row = W.record().find(*S.Copy)) {
        wheel::RecordRow Copy = *Row;
        if (!S.Copy->isNameDecodedAsIs())
          Copy.setPath(S.Copy->decodedName());
        NewRecord.Rows.push_back(std::move(Copy));
      }
      continue;
    }
    if (NextMade >= WindowEnd)
      MakeWindow(NextMade);
    Made &M = Window[NextMade++ - WindowBegin];
    if (M.Err) {
      Error Err = std::move(M.Err);
      M.Err = Error::success();
      return S.Rewrite ? std::move(Err)
                       : createFileError(W.path(), std::move(Err));
    }
    if (Error Err = Wr.addPrepared(std::move(M.Entry)))
      return createFileError(W.path(), std::move(Err));
    NewRecord.Rows.push_back(std::move(M.Row));
  }

  // RECORD last, with its own row empty.
  const zip::Entry &RecordEntry = *DI.Record;
  // Listed by the name installers read (RECORD is UTF-8 text).
  NewRecord.Rows.push_back({RecordEntry.decodedName(), "", ""});
  std::string RecordText = NewRecord.serialize();
  zip::NewEntry NE;
  NE.Level = Opts.Level;
  NE.MTime = zip::dosToUnixTime(RecordEntry.DosDate, RecordEntry.DosTime);
  NE.Mode = RecordEntry.unixMode() ? RecordEntry.unixMode() : 0100644;
  NE.UTF8Name = (RecordEntry.Flags & zip::FlagUTF8) != 0;
  if (Error Err = Wr.addEntry(RecordEntry.name(),
                              arrayRefFromStringRef(RecordText), NE))
    return createFileError(W.path(), std::move(Err));
  std::vector<OutputChunk> Chunks = Wr.finish();
  if (Error E = writeNewOutputFile(W.file(), Chunks, OutPath, BeforeCommit))
    return createFileError(OutPath, std::move(E));
  return Error::success();
}

} // namespace

Error writeRepairedWheel(const WheelFile &W, const RepairPlan &Plan,
                         const RepairOptions &Opts, StringRef OutPath,
                         function_ref<Error()> BeforeCommit) {
  return writeRepaired(W, Plan, Opts, OutPath, BeforeCommit, nullptr);
}

Expected<RepairPlan> repairWheel(const WheelFile &W, const RepairOptions &Opts,
                                 StringRef OutPath) {
  // RECORD is verified on other threads while the plan is made and the
  // output written (a small wheel's, before the output is committed); the
  // output replaces nothing until it has passed. A
  // bad RECORD is the error reported, whatever else failed. It is
  // WheelFile::verifyRecord()'s check, in two parts: the side modules'
  // content is checked by the analysis, from the bytes it inflates anyway
  // (ModuleReads); every other check runs on other threads meanwhile.
  // Those the analysis could not make (it stopped early, or a module could
  // not be read) are made at the end, streamed as verifyRecord() does.
  ArrayRef<zip::Entry> Entries = W.archive().entries();
  enum : char { Passed, Failed, Deferred };
  std::vector<char> State(Entries.size(), Passed);
  std::vector<std::string> Failures(Entries.size());
  auto Check = [&](size_t I, bool CheckHash) {
    if (Error E = wheel::verifyMember(W.archive(), Entries[I], W.record(),
                                      W.distInfo(), CheckHash)) {
      Failures[I] = toString(std::move(E));
      State[I] = Failed;
      return false;
    }
    return true;
  };
  // The side modules' hashes are deferred (the analysis makes them);
  // --record-check full hashes the rest here.
  uint64_t HashedBytes = 0;
  if (Opts.CheckAllHashes)
    for (const zip::Entry &E : Entries)
      if (!isPreloadedByPyodide(E.name()))
        HashedBytes += E.UncompressedSize;
  // Checked meanwhile on another thread, unless that costs more than it
  // saves: a row and size check takes about a microsecond, and a thread's
  // start about a millisecond (BytesPerThread); then it is made in Wait().
  bool Concurrently = Entries.size() >= 1024 || HashedBytes >= BytesPerThread;
  std::future<void> Verifying = std::async(
      Concurrently ? std::launch::async : std::launch::deferred, [&] {
        forEachIndexJoined(Entries.size(), HashedBytes, [&](size_t I) {
          bool Module = isPreloadedByPyodide(Entries[I].name());
          if (Check(I, Opts.CheckAllHashes && !Module) && Module)
            State[I] = Deferred;
        });
      });
  ModuleReads Reads;
  std::optional<Error> Verified;
  auto Wait = [&]() -> Error & {
    if (Verified)
      return *Verified;
    Verifying.get();
    std::vector<size_t> Stream;
    for (size_t I = 0; I < Entries.size(); ++I) {
      if (State[I] != Deferred)
        continue;
      ModuleReads::Module *M = Reads.find(&Entries[I]);
      if (!M || !M->Verdict) {
        Stream.push_back(I);
        State[I] = Passed;
      } else if (!M->Verdict->empty()) {
        Failures[I] = std::move(*M->Verdict);
        State[I] = Failed;
      } else {
        State[I] = Passed;
      }
    }
    uint64_t StreamBytes = 0;
    for (size_t I : Stream)
      StreamBytes += Entries[I].UncompressedSize;
    forEachIndexJoined(Stream.size(), StreamBytes, [&](size_t J) {
      Check(Stream[J], /*CheckHash=*/true);
    });
    Verified.emplace(Error::success());
    for (size_t I = 0; I < Entries.size(); ++I)
      if (State[I] == Failed) {
        Verified.emplace(
            createFileError(W.path(), makeError(errc::malformed, Failures[I])));
        break;
      }
    return *Verified;
  };
  Expected<RepairPlan> Plan = WheelAnalysis(W, Opts, &Reads).run();
  Error Result = Plan ? checkNothingMissing(*Plan) : Plan.takeError();
  if (!Result)
    Result = writeRepaired(W, *Plan, Opts, OutPath, [&]() -> Error {
      if (Wait())
        return makeError(errc::malformed, "RECORD does not match");
      return Error::success();
    }, &Reads);
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
  // Every string through jsonString(): member names and host paths may be
  // any bytes, which llvm::json would turn into U+FFFD (Json.h).
  json::Array Modules;
  for (const ModulePlan &M : Plan.Modules) {
    json::Array Needed;
    for (const NeededStatus &S : M.Resolution) {
      json::Object O{{"name", jsonString(S.Name)},
                     {"status", neededStatusName(S.Status)}};
      if (!S.LoaderPath.empty())
        O["path"] = jsonString(S.LoaderPath);
      if (!S.Via.empty())
        O["via"] = jsonString(S.Via);
      if (!S.Member.empty())
        O["member"] = jsonString(Plan.installedName(S.Member));
      if (!S.NewName.empty())
        O["new_name"] = jsonString(S.NewName);
      Needed.push_back(std::move(O));
    }
    json::Array Renames;
    for (const auto &[Old, New] : M.Renames)
      Renames.push_back(
          json::Object{{"from", jsonString(Old)}, {"to", jsonString(New)}});
    json::Object O{{"member", jsonString(Plan.installedName(M.Member))},
                   {"vendored", M.Vendored},
                   {"needed", std::move(Needed)},
                   {"runtime_path", jsonOptionalStringArray(M.RuntimePath)},
                   {"rpath.0", jsonOptionalStringArray(M.RPathSection)},
                   {"new_runtime_path", jsonOptionalStringArray(M.NewRunPath)},
                   {"renames", std::move(Renames)}};
    if (M.Vendored)
      O["source"] = jsonString(M.SourcePath);
    if (M.StrippedBytes)
      O["stripped_bytes"] = int64_t(M.StrippedBytes);
    Modules.push_back(std::move(O));
  }
  json::Array Clashes;
  for (const VendoredSymbolClash &C : Plan.Clashes)
    Clashes.push_back(
        json::Object{{"symbol", jsonString(C.Symbol)},
                     {"library", jsonString(Plan.installedName(C.Library))},
                     {"other", jsonString(Plan.installedName(C.Other))}});
  return json::Object{{"wheel", jsonString(Plan.Wheel)},
                      {"libs_dir", jsonString(Plan.LibsDir)},
                      {"modules", std::move(Modules)},
                      {"symbol_clashes", std::move(Clashes)},
                      {"warnings", jsonStringArray(Plan.Warnings)}};
}

} // namespace wasmrpath
