//===- wasm-rpath/CommandLine.h - What every tool does with its command line -*- C++ -*-===//
//
// The parts of a tool's life that all tools share and that must fail the
// same way in each: expanding @FILE arguments (response files), and
// reporting that standard output could not be written. Kept in the library
// so that each rule has one implementation.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_COMMANDLINE_H
#define WASM_RPATH_COMMANDLINE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/StringSaver.h"

namespace wasmrpath {

/// The largest response file read; more is an error rather than a run out
/// of memory (@/dev/zero, @/dev/urandom, an endless pipe).
inline constexpr uint64_t MaxResponseFileSize = 64ull << 20;

/// Replaces each "@FILE" in \p Args by the arguments that FILE holds, split
/// by \p Tokenizer (GNU quoting unless told otherwise), recursively, names
/// relative to the working directory, as LLVM's cl::ExpansionContext does.
/// Like it, an "@FILE" whose FILE does not exist is kept as an argument.
/// Unlike it, a response file is read as bytes that must hold no NUL (a
/// tokenizer that works on C strings would end an argument there and drop
/// the rest silently), so that
///  * a NUL byte is the error "response file 'F' contains a NUL byte";
///  * a file larger than MaxResponseFileSize, or a device or pipe that
///    gives more, is the error "response file 'F' is larger than 64 MiB"
///    (without reading more than that; /dev/zero fails at its first byte);
///  * a file that includes itself, or nesting deeper than 64, is an error;
///  * a file that cannot be read is an error naming it.
/// Expanded strings are kept in \p Saver.
llvm::Error expandResponseFiles(
    llvm::SmallVectorImpl<const char *> &Args, llvm::StringSaver &Saver,
    llvm::cl::TokenizerCallback Tokenizer = llvm::cl::TokenizeGNUCommandLine);

/// Flushes standard output and, if writing it failed (a full disk,
/// /dev/full, a closed pipe with SIGPIPE ignored), prints one error line
/// "TOOL: error: cannot write standard output: REASON" and returns false.
/// Without it, LLVM's stream would end the process with "LLVM ERROR: IO
/// failure on output stream" and an abort when destroyed. Tools call it
/// last, and fail if it returns false.
bool flushStandardOutput(llvm::StringRef ToolName);

} // namespace wasmrpath

#endif // WASM_RPATH_COMMANDLINE_H
