//===- InstalledWheel.cpp - A wheel as Pyodide installs it ----------------===//
//
// See InstalledWheel.h. Installing records where each member lands and
// nothing else; content is extracted when the loader reads a file, under a
// budget on the bytes held at once.
//
//===----------------------------------------------------------------------===//

#include "Pyodide/InstalledWheel.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/Wheel.h"
#include "wasm-rpath/Zip.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace wasmrpath {

namespace {

/// An extracted member whose size counts against its wheel's budget until
/// it is destroyed.
class BudgetedBuffer final : public MemoryBuffer {
public:
  BudgetedBuffer(SmallVector<uint8_t, 0> Bytes,
                 std::shared_ptr<std::atomic<uint64_t>> Held, StringRef Name)
      : Bytes(std::move(Bytes)), Held(std::move(Held)), Name(Name.str()) {
    StringRef D = toStringRef(this->Bytes);
    init(D.begin(), D.end(), /*RequiresNullTerminator=*/false);
  }
  ~BudgetedBuffer() override { *Held -= Bytes.size(); }
  BufferKind getBufferKind() const override { return MemoryBuffer_Malloc; }
  StringRef getBufferIdentifier() const override { return Name; }

private:
  SmallVector<uint8_t, 0> Bytes;
  std::shared_ptr<std::atomic<uint64_t>> Held;
  std::string Name;
};

/// The top-level directories "<dist>-<ver>.data" of the wheel \p A: those
/// beside a "<dist>-<ver>.dist-info" directory.
StringSet<> dataDirsOf(const zip::Archive &A) {
  StringSet<> Tops, Data;
  for (const zip::Entry &E : A.entries())
    Tops.insert(E.name().split('/').first);
  for (const auto &T : Tops) {
    StringRef Top = T.getKey();
    if (Top.ends_with(".data") &&
        Tops.contains((Top.drop_back(5) + ".dist-info").str()))
      Data.insert(Top);
  }
  return Data;
}

} // namespace

Expected<std::string> installedMemberPath(StringRef Member,
                                          StringRef SitePackages) {
  if (Member.starts_with("/") || Member.contains('\\') ||
      is_contained(split(Member, '/'), ".."))
    return makeError(errc::malformed, "member '" + Member +
                                          "' would be installed outside "
                                          "site-packages");
  return normalizeLoaderPath((SitePackages + "/" + Member).str());
}

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

InstalledWheel::InstalledWheel(InstallOptions O, LoaderFileSystem *Base)
    : Opts(std::move(O)), Base(Base),
      Strings(std::make_unique<BumpPtrAllocator>()),
      Held(std::make_shared<std::atomic<uint64_t>>(0)) {
  if (!Opts.Rules)
    Opts.Rules = getLoaderRules("pyodide");
}

InstalledWheel::~InstalledWheel() = default;

Expected<std::string>
InstalledWheel::installedPath(StringRef Name, const StringSet<> &DataDirs) {
  StringRef SitePackages = sitePackages();
  if (Opts.DataDir == DataDirPolicy::MapLikePip) {
    auto [Top, Rest] = Name.split('/');
    if (DataDirs.contains(Top)) {
      for (StringRef Scheme : {"purelib/", "platlib/"})
        if (Rest.starts_with(Scheme))
          return installedMemberPath(Rest.drop_front(Scheme.size()),
                                     SitePackages);
      return "";
    }
  }
  return installedMemberPath(Name, SitePackages);
}

