//===- FileCopy.cpp - Writing chunked output with kernel copies -----------===//
//
// See FileCopy.h for the order of the copy paths and docs/performance.md for
// the measurements behind it.
//
//===----------------------------------------------------------------------===//

#include "IO/FileCopy.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/Errno.h"

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <memory>
#include <sys/uio.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#endif

using namespace llvm;

namespace wasmrpath {

namespace {

/// Input ranges shorter than this are written from the mapping together
/// with the new bytes: one writev() instead of a kernel copy each.
constexpr uint64_t SmallRange = 64 * 1024;
/// The clone granularity assumed by the FICLONERANGE attempt. A filesystem
/// with larger blocks refuses the clone, and the next path copies.
constexpr uint64_t BlockSize = 4096;
/// The largest pipe an unprivileged process may make by default
/// (/proc/sys/fs/pipe-max-size); 256 pages per splice round trip.
constexpr int PipeSize = 1 << 20;
/// The buffer of the last-resort path.
constexpr size_t BufferSize = 256 * 1024;

Error writeError(int Errno) {
  return createStringError(std::error_code(Errno, std::generic_category()),
                           "cannot write output: " + sys::StrError(Errno));
}

Error inputShrunk() {
  return createStringError(std::make_error_code(std::errc::io_error),
                           "input file changed size while being read");
}

/// True if \p Errno says that a copy path does not work for this pair of
/// files (so the next path should try), rather than that the output cannot
/// take the data.
bool isUnsupported(int Errno) {
  return Errno == EXDEV || Errno == EINVAL || Errno == ENOSYS ||
         Errno == EOPNOTSUPP || Errno == ENOTSUP || Errno == EBADF ||
         Errno == ENOTTY || Errno == ETXTBSY;
}

/// Writes the gathered pieces at \p Pos, coping with short writes.
Error pwriteAll(int FD, MutableArrayRef<struct iovec> Iov, uint64_t Pos) {
  while (!Iov.empty()) {
    ssize_t N = sys::RetryAfterSignal(-1, ::pwritev, FD, Iov.data(),
                                      static_cast<int>(Iov.size()),
                                      static_cast<off_t>(Pos));
    if (N < 0)
      return writeError(errno);
    if (N == 0)
      return writeError(EIO);
    Pos += N;
    size_t Done = N;
    while (!Iov.empty() && Done >= Iov.front().iov_len) {
      Done -= Iov.front().iov_len;
      Iov = Iov.drop_front();
    }
    if (Done) {
      Iov.front().iov_base = static_cast<char *>(Iov.front().iov_base) + Done;
      Iov.front().iov_len -= Done;
    }
  }
  return Error::success();
}

/// One long range: Size bytes at input offset In to output offset Out.
/// Each path advances In, Out and Size by what it copied before returning.
struct Range {
  uint64_t In;
  uint64_t Out;
  uint64_t Size;

