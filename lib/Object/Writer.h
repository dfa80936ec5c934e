//===- Object/Writer.h - Serialize the object model -----------*- C++ -*-===//
//
// The writer never re-encodes what was not edited. It lays the output out as a
// short list of chunks: new bytes for what an edit changed (dylink.0, rpath.0)
// and byte ranges of the input for everything else, which the file layer
// copies with the kernel's copy path. The layout is:
//
//   preamble, dylink.0, rpath.0 (if changed and not empty), every other
//   section in input order (an unchanged rpath.0 among them, where it was)
//   except those a strip marked Removed
//
// Within dylink.0, subsections come out in input order with unchanged ones
// byte-identical, and a changed NEEDED or RUNTIME_PATH is re-encoded where it
// stood, whatever order the input has; one that did not exist is inserted in
// ascending type order (RUNTIME_PATH after IMPORT_INFO, as wasm-ld 21 writes
// it), and one whose list became empty is dropped.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_LIB_OBJECT_WRITER_H
#define WASM_RPATH_LIB_OBJECT_WRITER_H

#include "wasm-rpath/Object.h"
#include "wasm-rpath/OutputChunk.h"
#include "llvm/Support/raw_ostream.h"

namespace wasmrpath {

/// Computes the output of \p Obj. Adjacent input ranges are merged, so an
/// edit of the head costs one write and one copy. The input ranges refer to
/// Obj.Data (its offsets), which the caller must still have when it writes
/// them. An unmodified object gives one range, the whole input. Cannot fail:
/// everything it encodes was validated by the reader or by the edits.
std::vector<OutputChunk> layoutObject(const Object &Obj);

/// Writes the whole output to \p OS (for tests and in-memory users); stream
/// errors are \p OS's to report. The unchanged ranges are Obj.Data's, so an
/// Object read from a file descriptor (readObject(int, uint64_t)), which
/// holds only what it decoded, cannot be written here: that is an error
/// (errc::invalid_argument), with nothing written; use layoutObject() and
/// the file layer (writeOutputFile()) for it.
llvm::Error writeObject(const Object &Obj, llvm::raw_ostream &OS);

/// Encodes a string vector (count, then length-prefixed strings): the body of
/// RUNTIME_PATH and NEEDED, and the payload of rpath.0.
std::string encodeStringVector(llvm::ArrayRef<std::string> Strings);

/// Encodes a whole custom section (id, size, name, payload).
std::string encodeCustomSection(llvm::StringRef Name, llvm::StringRef Payload);

} // namespace wasmrpath

#endif // WASM_RPATH_LIB_OBJECT_WRITER_H
