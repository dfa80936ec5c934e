//===- IO/OutputFile.h - Atomic and in-place output of chunks -----*- C++ -*-===//
//
// Private to the library. Writes an output laid out as chunks (new bytes and
// ranges of an input, OutputChunk.h) to a file: through a temporary file in
// the destination's directory that is renamed over the destination only once
// complete, or into the destination's own inode. Input ranges are copied by
// the kernel (a clone, splice or copy_file_range; FileCopy.h), so an edit of
// a 256 MB module never holds 256 MB. Callers outside the library use
// editModuleFile() (wasm-rpath/FileIO.h) or repairWheel().
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_LIB_IO_OUTPUTFILE_H
#define WASM_RPATH_LIB_IO_OUTPUTFILE_H

#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/OutputChunk.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace wasmrpath {

/// Writes \p Chunks (ranges of \p In and new bytes) to \p OutPath
/// atomically: the destination either keeps its old content or gets all of
/// the new one, and no temporary file is left behind on failure. When the
/// destination is the input itself, the output gets the input's permission
/// bits, and its owner when run as root; any other destination is a new
/// file of whoever runs this, with the input's read/write/execute bits less
/// the umask (no setuid, setgid or sticky bit), as cp makes one. An
/// existing symlink at \p OutPath is written through, and a dangling one
/// gets its target created. The path gets a new inode, so other hard links
/// to the old file keep the old content.
///
/// The temporary file, ".NAME.wasm-rpath-XXXXXX.tmp" next to the
/// destination (NAME shortened if the whole would exceed NAME_MAX), is
/// flock()ed for as long as it exists; before creating it, stale
/// temporaries for the same destination whose lock can be taken (their
/// writer was killed) are removed (in a tool, the directory is read for them
/// once per process, so a temporary that appears later is left to the next
/// process; see ToolProcess.h). If \p In changed (size or modification
/// time) while it was being copied, nothing is written. \p BeforeCommit, if given, runs
/// once the temporary file is complete and before it replaces the
/// destination; an error from it discards the temporary and is returned (a
/// check that runs alongside the write, such as a wheel's RECORD
/// verification, decides there whether the output stands). If the final
/// rename fails (EPERM in a sticky directory, EBUSY on a bind-mounted file),
/// that is the error: the destination is never overwritten in place
/// instead, and the temporary file is removed.
///
/// Destinations that must not be replaced are written into instead, in
/// order and without seeking: "-" and "/dev/stdout" (standard output), a
/// character device (/dev/null) or a FIFO (which must have a reader); then
/// \p BeforeCommit runs after the write, and its error is returned.
/// Directories, block devices and sockets are refused.
llvm::Error writeOutputFile(const InputFile &In,
                            llvm::ArrayRef<OutputChunk> Chunks,
                            llvm::StringRef OutPath,
                            llvm::function_ref<llvm::Error()> BeforeCommit = {});

/// As writeOutputFile(), for an output that is a new file derived from
/// \p In (a repaired wheel in an output directory), not \p In edited: a
/// symbolic link at \p OutPath is replaced, never written through (whoever
/// made it may point it anywhere; a dangling one would have its target
/// created). Owner and mode are writeOutputFile()'s for a new file.
llvm::Error writeNewOutputFile(const InputFile &In,
                               llvm::ArrayRef<OutputChunk> Chunks,
                               llvm::StringRef OutPath,
                               llvm::function_ref<llvm::Error()> BeforeCommit = {});

/// Writes \p Chunks into the existing file \p OutPath, keeping its inode:
/// hard links, owner, mode, ACLs and extended attributes stay as they are.
/// The new content is first written to an unnamed staging file, its space
/// is reserved in the destination, and only then copied over the old
/// content, so every failure before the copy back (full disk, RLIMIT_FSIZE,
/// a destination that cannot be opened for writing, \p In changing) leaves
/// the destination untouched. The copy back itself is NOT atomic: a crash,
/// SIGKILL or I/O error during it leaves a mix of old and new, and readers
/// running at the same time may see one. Use writeOutputFile() unless the
/// inode must be kept.
llvm::Error writeOutputFileInPlace(const InputFile &In,
                                   llvm::ArrayRef<OutputChunk> Chunks,
                                   llvm::StringRef OutPath);

} // namespace wasmrpath

#endif // WASM_RPATH_LIB_IO_OUTPUTFILE_H