  void advance(uint64_t N) {
    In += N;
    Out += N;
    Size -= N;
  }
};

#if defined(__linux__)
/// Shares the input's blocks where the filesystem can (the whole range when
/// it runs to the end of the input, else its whole blocks). Never an error:
/// a refusal leaves the range to the next path.
void tryClone(int InFD, int OutFD, uint64_t InSize, Range &R) {
  if (R.In % BlockSize != 0 || R.Out % BlockSize != 0)
    return;
  uint64_t Len = R.In + R.Size == InSize ? R.Size
                                         : R.Size / BlockSize * BlockSize;
  if (Len == 0)
    return;
  struct file_clone_range Arg;
  Arg.src_fd = InFD;
  Arg.src_offset = R.In;
  Arg.src_length = Len;
  Arg.dest_offset = R.Out;
  if (::ioctl(OutFD, FICLONERANGE, &Arg) == 0)
    R.advance(Len);
}

/// True for filesystems on which copy_file_range is done by the server.
bool isNetworkFilesystem(int FD) {
  struct statfs S;
  if (::fstatfs(FD, &S) != 0)
    return false;
  switch (static_cast<unsigned long>(S.f_type)) {
  case 0x6969:     // NFS
  case 0xFF534D42: // CIFS
  case 0xFE534D42: // SMB2
  case 0x00C36400: // Ceph
  case 0x65735546: // FUSE (a server that implements it)
    return true;
  default:
    return false;
  }
}

Error copyWithCopyFileRange(int InFD, int OutFD, Range &R) {
  while (R.Size > 0) {
    loff_t InOff = R.In, OutOff = R.Out;
    ssize_t N = ::copy_file_range(InFD, &InOff, OutFD, &OutOff,
                                  std::min<uint64_t>(R.Size, 1u << 30), 0);
    if (N < 0 && errno == EINTR)
      continue;
    if (N < 0 && !isUnsupported(errno))
      return writeError(errno);
    if (N <= 0) // Refused, or 0 where the kernel cannot copy: hand over.
      return Error::success();
    R.advance(N);
  }
  return Error::success();
}

/// Moves page references from the input into a pipe, and from the pipe
/// into the output: the kernel copies each byte once.
Error copyWithSplice(int InFD, int OutFD, Range &R) {
  int Pipe[2];
  if (::pipe2(Pipe, O_CLOEXEC) != 0)
    return Error::success();
  auto Close = make_scope_exit([&] {
    ::close(Pipe[0]);
    ::close(Pipe[1]);
  });
  // Larger pipes need fewer round trips; a refusal (the per-user pipe
  // budget) leaves the default of 16 pages.
  int Want = static_cast<int>(
      std::min<uint64_t>(PipeSize, std::max<uint64_t>(R.Size, 4096)));
  int Capacity = ::fcntl(Pipe[1], F_SETPIPE_SZ, Want);
  if (Capacity <= 0)
    Capacity = ::fcntl(Pipe[1], F_GETPIPE_SZ);
  if (Capacity <= 0)
    Capacity = 16 * 4096;

  while (R.Size > 0) {
    loff_t InOff = R.In;
    ssize_t In = ::splice(InFD, &InOff, Pipe[1], nullptr,
                          std::min<uint64_t>(R.Size, Capacity),
                          SPLICE_F_MOVE | SPLICE_F_MORE);
    if (In < 0 && errno == EINTR)
      continue;
    if (In < 0 && !isUnsupported(errno))
      return writeError(errno); // A read error of the input (EIO).
    if (In < 0)
      return Error::success();
    if (In == 0)
      return inputShrunk();
    // Drain what went in. A refusal here leaves the rest of the range,
    // from the last byte that reached the output, to the next path.
    for (ssize_t Left = In; Left > 0;) {
      loff_t OutOff = R.Out;
      ssize_t Out = ::splice(Pipe[0], nullptr, OutFD, &OutOff, Left,
                             SPLICE_F_MOVE | SPLICE_F_MORE);
      if (Out < 0 && errno == EINTR)
        continue;
      if (Out < 0 && !isUnsupported(errno))
        return writeError(errno);
      if (Out <= 0)
        return Error::success();
      R.advance(Out);
      Left -= Out;
    }
  }
  return Error::success();
}
#endif

/// The last resort: a fixed buffer, so memory stays constant.
Error copyWithBuffer(int InFD, int OutFD, Range &R) {
  if (R.Size == 0)
    return Error::success();
  std::unique_ptr<char[]> Buf(new char[std::min<uint64_t>(R.Size, BufferSize)]);
  while (R.Size > 0) {
    ssize_t N = sys::RetryAfterSignal(
        -1, ::pread, InFD, Buf.get(), std::min<uint64_t>(R.Size, BufferSize),
        static_cast<off_t>(R.In));
    if (N < 0)
      return createStringError(std::error_code(errno, std::generic_category()),
                               "cannot read input: " + sys::StrError(errno));
    if (N == 0)
      return inputShrunk();
    struct iovec Iov = {Buf.get(), static_cast<size_t>(N)};
    if (Error E = pwriteAll(OutFD, Iov, R.Out))
      return E;
    R.advance(N);
  }
  return Error::success();
}

Error copyRange(int InFD, int OutFD, uint64_t InSize, Range R,
                CopyMethod Method) {
#if defined(__linux__)
  switch (Method) {
  case CopyMethod::Auto:
    tryClone(InFD, OutFD, InSize, R);
    if (R.Size > 0 && isNetworkFilesystem(OutFD))
      if (Error E = copyWithCopyFileRange(InFD, OutFD, R))
        return E;
    if (R.Size > 0)
      if (Error E = copyWithSplice(InFD, OutFD, R))
        return E;
    break;
  case CopyMethod::CopyFileRange:
    if (Error E = copyWithCopyFileRange(InFD, OutFD, R))
      return E;
    break;
  case CopyMethod::Splice:
    if (Error E = copyWithSplice(InFD, OutFD, R))
      return E;
    break;
  case CopyMethod::ReadWrite:
    break;
  }
#endif
  return copyWithBuffer(InFD, OutFD, R);
}

} // namespace

Error writeOutputChunks(int OutFD, int InFD, uint64_t InSize,
                        ArrayRef<uint8_t> InMemory,
                        ArrayRef<OutputChunk> Chunks, CopyMethod Method) {
  SmallVector<struct iovec, 8> Iov;
  SmallVector<std::unique_ptr<char[]>, 4> Owned; // Bytes read for Iov.
  uint64_t Pos = 0;       // Output offset of the next byte.
  uint64_t GatherPos = 0; // Output offset of the first gathered byte.
  auto Flush = [&]() -> Error {
    Error E = pwriteAll(OutFD, Iov, GatherPos);
    Iov.clear();
    Owned.clear();
    GatherPos = Pos;
    return E;
  };
  auto Gather = [&](const char *Data, size_t Size) -> Error {
    if (Size == 0)
      return Error::success();
    if (Iov.size() == IOV_MAX)
      if (Error E = Flush())
        return E;
    Iov.push_back({const_cast<char *>(Data), Size});
    Pos += Size;
    return Error::success();
  };
  auto GatherInput = [&](uint64_t Offset, size_t Size) -> Error {
    if (Size == 0)
      return Error::success();
    if (InMemory.size() == InSize)
      return Gather(reinterpret_cast<const char *>(InMemory.data()) + Offset,
                    Size);
    std::unique_ptr<char[]> Buf(new char[Size]);
    for (size_t Done = 0; Done < Size;) {
      ssize_t N = sys::RetryAfterSignal(-1, ::pread, InFD, Buf.get() + Done,
                                        Size - Done,
                                        static_cast<off_t>(Offset + Done));
      if (N < 0)
        return createStringError(
            std::error_code(errno, std::generic_category()),
            "cannot read input: " + sys::StrError(errno));
      if (N == 0)
        return inputShrunk();
      Done += N;
    }
    if (Error E = Gather(Buf.get(), Size))
      return E;
    Owned.push_back(std::move(Buf));
    return Error::success();
  };

  for (const OutputChunk &C : Chunks) {
    if (!C.isInputRange()) {
      if (Error E = Gather(C.Bytes.data(), C.Bytes.size()))
        return E;
      continue;
    }
    if (C.InputOffset + C.Size > InSize)
      return inputShrunk();
    Range R{C.InputOffset, Pos, C.Size};
    // Up to the next block boundary of the output, the bytes go with the
    // gathered ones: a range at the same offset in both files (an edit
    // that keeps the size of the head) then starts block-aligned, so that
    // it can be cloned.
    uint64_t ToBoundary = (BlockSize - Pos % BlockSize) % BlockSize;
    uint64_t Direct = R.Size < SmallRange ? R.Size
                      : Method == CopyMethod::Auto
                          ? std::min(ToBoundary, R.Size)
                          : 0;
    if (Error E = GatherInput(R.In, Direct))
      return E;
    R.advance(Direct);
    if (R.Size == 0)
      continue;
    if (Error E = Flush())
      return E;
    if (Error E = copyRange(InFD, OutFD, InSize, R, Method))
      return E;
    Pos += R.Size; // copyRange copies all of R or fails.
    GatherPos = Pos;
  }
  return Flush();
}

namespace {

/// Writes all of \p Data at \p FD's position, coping with short writes.
Error writeAll(int FD, const char *Data, size_t Size) {
  while (Size > 0) {
    ssize_t N = sys::RetryAfterSignal(-1, ::write, FD, Data, Size);
    if (N < 0)
      return writeError(errno);
    if (N == 0)
      return writeError(EIO);
    Data += N;
    Size -= N;
  }
  return Error::success();
}

} // namespace

Error writeOutputChunksToStream(int OutFD, int InFD, uint64_t InSize,
                                ArrayRef<uint8_t> InMemory,
                                ArrayRef<OutputChunk> Chunks) {
  std::unique_ptr<char[]> Buf;
  for (const OutputChunk &C : Chunks) {
    if (!C.isInputRange()) {
      if (Error E = writeAll(OutFD, C.Bytes.data(), C.Bytes.size()))
        return E;
      continue;
    }
    if (C.InputOffset + C.Size > InSize)
      return inputShrunk();
    if (InMemory.size() == InSize) {
      if (Error E = writeAll(
              OutFD,
              reinterpret_cast<const char *>(InMemory.data()) + C.InputOffset,
              C.Size))
        return E;
      continue;
    }
    if (!Buf)
      Buf.reset(new char[BufferSize]);
    for (uint64_t Done = 0; Done < C.Size;) {
      ssize_t N = sys::RetryAfterSignal(
          -1, ::pread, InFD, Buf.get(),
          std::min<uint64_t>(C.Size - Done, BufferSize),
          static_cast<off_t>(C.InputOffset + Done));
      if (N < 0)
        return createStringError(
            std::error_code(errno, std::generic_category()),
            "cannot read input: " + sys::StrError(errno));
      if (N == 0)
        return inputShrunk();
      if (Error E = writeAll(OutFD, Buf.get(), N))
        return E;
      Done += N;
    }
  }
  return Error::success();
}

} // namespace wasmrpath
