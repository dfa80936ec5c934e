//===- wasm-rpath/OutputChunk.h - A piece of an output file -------*- C++ -*-===//
//
// The currency between the layers that lay an output out (the wasm writer,
// the zip writer) and the one that writes files (FileIO, FileCopy): an
// output is a list of chunks, each either new bytes or a range of the input,
// which the file layer copies with the kernel's copy path. It has its own
// header so that the file and archive layers need not include the wasm
// writer.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_OUTPUTCHUNK_H
#define WASM_RPATH_OUTPUTCHUNK_H

#include <cstdint>
#include <string>

namespace wasmrpath {

/// A piece of the output: either literal bytes or a range of the input.
struct OutputChunk {
  std::string Bytes;       ///< Used when Size is zero.
  uint64_t InputOffset = 0;
  uint64_t Size = 0;       ///< Non-zero: copy Size bytes from InputOffset.

  bool isInputRange() const { return Size != 0; }
  uint64_t size() const { return isInputRange() ? Size : Bytes.size(); }
};

} // namespace wasmrpath

#endif // WASM_RPATH_OUTPUTCHUNK_H
