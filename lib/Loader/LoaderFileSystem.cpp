//===- LoaderFileSystem.cpp - What the loader's stat() and read() see -----===//
//
// The file systems the dependency walk reads through: a host directory as
// the loader's "/", confined to it, and files held in memory in front of
// another file system. Wheels are InstalledWheel (lib/Pyodide).
//
//===----------------------------------------------------------------------===//

#include "Search.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace wasmrpath {

using namespace loader_detail;

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

} // namespace wasmrpath