Expected<std::vector<std::string>> InstalledWheel::install(const zip::Archive &A,
                                                           StringRef Label) {
  // Names that escape site-packages or install as another member's file.
  if (Error Err = wheel::checkMemberPaths(A))
    return Err;
  StringSet<> DataDirs;
  if (Opts.DataDir == DataDirPolicy::MapLikePip)
    DataDirs = dataDirsOf(A);
  // Every path first, so that an error installs nothing: the new files go
  // after Files' end (one vector: a second copy of every File was most of
  // this model's memory), and are dropped on an error.
  const size_t Base = Files.size();
  auto Drop = [&](Error Err) {
    Files.resize(Base);
    return Err;
  };
  Files.reserve(Base + A.entries().size());
  zip::NameIndex Seen;
  Seen.reset(A.entries().size());
  StringRef SavedLabel = save(Label);
  for (const zip::Entry &E : A.entries()) {
    if (E.isDirectory())
      continue;
    // Installed as Python's zipfile names it (code page 437 for a name not
    // flagged UTF-8), which is what pip and Pyodide create.
    Expected<std::string> Path = installedPath(E.decodedName(), DataDirs);
    if (!Path)
      return Drop(Path.takeError());
    if (Path->empty())
      continue;
    uint32_t &Slot = Seen.slot(
        *Path, [&](uint32_t I) { return Files[Base + I].LoaderPath; });
    if (Slot != zip::NameIndex::Free)
      return Drop(makeError(
          errc::malformed,
          "members '" + escapeForDisplay(Files[Base + Slot].Member) +
              "' and '" + escapeForDisplay(E.name()) +
              "' are installed as one file, " + escapeForDisplay(*Path)));
    Slot = uint32_t(Files.size() - Base);
    File F;
    F.LoaderPath = save(normalizeLoaderPath(*Path));
    F.Member = E.name();
    F.Label = SavedLabel;
    F.Archive = &A;
    F.Entry = &E;
    F.Preload = isPreloadedByPyodide(E.name());
    Files.push_back(std::move(F));
  }
  // Then into the index; a file at a path installed before replaces that
  // one in its place, and the new files close up behind it.
  std::vector<std::string> Preload;
  size_t Out = Base;
  for (size_t I = Base; I < Files.size(); ++I) {
    if (Files[I].Preload)
      Preload.push_back(Files[I].LoaderPath.str());
    if (2 * (Out + 1) > IndexSlots)
      growIndex(Out, Out + 1);
    uint32_t &Slot = slotFor(Files[I].LoaderPath);
    if (Slot != zip::NameIndex::Free && Slot < Base) {
      Files[Slot] = std::move(Files[I]);
      continue;
    }
    Slot = uint32_t(Out);
    Sorted.push_back(Slot);
    SortedValid = false;
    if (Out != I)
      Files[Out] = std::move(Files[I]);
    ++Out;
  }
  Files.resize(Out);
  return Preload;
}

void InstalledWheel::growIndex(size_t Indexed, size_t Room) {
  // Amortized linear: every file again, into an index of twice the room.
  IndexSlots = std::max<size_t>(64, 4 * Room);
  ByPath.reset(IndexSlots / 2);
  for (uint32_t I = 0; I < Indexed; ++I)
    slotFor(Files[I].LoaderPath) = I;
}

StringRef InstalledWheel::save(StringRef S) {
  if (S.empty())
    return StringRef();
  char *P = Strings->Allocate<char>(S.size());
  std::memcpy(P, S.data(), S.size());
  return StringRef(P, S.size());
}

void InstalledWheel::addFile(File F) {
  std::string Norm = normalizeLoaderPath(F.LoaderPath);
  if (Norm != F.LoaderPath)
    F.LoaderPath = save(Norm);
  if (2 * (Files.size() + 1) > IndexSlots)
    growIndex(Files.size(), Files.size() + 1);
  uint32_t &Slot = slotFor(F.LoaderPath);
  if (Slot == zip::NameIndex::Free) {
    Slot = uint32_t(Files.size());
    Sorted.push_back(Slot);
    SortedValid = false;
    Files.push_back(std::move(F));
    return;
  }
  // A replacement keeps the file's place (and identity), as an overwrite
  // keeps the inode.
  Files[Slot] = std::move(F);
}

void InstalledWheel::addPlannedFile(StringRef LoaderPath, StringRef Member) {
  File F;
  F.LoaderPath = save(LoaderPath);
  F.Member = save(Member);
  F.Label = "(planned)";
  addFile(std::move(F));
}

const InstalledWheel::File *InstalledWheel::file(StringRef LoaderPath) const {
  if (ByPath.empty())
    return nullptr;
  uint32_t I = const_cast<InstalledWheel *>(this)->slotFor(LoaderPath);
  return I == zip::NameIndex::Free ? nullptr : &Files[I];
}

StringRef InstalledWheel::memberOf(StringRef LoaderPath) const {
  const File *F = file(LoaderPath);
  return F ? F->Member : StringRef();
}

std::vector<const InstalledWheel::File *> InstalledWheel::files() const {
  std::vector<const File *> Out;
  for (const File &F : Files)
    Out.push_back(&F);
  return Out;
}

std::vector<std::string> InstalledWheel::preloads() const {
  std::vector<std::string> Out;
  for (const File &F : Files)
    if (F.Preload)
      Out.push_back(F.LoaderPath.str());
  return Out;
}

