//===- wasm-rpath/Reader.h - Parse a module into the object model -*- C++ -*-===//
//
// The reader walks section headers without decoding types or code, so it
// accepts any core module whatever wasm features it uses. It decodes only
// dylink.0 (or legacy dylink) and rpath.0, and rejects anything malformed
// in the parts it reads with a message that says what and where.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_READER_H
#define WASM_RPATH_READER_H

#include "wasm-rpath/Object.h"
#include "llvm/Support/Error.h"

namespace wasmrpath {

/// Parses \p Data, which must stay alive as long as the result. Errors do
/// not name the file; callers wrap them with llvm::createFileError.
///
/// Reads the preamble, every section header (id, size, custom section name)
/// and the payloads of dylink.0 / dylink and rpath.0; nothing else.
/// A module with no dylink section is returned with Object::Dylink unset; it
/// is up to the caller to decide whether that is an error.
///
/// Errors, with the offset where the problem is: not a WebAssembly file (bad
/// magic number), a truncated header, a component instead of a core module,
/// an unsupported version; a section or a dylink.0 subsection running past
/// its end; a LEB128 longer than 5 bytes or above 2^32-1; a name that is not
/// valid UTF-8; a dylink section that is not the first section, or a second
/// one; a second rpath.0; a known dylink.0 subsection that appears twice or
/// whose body has bytes left over or missing.
llvm::Expected<Object> readObject(llvm::ArrayRef<uint8_t> Data);

/// Parses the module in the open file \p FD, of \p Size bytes, reading only
/// what readObject() decodes with pread() (section headers, custom section
/// names, the dylink and rpath.0 payloads), which the result holds. Nothing
/// is mapped, so a file that another process truncates during the parse
/// gives an error ("input file shrank while being read"), never a SIGBUS.
/// The result's Data is empty: layoutObject() works on it, writeObject()
/// does not. Errors are those of readObject(), and read errors.
llvm::Expected<Object> readObject(int FD, uint64_t Size);

/// Decodes a RUNTIME_PATH body (and so an rpath.0 payload): a varuint32
/// count followed by that many UTF-8 strings, filling exactly \p Body.
/// Errors: truncation, a malformed LEB128, invalid UTF-8, bytes left over.
llvm::Expected<std::vector<std::string>>
parseStringVector(llvm::ArrayRef<uint8_t> Body);

/// True if \p Head (the first bytes of a file) starts a wasm core module.
bool hasWasmModuleHeader(llvm::ArrayRef<uint8_t> Head);

} // namespace wasmrpath

#endif // WASM_RPATH_READER_H
