//===- wasm-rpath/Batch.h - Many inputs on worker threads, output in order -*- C++ -*-===//
//
// Batch mode: a tool's inputs are processed by N worker threads, and what
// each input prints is kept in memory and written out in input order, so
// that stdout, stderr and the exit status are the same whatever N is.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_BATCH_H
#define WASM_RPATH_BATCH_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>
#include <string>
#include <vector>

namespace wasmrpath {

/// A stream that keeps what an input prints until it is its turn. It claims
/// the colour capability of the stream it stands for, so that WithColor
/// writes the same escape sequences into it as it would there.
class BufferedOutput : public llvm::raw_string_ostream {
public:
  explicit BufferedOutput(bool Colors) : raw_string_ostream(Text),
                                         Colors(Colors) {
    enable_colors(Colors);
  }
  bool has_colors() const override { return Colors; }
  std::string &text() { return Text; }

private:
  std::string Text;
  bool Colors;
};

/// Processes one input: writes what it prints to \p Out and \p Err and
/// returns false if the input failed.
using ProcessInputFn = llvm::function_ref<bool(
    size_t Index, llvm::raw_ostream &Out, llvm::raw_ostream &Err)>;

/// Runs \p Process for every input of \p Inputs (file paths) on \p Jobs
/// threads (0: one per hardware thread; 1: on the calling thread) and
/// writes what each printed to \p Out and then \p Err, in input order, as
/// soon as it and every input before it are done. Inputs that name the same
/// file (through symbolic or hard links) are processed one after another,
/// in input order, as with one thread, so that the second sees what the
/// first wrote. \p Process must touch nothing shared but its own index's
/// slots. Returns true if every input succeeded.
bool processInputsInOrder(llvm::ArrayRef<std::string> Inputs, unsigned Jobs,
                          ProcessInputFn Process, llvm::raw_ostream &Out,
                          llvm::raw_ostream &Err);

/// Parses the value of a -j/--jobs option: a number of threads, where 0
/// means one per hardware thread.
std::optional<unsigned> parseJobs(llvm::StringRef Value);

} // namespace wasmrpath

#endif // WASM_RPATH_BATCH_H