bool InstalledWheel::isFile(StringRef LoaderPath) const {
  return file(LoaderPath) != nullptr;
}

bool InstalledWheel::isDirectory(StringRef LoaderPath) const {
  // A directory is a proper prefix of a file's path, up to a '/': found in
  // the sorted paths, so that nothing is stored per ancestor (a member
  // named a/a/a/... of 64,000 bytes has 32,000 of them, and storing each
  // as a path took gigabytes).
  SmallString<256> Prefix(LoaderPath);
  if (Prefix.empty() || Prefix.back() != '/')
    Prefix += '/';
  if (!SortedValid) {
    llvm::sort(Sorted, [&](uint32_t X, uint32_t Y) {
      return Files[X].LoaderPath < Files[Y].LoaderPath;
    });
    SortedValid = true;
  }
  auto It = llvm::partition_point(Sorted, [&](uint32_t I) {
    return Files[I].LoaderPath < StringRef(Prefix);
  });
  return It != Sorted.end() && Files[*It].LoaderPath.starts_with(Prefix);
}

bool InstalledWheel::isWheelDirectory(StringRef P) const {
  StringRef SitePackages = sitePackages();
  return isDirectory(P) && P.starts_with(SitePackages) &&
         P.size() > SitePackages.size() && P[SitePackages.size()] == '/';
}

Resolution InstalledWheel::resolve(StringRef Name, StringRef ModulePath,
                                   ArrayRef<std::string> RunPath) {
  const LoaderRules &R = rules();
  return resolveNeeded(
      Name, ModulePath, RunPath, R.DefaultLibraryPath, R.DefaultCwd, R,
      [&](StringRef P) { return status(P).Type == FileType::Regular; },
      [&](StringRef P) { return status(P).Type == FileType::Directory; });
}

LoaderFileSystem::Status InstalledWheel::status(StringRef Path) {
  // Resolution asks about normal paths: those are not copied.
  std::string Storage;
  StringRef Norm = Path;
  if (!isNormalLoaderPath(Path))
    Norm = Storage = normalizeLoaderPath(Path);
  // Identities that no host file has: device ~0, one inode per file.
  if (const File *F = file(Norm))
    return {FileType::Regular, sys::fs::UniqueID(~0ULL, F - Files.data())};
  if (Base) {
    Status S = Base->status(Norm);
    if (S.Type != FileType::Missing)
      return S;
  }
  if (isDirectory(Norm))
    return {FileType::Directory, sys::fs::UniqueID(~0ULL - 1, 0)};
  return {};
}

Expected<std::unique_ptr<MemoryBuffer>> InstalledWheel::read(StringRef Path) {
  std::string Norm = normalizeLoaderPath(Path);
  const File *F = file(Norm);
  if (!F)
    return Base ? Base->read(Norm) : makeError(errc::not_found, "no such file");
  if (!F->Entry)
    return makeError(errc::not_found, "not in the wheel yet (planned)");
  const zip::Entry &E = *F->Entry;
  // The head first: a member that is not a module is refused by its first
  // bytes, whatever its size.
  SmallVector<uint8_t, 0> Bytes;
  if (Error Err = F->Archive->extractPrefix(E, 8, Bytes))
    return Err;
  if (hasWasmModuleHeader(Bytes)) {
    uint64_t Size = E.UncompressedSize;
    // Reserve the share before extracting, so that concurrent readers
    // cannot both pass the check.
    uint64_t Before = Held->fetch_add(Size);
    if (Before + Size > Opts.MemoryBudget || Before + Size < Before) {
      *Held -= Size;
      return createStringError(
          std::make_error_code(std::errc::file_too_large),
          "module of " + Twine(Size) + " bytes exceeds the memory budget (" +
              Twine(Opts.MemoryBudget) + " bytes, " + Twine(Before) +
              " already held)");
    }
    if (Error Err = F->Archive->extract(E, Bytes, Size)) {
      *Held -= Size;
      return Err;
    }
    // extract() checked that the content has the recorded size: the share
    // reserved is the buffer's.
    assert(Bytes.size() == Size);
  } else {
    *Held += Bytes.size();
  }
  return std::make_unique<BudgetedBuffer>(std::move(Bytes), Held,
                                          F->location());
}

std::string InstalledWheel::locate(StringRef Path) {
  std::string Norm = normalizeLoaderPath(Path);
  if (const File *F = file(Norm))
    return F->location();
  return Base ? Base->locate(Norm) : Norm;
}

} // namespace wasmrpath
