//===- FileIO.cpp - Reading and atomically rewriting files ----------------===//

#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Reader.h"
#include "llvm/Support/Errno.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/sendfile.h>
#endif

using namespace llvm;

namespace wasmrpath {

namespace {

Error errnoError(const Twine &What, int Errno) {
  return createStringError(std::error_code(Errno, std::generic_category()),
                           What + ": " + sys::StrError(Errno));
}

Error writeAll(int FD, StringRef Bytes) {
  while (!Bytes.empty()) {
    ssize_t N = sys::RetryAfterSignal(-1, ::write, FD, Bytes.data(),
                                      Bytes.size());
    if (N < 0)
      return errnoError("cannot write output", errno);
    Bytes = Bytes.drop_front(N);
  }
  return Error::success();
}

/// Copies [Offset, Offset + Size) of the input to the current position of
/// \p OutFD, preferring paths on which the data never enters user space.
Error copyRange(const InputFile &In, uint64_t Offset, uint64_t Size,
                int OutFD) {
#if defined(__linux__)
  // copy_file_range can share extents on filesystems that support it;
  // sendfile works across filesystems on older kernels. Either may refuse
  // for a given pair of files (EXDEV, EINVAL, ENOSYS...), and then the next
  // path takes over where the previous one stopped.
  bool UseCopyFileRange = true, UseSendfile = true;
  while (Size > 0) {
    size_t Want = std::min<uint64_t>(Size, 1u << 30);
    ssize_t N = -1;
    if (UseCopyFileRange) {
      loff_t Off = Offset;
      N = ::copy_file_range(In.fd(), &Off, OutFD, nullptr, Want, 0);
      if (N <= 0) {
        if (N < 0 && errno == EINTR)
          continue;
        if (N < 0 && errno == ENOSPC)
          return errnoError("cannot write output", errno);
        UseCopyFileRange = false;
        continue;
      }
    } else if (UseSendfile) {
      off_t Off = Offset;
      N = ::sendfile(OutFD, In.fd(), &Off, Want);
      if (N <= 0) {
        if (N < 0 && errno == EINTR)
          continue;
        if (N < 0 && errno == ENOSPC)
          return errnoError("cannot write output", errno);
        UseSendfile = false;
        continue;
      }
    } else {
      break;
    }
    Offset += N;
    Size -= N;
  }
#endif
  if (Size == 0)
    return Error::success();
  // Last resort: write from the mapping, which the kernel pages in and out
  // as needed without a heap copy.
  ArrayRef<uint8_t> Data = In.data();
  if (Offset + Size > Data.size())
    return createStringError(inconvertibleErrorCode(),
                             "input file changed size while being read");
  return writeAll(OutFD, toStringRef(Data.slice(Offset, Size)));
}

} // namespace

Expected<std::unique_ptr<InputFile>> InputFile::open(StringRef Path) {
  std::unique_ptr<InputFile> F(new InputFile());
  SmallString<256> Real;
  if (std::error_code EC = sys::fs::real_path(Path, Real))
    return errorCodeToError(EC);
  F->RealPath = std::string(Real);
  // Check the type before opening: opening a FIFO for reading blocks until a
  // writer appears, and a device is never a module.
  sys::fs::file_status PathStatus;
  if (std::error_code EC = sys::fs::status(Real, PathStatus))
    return errorCodeToError(EC);
  if (PathStatus.type() == sys::fs::file_type::directory_file)
    return errorCodeToError(std::make_error_code(std::errc::is_a_directory));
  if (PathStatus.type() != sys::fs::file_type::regular_file)
    return createStringError(inconvertibleErrorCode(), "not a regular file");
  Expected<sys::fs::file_t> FD = sys::fs::openNativeFileForRead(Real);
  if (!FD)
    return FD.takeError();
  F->FD = *FD;
  if (std::error_code EC = sys::fs::status(F->FD, F->Status))
    return errorCodeToError(EC);
  // The path may have been replaced between the two checks.
  if (F->Status.type() != sys::fs::file_type::regular_file)
    return createStringError(inconvertibleErrorCode(), "not a regular file");
  // A mapping, not a heap copy: parsing touches only the pages it reads.
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf = MemoryBuffer::getOpenFile(
      F->FD, Real, F->Status.getSize(), /*RequiresNullTerminator=*/false);
  if (!Buf)
    return errorCodeToError(Buf.getError());
  F->Buffer = std::move(*Buf);
  return F;
}

InputFile::~InputFile() {
  if (FD >= 0)
    sys::fs::closeFile(FD);
}

Error writeOutputFile(const InputFile &In, ArrayRef<OutputChunk> Chunks,
                      StringRef OutPath) {
  // Write through a symlink: the link stays, its target gets the new data.
  SmallString<256> Target(OutPath);
  if (sys::fs::is_symlink_file(OutPath)) {
    if (std::error_code EC = sys::fs::real_path(OutPath, Target))
      return errorCodeToError(EC);
  }
  SmallString<256> Model(Target);
  sys::path::remove_filename(Model);
  sys::path::append(Model, "." + sys::path::filename(Target) +
                               ".wasm-rpath-%%%%%%.tmp");

  unsigned Mode = In.status().permissions() & sys::fs::all_perms;
  Expected<sys::fs::TempFile> Temp =
      sys::fs::TempFile::create(Model, sys::fs::owner_read | sys::fs::owner_write);
  if (!Temp)
    return Temp.takeError();

  auto Fail = [&](Error E) -> Error {
    return joinErrors(std::move(E), Temp->discard());
  };
  for (const OutputChunk &C : Chunks) {
    Error E = C.isInputRange() ? copyRange(In, C.InputOffset, C.Size, Temp->FD)
                               : writeAll(Temp->FD, C.Bytes);
    if (E)
      return Fail(std::move(E));
  }
  // The new file replaces the old one as a whole, so it must look like it:
  // same permission bits (created owner-only above, umask aside), and same
  // owner when we are allowed to set it.
  if (::geteuid() == 0)
    (void)::fchown(Temp->FD, In.status().getUser(), In.status().getGroup());
  if (::fchmod(Temp->FD, Mode) != 0)
    return Fail(errnoError("cannot set permissions", errno));
  return Temp->keep(Target);
}

Error editModuleFile(StringRef Path, function_ref<Error(Object &)> Edit,
                     StringRef OutPath) {
  Expected<std::unique_ptr<InputFile>> In = InputFile::open(Path);
  if (!In)
    return createFileError(Path, In.takeError());
  Expected<Object> Obj = readObject((*In)->data());
  if (!Obj)
    return createFileError(Path, Obj.takeError());
  if (Error E = Edit(*Obj))
    return createFileError(Path, std::move(E));
  if (!Obj->isModified() && OutPath.empty())
    return Error::success();
  // A failure to write is reported against the file being written, which
  // with --output is not the input.
  StringRef Dest = OutPath.empty() ? Path : OutPath;
  if (Error E = writeOutputFile(**In, layoutObject(*Obj), Dest))
    return createFileError(Dest, std::move(E));
  return Error::success();
}

bool isWasmModuleFile(StringRef Path) {
  // Only regular files (symlinks followed): opening a FIFO would block.
  if (!sys::fs::is_regular_file(Path))
    return false;
  Expected<sys::fs::file_t> FD = sys::fs::openNativeFileForRead(Path);
  if (!FD) {
    consumeError(FD.takeError());
    return false;
  }
  uint8_t Head[8];
  Expected<size_t> N = sys::fs::readNativeFile(
      *FD, MutableArrayRef(reinterpret_cast<char *>(Head), sizeof(Head)));
  sys::fs::closeFile(*FD);
  if (!N) {
    consumeError(N.takeError());
    return false;
  }
  return *N == sizeof(Head) && hasWasmModuleHeader(Head);
}

} // namespace wasmrpath
