//===- IO/FileCopy.h - Writing chunked output with kernel copies -*- C++ -*-===//
//
// Writes an output laid out by the writer (new bytes and ranges of the input)
// to a file descriptor in constant memory, whatever the size of the input.
// New bytes and short input ranges are gathered into one writev(); long
// input ranges never enter user space. For each long range the fastest path
// that the pair of files supports is taken:
//
//  1. FICLONERANGE, when both offsets are block-aligned: the output shares
//     the input's extents (btrfs, XFS; ext4 refuses at once).
//  2. copy_file_range, on network filesystems, where the server copies.
//  3. splice() through a pipe grown to 1 MiB. On a local filesystem this is
//     the fastest copy that works at any alignment: copy_file_range and
//     sendfile go through an internal pipe of 16 pages, which costs 1.5x
//     when the output offset is not the input offset modulo the page size
//     (measurements in docs/performance.md).
//  4. pread()/write() through a fixed 256 KiB buffer.
//
// A path that refuses a pair of files hands over, at the offset where it
// stopped, to the next; errors of the output (ENOSPC, EFBIG, EIO...) are
// returned at once.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_LIB_IO_FILECOPY_H
#define WASM_RPATH_LIB_IO_FILECOPY_H

#include "wasm-rpath/OutputChunk.h"
#include "llvm/Support/Error.h"

namespace wasmrpath {

/// The ways of copying a range of the input; tests force one of them.
enum class CopyMethod {
  Auto,          ///< The order described above.
  CopyFileRange, ///< copy_file_range only, then the buffer.
  Splice,        ///< splice through a pipe only, then the buffer.
  ReadWrite,     ///< The buffer only.
};

/// Writes \p Chunks to \p OutFD from offset 0, without moving its file
/// offset. Input ranges are read from \p InFD, of \p InSize bytes. Those
/// shorter than 64 KiB are written with the new bytes around them, taken
/// from \p InMemory when the input has been read into memory, else read
/// with pread() (a mapping is not read here: it raises SIGBUS if another
/// process truncates the file).
llvm::Error writeOutputChunks(int OutFD, int InFD, uint64_t InSize,
                              llvm::ArrayRef<uint8_t> InMemory,
                              llvm::ArrayRef<OutputChunk> Chunks,
                              CopyMethod Method = CopyMethod::Auto);

/// Writes \p Chunks to \p OutFD in order with write(), at its current
/// position: for outputs that cannot be written at an offset or replaced
/// (standard output, a pipe, a character device). Input ranges come from
/// \p InMemory if it holds the whole input, else from \p InFD by pread()
/// through a fixed buffer.
llvm::Error writeOutputChunksToStream(int OutFD, int InFD, uint64_t InSize,
                                      llvm::ArrayRef<uint8_t> InMemory,
                                      llvm::ArrayRef<OutputChunk> Chunks);

} // namespace wasmrpath

#endif // WASM_RPATH_LIB_IO_FILECOPY_H
