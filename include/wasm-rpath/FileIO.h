//===- wasm-rpath/FileIO.h - Reading and atomically rewriting files -*- C++ -*-===//
//
// The file layer's public face: opens an input and keeps its descriptor
// (modules are parsed from it with pread(), so that a file truncated
// meanwhile is an error and not a SIGBUS; data() maps it for the readers
// that want bytes), and edits a module file as a whole (editModuleFile()).
// How outputs are written (a temporary renamed over the destination, or an
// in-place copy back; input ranges copied by the kernel) is private to the
// library: lib/IO/OutputFile.h.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_FILEIO_H
#define WASM_RPATH_FILEIO_H

#include "wasm-rpath/Object.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include <memory>

namespace wasmrpath {

/// How InputFile::open() gives access to the file's bytes.
enum class InputAccess {
  /// data() is a copy in memory, read with pread(): another process
  /// truncating the file meanwhile makes open() fail, where a mapping
  /// would raise SIGBUS at the first touch of a lost page. For inputs read
  /// whole anyway (libraries, main modules).
  Read,
  /// data() is empty: the caller reads through fd() with pread() (the
  /// single-module parse, zip::Archive::read(int, uint64_t)), with bounded
  /// memory and a clean error on truncation.
  Descriptor,
  /// data() is a mapping (small files are read). Cheap for a file read
  /// sparsely, but a concurrent truncation is a SIGBUS.
  Map,
};

/// An open input file. Symbolic links are followed: path() is the file that
/// an in-place edit rewrites, so the link itself stays a link.
class InputFile {
public:
  /// Opens \p Path for reading: follows symbolic links, checks that the
  /// target is a regular file and gives access to it as \p Access says.
  /// Errors name the problem, not the file: the system's (no such file,
  /// permission denied, ...), "is a directory", "not a regular file" (a
  /// FIFO, a device), "input file shrank while being read"
  /// (errc::input_changed), no memory for a copy.
  static llvm::Expected<std::unique_ptr<InputFile>>
  open(llvm::StringRef Path, InputAccess Access = InputAccess::Read);
  ~InputFile();

  /// The file's bytes (empty if opened with InputAccess::Descriptor); valid
  /// as long as this InputFile lives.
  llvm::ArrayRef<uint8_t> data() const {
    return llvm::arrayRefFromStringRef(Buffer->getBuffer());
  }
  /// The file's size when it was opened (whatever the access).
  uint64_t size() const { return Status.getSize(); }
  /// The real path (symbolic links resolved).
  llvm::StringRef path() const { return RealPath; }
  const llvm::sys::fs::file_status &status() const { return Status; }
  int fd() const { return FD; }
  /// True if data() is a mapping of the file, false if it is a copy in
  /// memory (small files are read).
  bool isMapped() const {
    return Buffer->getBufferKind() == llvm::MemoryBuffer::MemoryBuffer_MMap;
  }
  /// Lets the pages of the mapping that lie wholly inside \p Range (a part
  /// of data()) go, so that a caller that streams through a large file
  /// once does not keep all of it resident; a later read of the range maps
  /// the pages again from the page cache. Does nothing if the file was read
  /// into memory. Safe to call from several threads.
  void releasePages(llvm::ArrayRef<uint8_t> Range) const;

private:
  InputFile() = default;
  int FD = -1;
  std::string RealPath;
  llvm::sys::fs::file_status Status;
  std::unique_ptr<llvm::MemoryBuffer> Buffer;
};

/// How editModuleFile() writes its result.
enum class WriteMode {
  /// A new file renamed over the destination (atomic): the destination
  /// either keeps its old content or gets all of the new one, and no
  /// temporary file is left behind on failure. When the destination is the
  /// input, the result keeps its permission bits (and its owner, when run
  /// as root); another destination is a new file of whoever runs this, as
  /// cp makes one (the input's rwx bits less the umask). Standard output,
  /// a character device or a FIFO is written into, never replaced.
  Replace,
  /// The destination's inode is overwritten: hard links, owner, mode, ACLs
  /// and extended attributes stay. Nothing is written until the new
  /// content is complete and its space reserved, but the copy back itself
  /// is not atomic.
  InPlace,
};

/// The whole edit of one file: opens and parses \p Path, runs \p Edit on the
/// model, and writes the result atomically, but only if the edit changed
/// something (so a no-op leaves the file and its mtime alone) or if
/// \p OutPath is given (then the output is always written, and the input
/// never). Errors name the file they concern (llvm::FileError): the input
/// for reading and for errors from \p Edit, after which nothing has been
/// written; the destination for writing. \p Mode chooses how the
/// destination is written.
llvm::Error editModuleFile(llvm::StringRef Path,
                           llvm::function_ref<llvm::Error(Object &)> Edit,
                           llvm::StringRef OutPath = "",
                           WriteMode Mode = WriteMode::Replace);

/// True if \p Path names a readable file that starts with a wasm module
/// header (a NEEDED library that a loader could use).
bool isWasmModuleFile(llvm::StringRef Path);

} // namespace wasmrpath

#endif // WASM_RPATH_FILEIO_H
