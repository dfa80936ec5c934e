//===- wasm-rpath/FileIO.h - Reading and atomically rewriting files -*- C++ -*-===//
//
// The file layer: opens an input without copying it to the heap (a mapping,
// of which a read touches only the pages it parses), and writes an output
// laid out by the writer through a temporary file in the destination's
// directory that is renamed over the destination only once complete. Input
// ranges are copied by the kernel (copy_file_range, then sendfile, then plain
// writes from the mapping), so an edit of a 256 MB module never holds 256 MB.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_FILEIO_H
#define WASM_RPATH_FILEIO_H

#include "wasm-rpath/Writer.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include <memory>

namespace wasmrpath {

/// An open input file. Symbolic links are followed: path() is the file that
/// an in-place edit rewrites, so the link itself stays a link.
class InputFile {
public:
  /// Opens \p Path for reading. Errors name the problem, not the file.
  static llvm::Expected<std::unique_ptr<InputFile>> open(llvm::StringRef Path);
  ~InputFile();

  llvm::ArrayRef<uint8_t> data() const {
    return llvm::arrayRefFromStringRef(Buffer->getBuffer());
  }
  llvm::StringRef path() const { return RealPath; }
  const llvm::sys::fs::file_status &status() const { return Status; }
  int fd() const { return FD; }

private:
  InputFile() = default;
  int FD = -1;
  std::string RealPath;
  llvm::sys::fs::file_status Status;
  std::unique_ptr<llvm::MemoryBuffer> Buffer;
};

/// Writes \p Chunks (ranges of \p In and new bytes) to \p OutPath
/// atomically: the destination either keeps its old content or gets all of
/// the new one, and no temporary file is left behind on failure. The output
/// gets the input's permission bits, and its owner when run as root. An
/// existing symlink at \p OutPath is written through.
llvm::Error writeOutputFile(const InputFile &In,
                            llvm::ArrayRef<OutputChunk> Chunks,
                            llvm::StringRef OutPath);

/// The whole edit of one file: opens and parses \p Path, runs \p Edit on the
/// model, and writes the result atomically, but only if the edit changed
/// something (so a no-op leaves the file and its mtime alone) or if
/// \p OutPath is given (then the output is always written, and the input
/// never). Errors name the file they concern (llvm::FileError): the input
/// for reading and for errors from \p Edit, after which nothing has been
/// written; the destination for writing.
llvm::Error editModuleFile(llvm::StringRef Path,
                           llvm::function_ref<llvm::Error(Object &)> Edit,
                           llvm::StringRef OutPath = "");

/// True if \p Path names a readable file that starts with a wasm module
/// header (a NEEDED library that a loader could use).
bool isWasmModuleFile(llvm::StringRef Path);

} // namespace wasmrpath

#endif // WASM_RPATH_FILEIO_H
