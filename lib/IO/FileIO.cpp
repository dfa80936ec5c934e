//===- FileIO.cpp - Reading and atomically rewriting files ----------------===//
//
// Failures this layer is built to survive, each with a test in
// test/reliability/: a full filesystem or RLIMIT_FSIZE (EFBIG, with
// SIGXFSZ ignored by the tools, ToolProcess.h), a
// destination that cannot be written, the input changed by another
// process during the run, and the process killed at any point. A
// temporary file is locked by its writer for as long as it exists, so that
// the next writer can tell a temporary left by a killed run from one that
// a concurrent run is still writing, and remove only the former.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/FileIO.h"
#include "IO/FileCopy.h"
#include "IO/OutputFile.h"
#include "Object/Writer.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/ToolProcess.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Errno.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <mutex>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;

namespace wasmrpath {

namespace {

Error errnoError(const Twine &What, int Errno) {
  return createStringError(std::error_code(Errno, std::generic_category()),
                           What + ": " + sys::StrError(Errno));
}

Error inputChanged() {
  return makeError(errc::input_changed,
                   "input file changed while being read; nothing was written");
}

/// Writes \p Chunks to \p OutFD, a new file, from offset 0. The input's
/// bytes are taken from memory only when they are a heap copy: reading a
/// mapping of a file that another process truncates raises SIGBUS, while
/// the kernel paths simply stop at the end (FileCopy.h).
Error writeChunks(const InputFile &In, ArrayRef<OutputChunk> Chunks,
                  int OutFD) {
  return writeOutputChunks(OutFD, In.fd(), In.size(),
                           In.isMapped() ? ArrayRef<uint8_t>() : In.data(),
                           Chunks);
}

uint64_t outputSize(ArrayRef<OutputChunk> Chunks) {
  uint64_t Size = 0;
  for (const OutputChunk &C : Chunks)
    Size += C.size();
  return Size;
}

/// Fails if the input's content may have changed since it was opened: its
/// ranges would then have been copied from two versions of it, and the
/// output could be a mix of both. Only the size and the modification time
/// are compared: a rename over the path, or a new hard link, changes the
/// inode's ctime but not the data this run has read.
Error checkInputUnchanged(const InputFile &In) {
  sys::fs::file_status Now;
  if (std::error_code EC = sys::fs::status(In.fd(), Now))
    return errorCodeToError(EC);
  if (Now.getSize() != In.status().getSize() ||
      Now.getLastModificationTime() != In.status().getLastModificationTime())
    return inputChanged();
  return Error::success();
}

constexpr StringLiteral TempInfix = ".wasm-rpath-";
constexpr StringLiteral TempSuffix = ".tmp";
constexpr StringLiteral TempRandom = "%%%%%%";

/// The longest file name the temporary may have. A destination whose name
/// is near NAME_MAX gets a temporary named after a prefix of its name.
constexpr size_t MaxFileName = NAME_MAX;

/// The part of \p Name that the temporary file's name repeats: all of it
/// if ".NAME.wasm-rpath-XXXXXX.tmp" fits in a file name, else a prefix. Two
/// long names with a common prefix then share their temporaries' prefix;
/// that is harmless, since only temporaries whose writer is gone are removed
/// by another run.
StringRef temporaryStem(StringRef Name) {
  size_t Fixed =
      1 + TempInfix.size() + TempRandom.size() + TempSuffix.size();
  return Name.take_front(MaxFileName - Fixed);
}

/// True if \p Entry is a name that writeOutputFile() gives the temporary
/// file for destination \p Name: ".NAME.wasm-rpath-XXXXXX.tmp".
bool isTemporaryNameFor(StringRef Entry, StringRef Name) {
  Name = temporaryStem(Name);
  if (!Entry.consume_front(".") || !Entry.consume_front(Name) ||
      !Entry.consume_front(TempInfix) || !Entry.consume_back(TempSuffix))
    return false;
  return Entry.size() == TempRandom.size() && all_of(Entry, isHexDigit);
}

/// Adds the temporary files in \p Dir to \p ByName, keyed by the
/// destination name they were made for.
void listTemporaries(StringRef Dir,
                     StringMap<std::vector<std::string>> &ByName) {
  std::error_code EC;
  for (sys::fs::directory_iterator I(Dir, EC), End; I != End && !EC;
       I.increment(EC)) {
    StringRef Entry = sys::path::filename(I->path());
    if (!Entry.starts_with("."))
      continue;
    size_t Infix = Entry.rfind(TempInfix);
    if (Infix != StringRef::npos &&
        isTemporaryNameFor(Entry, Entry.slice(1, Infix)))
      ByName[Entry.slice(1, Infix)].push_back(I->path());
  }
}

/// The temporary files in \p Dir named for destination \p Name. In a tool
/// (ToolProcess), as found by one reading of \p Dir per process: a batch
/// (wasm-set-rpath -j) that edits thousands of files in one directory would
/// otherwise read all of it for each file; a temporary that appears after
/// that reading belongs to a run that was alive then, and the next run
/// removes it if it is stale. Each name is handed out once. A library in a
/// long-lived host keeps no such state: it reads \p Dir each time.
std::vector<std::string> takeTemporariesFor(StringRef Dir, StringRef Name) {
  if (!ToolProcess::active()) {
    StringMap<std::vector<std::string>> ByName;
    listTemporaries(Dir, ByName);
    auto Paths = ByName.find(temporaryStem(Name));
    return Paths == ByName.end() ? std::vector<std::string>()
                                 : std::move(Paths->second);
  }
  static std::mutex Mutex;
  static StringMap<StringMap<std::vector<std::string>>> ByDirectory;
  std::lock_guard<std::mutex> Lock(Mutex);
  auto [Found, New] = ByDirectory.try_emplace(Dir);
  StringMap<std::vector<std::string>> &ByName = Found->second;
  if (New)
    listTemporaries(Dir, ByName);
  auto Paths = ByName.find(temporaryStem(Name));
  if (Paths == ByName.end())
    return {};
  std::vector<std::string> Result = std::move(Paths->second);
  ByName.erase(Paths);
  return Result;
}

/// True if \p Path still names the file open as \p FD.
bool namesOpenFile(const Twine &Path, int FD) {
  struct stat Named, Open;
  return ::lstat(Path.str().c_str(), &Named) == 0 && ::fstat(FD, &Open) == 0 &&
         Named.st_dev == Open.st_dev && Named.st_ino == Open.st_ino;
}

/// Removes the temporary files for destination \p Name in \p Dir that runs
/// killed before they could clean up left behind (SIGKILL, a crash, a power
/// cut). Every writer holds an exclusive flock() on its temporary file for
/// as long as the file exists, and the kernel drops the lock when the
/// writer dies, so a temporary whose lock can be taken has no owner left;
/// one that is locked belongs to a concurrent run and is left alone.
void removeStaleTemporaries(StringRef Dir, StringRef Name) {
  for (const std::string &Path : takeTemporariesFor(Dir, Name)) {
    // O_NONBLOCK: something else under that name (a FIFO) must not block.
    int FD =
        sys::RetryAfterSignal(-1, ::open, Path.c_str(),
                              O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (FD < 0)
      continue;
    struct stat St;
    // Unlinked while still holding the lock and only if the name still
    // refers to the locked file, so that a writer that locks its new file
    // afterwards sees that it lost the name (see createLockedTemporary).
    if (::fstat(FD, &St) == 0 && S_ISREG(St.st_mode) &&
        ::flock(FD, LOCK_EX | LOCK_NB) == 0 && namesOpenFile(Path, FD))
      ::unlink(Path.c_str());
    ::close(FD);
  }
}

/// The temporary file of an atomic write: created next to the destination,
/// flock()ed for as long as it exists (see removeStaleTemporaries), and
/// removed on every failure and, in a tool (ToolProcess), on fatal and
/// interrupt signals (LLVM's handler). Unlike sys::fs::TempFile::keep(), commit() only renames: a
/// rename that fails is an error, never a copy over the destination.
class TemporaryFile {
public:
  static Expected<TemporaryFile> create(StringRef Target);
  TemporaryFile(TemporaryFile &&Other)
      : Path(std::move(Other.Path)), FD(std::exchange(Other.FD, -1)) {}
  ~TemporaryFile() { discard(); }

  int fd() const { return FD; }
  StringRef path() const { return Path; }

  /// Renames the file over \p Target.
  Error commit(StringRef Target) {
    if (::rename(Path.c_str(), Target.str().c_str()) != 0) {
      int Errno = errno;
      discard();
      // These say that a rename cannot replace this destination, while
      // writing it in place may: the caller (a tool) can suggest that.
      if (Errno == EXDEV || Errno == EBUSY || Errno == EPERM || Errno == EACCES)
        return makeError(errc::cannot_replace,
                         "cannot rename the new file over the destination: " +
                             sys::StrError(Errno) + "; it was left as it was");
      return createStringError(
          std::error_code(Errno, std::generic_category()),
          "cannot rename the new file over the destination: " +
              sys::StrError(Errno));
    }
    if (ToolProcess::active())
      sys::DontRemoveFileOnSignal(Path);
    ::close(std::exchange(FD, -1));
    return Error::success();
  }

  /// Removes the file if it still has its name.
  void discard() {
    if (FD < 0)
      return;
    if (namesOpenFile(Path, FD))
      ::unlink(Path.c_str());
    if (ToolProcess::active())
      sys::DontRemoveFileOnSignal(Path);
    ::close(std::exchange(FD, -1));
  }

private:
  TemporaryFile(std::string Path, int FD) : Path(std::move(Path)), FD(FD) {}
  std::string Path;
  int FD = -1;
};

/// Creates the temporary file for \p Target next to it, locked for as long
/// as it exists (see removeStaleTemporaries), after removing stale ones.
Expected<TemporaryFile> TemporaryFile::create(StringRef Target) {
  StringRef Name = sys::path::filename(Target);
  SmallString<256> Dir(Target);
  sys::path::remove_filename(Dir);
  removeStaleTemporaries(Dir.empty() ? StringRef(".") : StringRef(Dir), Name);
  SmallString<256> Model(Dir);
  sys::path::append(Model, "." + temporaryStem(Name) + TempInfix +
                               TempRandom + TempSuffix);
  // Another writer's sweep may lock and remove a new file in the moment
  // between its creation and its lock; then this one takes a new file.
  for (unsigned Attempt = 0;; ++Attempt) {
    int FD = -1;
    SmallString<256> Created;
    std::error_code EC;
    // In a tool, created and registered with interrupts held back, so
    // that no signal can end the process between the two and leave the
    // file behind; from here on a signal removes it (LLVM's handler),
    // unless it was ignored at start. A library in a host installs no
    // handler: the host's signals are its own.
    withInterruptsHeld([&] {
      EC = sys::fs::createUniqueFile(Model, FD, Created, sys::fs::OF_None,
                                     sys::fs::owner_read |
                                         sys::fs::owner_write);
      if (!EC && ToolProcess::active())
        sys::RemoveFileOnSignal(Created);
    });
    if (EC)
      return errorCodeToError(EC);
    TemporaryFile Temp(std::string(Created), FD);
    int Locked = ::flock(FD, LOCK_EX | LOCK_NB);
    // A file system without locks (flock fails otherwise than EWOULDBLOCK)
    // cannot tell stale temporaries from live ones: write unlocked there;
    // no sweep removes an unlockable file either.
    if ((Locked != 0 && errno != EWOULDBLOCK) ||
        (Locked == 0 && namesOpenFile(Created, FD)))
      return Temp;
    Temp.discard();
    if (Attempt == 100)
      return createStringError(
          std::make_error_code(std::errc::resource_unavailable_try_again),
          "cannot lock a temporary file in '" + Dir + "'");
  }
}

/// An unnamed file to build an in-place output in. It has no name, so a
/// run killed at any point leaves nothing behind. In the destination's
/// directory when possible (the same file system, so the copy back can
/// share extents), else in the system's temporary directory (the
/// destination's directory may not be writable while the file is).
Expected<int> openStagingFile(StringRef Dir) {
#if defined(O_TMPFILE)
  SmallString<128> SystemTemp;
  sys::path::system_temp_directory(/*ErasedOnReboot=*/true, SystemTemp);
  for (StringRef D : {Dir, StringRef(SystemTemp)}) {
    int FD = sys::RetryAfterSignal(-1, ::open, D.str().c_str(),
                                   O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (FD >= 0)
      return FD;
  }
#endif
  // No O_TMPFILE here: a named file, unlinked at once.
  int FD;
  SmallString<128> Path;
  if (std::error_code EC =
          sys::fs::createTemporaryFile("wasm-rpath-stage", "tmp", FD, Path))
    return errorCodeToError(EC);
  sys::fs::remove(Path);
  return FD;
}

/// Makes sure that writing \p NewSize bytes into \p FD, now \p OldSize
/// bytes, cannot stop half-way for lack of room: a file size limit is
/// checked, and the blocks are allocated (without changing the size), so
/// that ENOSPC or EFBIG come before the first byte of the file is touched.
Error reserveSpace(int FD, uint64_t NewSize, uint64_t OldSize) {
  struct rlimit Limit;
  if (::getrlimit(RLIMIT_FSIZE, &Limit) == 0 &&
      Limit.rlim_cur != RLIM_INFINITY && NewSize > Limit.rlim_cur)
    return errnoError("cannot write output", EFBIG);
#if defined(__linux__)
  if (NewSize > OldSize &&
      ::fallocate(FD, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(NewSize)) !=
          0 &&
      errno != EOPNOTSUPP && errno != ENOSYS)
    return errnoError("cannot write output", errno);
#endif
  return Error::success();
}

/// Where writeOutputFile() puts its output.
struct Destination {
  enum Kind {
    Replace, ///< A regular file, or none yet: atomic rename over Path.
    Stream,  ///< Standard output, a character device or a FIFO: written
             ///< into, from its start, never replaced.
  } K;
  std::string Path;
};

/// The fs.protected_symlinks rule for the link \p Link, with status \p St,
/// in the directory \p Dir: a link in a sticky, world-writable directory
/// (/tmp) is followed only by its owner or when the directory's owner owns
/// it. Anyone may plant a link there, so following it would let them
/// choose the file written. Applied whatever the sysctl says (containers
/// often turn it off): a tool that follows links itself must not be the
/// way past it, and a rule that does not depend on the machine is one that
/// can be tested. \p Named: \p Link is the file the caller named (the
/// error then need not name it again).
Error checkMayFollow(StringRef Dir, StringRef Link, const struct stat &St,
                     bool Named) {
  struct stat DirSt;
  if (::stat(Dir.str().c_str(), &DirSt) != 0)
    return errorCodeToError(std::error_code(errno, std::generic_category()));
  if (!(DirSt.st_mode & S_ISVTX) || !(DirSt.st_mode & S_IWOTH) ||
      St.st_uid == ::geteuid() || St.st_uid == DirSt.st_uid)
    return Error::success();
  std::string What = ("a symbolic link owned by uid " + Twine(St.st_uid) +
                      " in a sticky world-writable directory; not followed "
                      "(fs.protected_symlinks)")
                         .str();
  return createStringError(std::make_error_code(std::errc::permission_denied),
                           Named ? "is " + What
                                 : ("leads through '" + Link + "', " + What)
                                       .str());
}

/// The file that a write through \p Path reaches, resolved component by
/// component as the kernel resolves it: every symbolic link met, in a
/// directory of the path or as its last component, is followed under
/// checkMayFollow(), at most 40 in all (the kernel's limit). The result
/// is absolute and free of links; its last component may not exist (a new
/// file, or the end of a dangling link, which open(O_CREAT) would create).
Expected<std::string> writeTarget(StringRef Path) {
  constexpr auto Posix = sys::path::Style::posix;
  SmallString<256> Resolved("/");
  if (!sys::path::is_absolute(Path, Posix))
    if (std::error_code EC = sys::fs::current_path(Resolved))
      return errorCodeToError(EC);
  // The components still to resolve, the next one last, so that a link's
  // target goes on top.
  std::vector<std::string> Todo;
  auto Push = [&](StringRef P) {
    SmallVector<StringRef, 16> Parts;
    P.split(Parts, '/', -1, /*KeepEmpty=*/false);
    for (auto I = Parts.rbegin(), E = Parts.rend(); I != E; ++I)
      Todo.push_back(I->str());
  };
  Push(Path);
  unsigned Links = 0;
  while (!Todo.empty()) {
    std::string C = std::move(Todo.back());
    Todo.pop_back();
    if (C == ".")
      continue;
    if (C == "..") {
      // Resolved has no links in it: its parent is the textual one.
      sys::path::remove_filename(Resolved, Posix);
      if (Resolved.empty())
        Resolved = "/";
      continue;
    }
    SmallString<256> Next(Resolved);
    sys::path::append(Next, Posix, C);
    struct stat St;
    if (::lstat(Next.c_str(), &St) != 0) {
      if (errno == ENOENT && Todo.empty())
        return std::string(Next); // The write creates it.
      return errorCodeToError(std::error_code(errno, std::generic_category()));
    }
    if (S_ISLNK(St.st_mode)) {
      if (++Links > 40)
        return errorCodeToError(
            std::make_error_code(std::errc::too_many_symbolic_link_levels));
      bool Named = Links == 1 && Todo.empty();
      if (Error E = checkMayFollow(Resolved, Next, St, Named))
        return E;
      char Buf[PATH_MAX];
      ssize_t N = ::readlink(Next.c_str(), Buf, sizeof(Buf));
      if (N < 0)
        return errorCodeToError(
            std::error_code(errno, std::generic_category()));
      if (static_cast<size_t>(N) >= sizeof(Buf))
        return errorCodeToError(
            std::make_error_code(std::errc::filename_too_long));
      StringRef To(Buf, N);
      if (sys::path::is_absolute(To, Posix))
        Resolved = "/";
      Push(To);
      continue;
    }
    if (!Todo.empty() && !S_ISDIR(St.st_mode))
      return errorCodeToError(std::make_error_code(std::errc::not_a_directory));
    Resolved = Next;
  }
  return std::string(Resolved);
}

/// The error for a destination of type \p Mode that cannot take a module.
Error unwritableDestination(mode_t Mode) {
  if (S_ISDIR(Mode))
    return errorCodeToError(std::make_error_code(std::errc::is_a_directory));
  StringRef What = S_ISBLK(Mode)    ? "a block device"
                   : S_ISSOCK(Mode) ? "a socket"
                                    : "not a regular file";
  return createStringError(
      std::make_error_code(std::errc::invalid_argument),
      "is " + What +
          "; the output goes to a regular file, a character device, a FIFO "
          "or standard output ('-')");
}

/// Decides how \p OutPath is written. A regular file (or a symbolic link
/// to one) is replaced atomically; a dangling symbolic link gets its target
/// created; "-" and "/dev/stdout" are standard output; a character device
/// (/dev/null) or a FIFO is written into and keeps its node: renaming a
/// regular file over it would destroy the node (as root, /dev/null itself).
/// Directories, block devices and sockets are refused.
Expected<Destination> findDestination(StringRef OutPath) {
  if (OutPath == "-" || OutPath == "/dev/stdout")
    return Destination{Destination::Stream, "-"};
  struct stat St;
  if (::stat(OutPath.str().c_str(), &St) != 0) {
    if (errno != ENOENT)
      return errorCodeToError(std::error_code(errno, std::generic_category()));
    // No file yet, or a dangling link: the file it names is created.
    Expected<std::string> Target = writeTarget(OutPath);
    if (!Target)
      return Target.takeError();
    return Destination{Destination::Replace, std::move(*Target)};
  }
  // Every kind of destination is reached through the same checked links: a
  // link planted in /tmp must not choose the device or FIFO written into
  // either.
  Expected<std::string> Target = writeTarget(OutPath);
  if (!Target)
    return Target.takeError();
  // A stream is opened by the name given: /proc's magic links (/dev/stderr,
  // /dev/fd/N) lead to pipes and terminals that have no path to resolve.
  if (S_ISCHR(St.st_mode) || S_ISFIFO(St.st_mode))
    return Destination{Destination::Stream, OutPath.str()};
  if (!S_ISREG(St.st_mode))
    return unwritableDestination(St.st_mode);
  // Write through a symlink: the link stays, its target gets the new data.
  return Destination{Destination::Replace, std::move(*Target)};
}

/// Fails if \p Target is now something that a rename must not replace
/// (a symbolic link may be, when \p LinkReplaceable: a new output file
/// replaces a link rather than write through it).
Error checkStillReplaceable(StringRef Target, bool LinkReplaceable = false) {
  struct stat St;
  if (::lstat(Target.str().c_str(), &St) != 0)
    return Error::success(); // Gone, or never there: the rename creates it.
  if (S_ISREG(St.st_mode) || (LinkReplaceable && S_ISLNK(St.st_mode)))
    return Error::success();
  return unwritableDestination(St.st_mode);
}

/// Writes the output into standard output (\p Path "-"), a character
/// device or a FIFO, in order, without seeking: these cannot be replaced,
/// and pipes cannot be written at an offset.
Error writeToStream(const InputFile &In, ArrayRef<OutputChunk> Chunks,
                    StringRef Path) {
  int FD = STDOUT_FILENO;
  auto Close = make_scope_exit([&] {
    if (FD != STDOUT_FILENO)
      ::close(FD);
  });
  if (Path != "-") {
    // O_NONBLOCK: a FIFO that no process reads fails (ENXIO) instead of
    // blocking for ever; then the writes block as usual.
    FD = sys::RetryAfterSignal(-1, ::open, Path.str().c_str(),
                               O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (FD < 0) {
      int Errno = errno;
      FD = STDOUT_FILENO;
      if (Errno == ENXIO)
        return createStringError(
            std::error_code(Errno, std::generic_category()),
            "no process has the FIFO open for reading");
      return errorCodeToError(std::error_code(Errno, std::generic_category()));
    }
    int Flags = ::fcntl(FD, F_GETFL);
    if (Flags >= 0)
      (void)::fcntl(FD, F_SETFL, Flags & ~O_NONBLOCK);
    struct stat St;
    if (::fstat(FD, &St) != 0)
      return errnoError("cannot write output", errno);
    // It may have been replaced since it was looked at.
    if (!S_ISCHR(St.st_mode) && !S_ISFIFO(St.st_mode))
      return unwritableDestination(St.st_mode);
  }
  if (Error E = writeOutputChunksToStream(
          FD, In.fd(), In.size(),
          In.isMapped() ? ArrayRef<uint8_t>() : In.data(), Chunks))
    return E;
  return checkInputUnchanged(In);
}

} // namespace

Expected<std::unique_ptr<InputFile>> InputFile::open(StringRef Path,
                                                     InputAccess Access) {
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
    return makeError(errc::unsupported_file_kind, "not a regular file");
  Expected<sys::fs::file_t> FD = sys::fs::openNativeFileForRead(Real);
  if (!FD)
    return FD.takeError();
  F->FD = *FD;
  if (std::error_code EC = sys::fs::status(F->FD, F->Status))
    return errorCodeToError(EC);
  // The path may have been replaced between the two checks.
  if (F->Status.type() != sys::fs::file_type::regular_file)
    return makeError(errc::unsupported_file_kind, "not a regular file");
  uint64_t Size = F->Status.getSize();
  if (Access == InputAccess::Descriptor) {
    F->Buffer = MemoryBuffer::getMemBuffer(StringRef(), Real,
                                           /*RequiresNullTerminator=*/false);
    return F;
  }
  if (Access == InputAccess::Read) {
    // pread(), not a mapping: a file truncated meanwhile is an error here,
    // not a SIGBUS later.
    if (Size > SIZE_MAX / 2)
      return createStringError(std::make_error_code(std::errc::not_enough_memory),
                               "cannot hold the file in memory");
    std::unique_ptr<WritableMemoryBuffer> Copy =
        WritableMemoryBuffer::getNewUninitMemBuffer(Size, Real);
    if (!Copy)
      return createStringError(std::make_error_code(std::errc::not_enough_memory),
                               "cannot hold the file in memory (" +
                                   Twine(Size) + " bytes)");
    char *Out = Copy->getBufferStart();
    for (uint64_t Done = 0; Done < Size;) {
      ssize_t N = sys::RetryAfterSignal(-1, ::pread, F->FD, Out + Done,
                                        Size - Done, off_t(Done));
      if (N < 0)
        return errnoError("cannot read input", errno);
      if (N == 0)
        return makeError(errc::input_changed,
                         "input file shrank while being read");
      Done += N;
    }
    F->Buffer = std::move(Copy);
    return F;
  }
  // A mapping, not a heap copy: parsing touches only the pages it reads.
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf = MemoryBuffer::getOpenFile(
      F->FD, Real, Size, /*RequiresNullTerminator=*/false);
  if (!Buf)
    return errorCodeToError(Buf.getError());
  F->Buffer = std::move(*Buf);
  return F;
}

InputFile::~InputFile() {
  if (FD >= 0)
    sys::fs::closeFile(FD);
}

void InputFile::releasePages(ArrayRef<uint8_t> Range) const {
  if (!isMapped() || Range.empty())
    return;
  // Only whole pages: the ones at the ends may hold bytes still in use.
  uintptr_t Page = sys::Process::getPageSizeEstimate();
  uintptr_t Begin = alignTo(reinterpret_cast<uintptr_t>(Range.begin()), Page);
  uintptr_t End = alignDown(reinterpret_cast<uintptr_t>(Range.end()), Page);
  // The mapping is read-only, so dropping its pages loses nothing: they
  // are read again from the page cache if used.
  if (Begin < End)
    ::madvise(reinterpret_cast<void *>(Begin), End - Begin, MADV_DONTNEED);
}

/// The process's file mode creation mask, read without changing it: umask()
/// can only be read by setting it, which would race with other threads
/// creating files. Linux shows it in /proc/self/status (since 4.7); where
/// that is missing, the common 022.
static unsigned processUmask() {
  auto Status = MemoryBuffer::getFileAsStream("/proc/self/status");
  if (Status) {
    for (StringRef Line : split((*Status)->getBuffer(), '\n')) {
      unsigned Mask;
      if (Line.consume_front("Umask:") && !Line.trim().getAsInteger(8, Mask))
        return Mask & 0777;
    }
  }
  return 022;
}

/// Where a new output file goes: as findDestination(), except that a
/// symbolic link at \p OutPath is replaced itself, never written through
/// (whoever made it may point it anywhere).
Expected<Destination> findNewDestination(StringRef OutPath) {
  struct stat St;
  if (::lstat(OutPath.str().c_str(), &St) == 0 && S_ISLNK(St.st_mode))
    return Destination{Destination::Replace, OutPath.str()};
  return findDestination(OutPath);
}

Error writeOutput(const InputFile &In, ArrayRef<OutputChunk> Chunks,
                  StringRef OutPath, function_ref<Error()> BeforeCommit,
                  bool NewFile) {
  Expected<Destination> Dest =
      NewFile ? findNewDestination(OutPath) : findDestination(OutPath);
  if (!Dest)
    return Dest.takeError();
  if (Dest->K == Destination::Stream) {
    if (Error E = writeToStream(In, Chunks, Dest->Path))
      return E;
    return BeforeCommit ? BeforeCommit() : Error::success();
  }
  StringRef Target = Dest->Path;
  // Replacing the input itself (an edit of a file where it is), the new
  // file must look like the old one: same permission bits and, when we may
  // set it, owner. Any other destination is a new file of whoever runs the
  // tool, as cp makes one: the input's read/write/execute bits less the
  // umask, never its setuid, setgid or sticky bits, nor its owner, so that
  // a file supplied by another user (a wheel from a stranger, mode 4666)
  // gives nothing of its own to the output.
  sys::fs::file_status Existing;
  bool ReplacesInput = !sys::fs::status(Target, Existing) &&
                       Existing.getUniqueID() == In.status().getUniqueID();
  unsigned Mode =
      ReplacesInput
          ? unsigned(In.status().permissions() & sys::fs::all_perms)
          : In.status().permissions() & sys::fs::all_all & ~processUmask();
  Expected<TemporaryFile> Temp = TemporaryFile::create(Target);
  if (!Temp)
    return Temp.takeError();

  if (Error E = writeChunks(In, Chunks, Temp->fd()))
    return E;
  if (ReplacesInput && ::geteuid() == 0)
    (void)::fchown(Temp->fd(), In.status().getUser(), In.status().getGroup());
  if (::fchmod(Temp->fd(), Mode) != 0)
    return errnoError("cannot set permissions", errno);
  if (Error E = checkInputUnchanged(In))
    return E;
  if (BeforeCommit)
    if (Error E = BeforeCommit())
      return E;
  // Something may have taken the destination's place since it was looked
  // at (a FIFO, a device made by mknod): a rename would replace it.
  if (Error E = checkStillReplaceable(Target, NewFile))
    return E;
  return Temp->commit(Target);
}

Error writeOutputFile(const InputFile &In, ArrayRef<OutputChunk> Chunks,
                      StringRef OutPath, function_ref<Error()> BeforeCommit) {
  return writeOutput(In, Chunks, OutPath, BeforeCommit, /*NewFile=*/false);
}

Error writeNewOutputFile(const InputFile &In, ArrayRef<OutputChunk> Chunks,
                         StringRef OutPath,
                         function_ref<Error()> BeforeCommit) {
  return writeOutput(In, Chunks, OutPath, BeforeCommit, /*NewFile=*/true);
}

Error writeOutputFileInPlace(const InputFile &In, ArrayRef<OutputChunk> Chunks,
                             StringRef OutPath) {
  // The links to the file are followed by the rule the rename path
  // follows them by (writeTarget()), not only when the kernel's sysctl
  // says so.
  Expected<std::string> Target = writeTarget(OutPath);
  if (!Target)
    return Target.takeError();
  // Opened first, so that a file that cannot be written fails before any
  // work. O_NONBLOCK: a FIFO put in the file's place must not block.
  int DestFD = sys::RetryAfterSignal(-1, ::open, Target->c_str(),
                                     O_WRONLY | O_CLOEXEC | O_NONBLOCK);
  if (DestFD < 0)
    return errorCodeToError(std::error_code(errno, std::generic_category()));
  auto CloseDest = make_scope_exit([&] { ::close(DestFD); });
  struct stat DestStatus;
  if (::fstat(DestFD, &DestStatus) != 0)
    return errnoError("cannot write output", errno);
  if (!S_ISREG(DestStatus.st_mode))
    return makeError(errc::unsupported_file_kind, "not a regular file");

  // The whole new content goes to a staging file first: every failure
  // until the copy back (a full disk, a bad input range, the input
  // changing) leaves the destination as it was.
  SmallString<256> Real;
  if (std::error_code EC = sys::fs::real_path(OutPath, Real))
    return errorCodeToError(EC);
  StringRef Dir = sys::path::parent_path(Real);
  removeStaleTemporaries(Dir, sys::path::filename(Real));
  Expected<int> Stage = openStagingFile(Dir);
  if (!Stage)
    return Stage.takeError();
  auto CloseStage = make_scope_exit([&] { ::close(*Stage); });
  if (Error E = writeChunks(In, Chunks, *Stage))
    return E;
  if (Error E = checkInputUnchanged(In))
    return E;
  uint64_t NewSize = outputSize(Chunks);
  if (Error E = reserveSpace(DestFD, NewSize, DestStatus.st_size))
    return E;

  // The copy back: from here until the truncation the file is a mix of
  // both versions. This is the step that is not atomic.
  OutputChunk Whole;
  Whole.InputOffset = 0;
  Whole.Size = NewSize;
  Error E = NewSize == 0 ? Error::success()
                         : writeOutputChunks(DestFD, *Stage, NewSize, {},
                                             ArrayRef(Whole));
  if (!E && ::ftruncate(DestFD, static_cast<off_t>(NewSize)) != 0)
    E = errnoError("cannot write output", errno);
  if (E) {
    // The system's code is kept (a full disk stays ENOSPC); the message
    // says what it cost.
    std::string Msg;
    std::error_code EC;
    handleAllErrors(std::move(E), [&](const ErrorInfoBase &Info) {
      Msg = Info.message();
      EC = Info.convertToErrorCode();
    });
    return createStringError(EC, Msg + " (the file was being overwritten in "
                                       "place and is now incomplete)");
  }
  return Error::success();
}

Error editModuleFile(StringRef Path, function_ref<Error(Object &)> Edit,
                     StringRef OutPath, WriteMode Mode) {
  Expected<std::unique_ptr<InputFile>> In =
      InputFile::open(Path, InputAccess::Descriptor);
  if (!In)
    return createFileError(Path, In.takeError());
  // Parsed with pread(), nothing mapped: another process may
  // truncate the file meanwhile, which must be an error, not a SIGBUS.
  Expected<Object> Obj =
      readObject((*In)->fd(), (*In)->status().getSize());
  if (!Obj)
    return createFileError(Path, Obj.takeError());
  if (Error E = Edit(*Obj))
    return createFileError(Path, std::move(E));
  if (!Obj->isModified() && OutPath.empty())
    return Error::success();
  // A failure to write is reported against the file being written, which
  // with --output is not the input.
  StringRef Dest = OutPath.empty() ? Path : OutPath;
  std::vector<OutputChunk> Chunks = layoutObject(*Obj);
  Error E = Mode == WriteMode::InPlace
                ? writeOutputFileInPlace(**In, Chunks, Dest)
                : writeOutputFile(**In, Chunks, Dest);
  if (E)
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
