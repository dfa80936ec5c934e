//===- wasm-rpath/Error.h - Error codes of the wasm-rpath library -*- C++ -*-===//
//
// Every error the library makes carries one of these codes, so that a caller
// can tell a malformed input from a module that is merely not a side module,
// or from a bad argument, without matching message text (the messages are
// for people and may be reworded). System errors keep their errno code.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_ERROR_H
#define WASM_RPATH_ERROR_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include <system_error>

namespace wasmrpath {

enum class errc {
  /// The input is not a well-formed WebAssembly module (or archive): bad
  /// magic, truncation, a malformed LEB128 or section.
  malformed = 1,
  /// A well-formed module that has no dylink.0 section.
  not_shared_library,
  /// An argument (an entry, a name, an option value) that cannot be used.
  invalid_argument,
  /// A request the format cannot express (a run-time path in the legacy
  /// dylink section).
  unsupported,
  /// A file changed while it was being read.
  input_changed,
  /// A library could not be found where the rules say it must be.
  not_found,
  /// The input is larger than a budget of the library allows (a count, a
  /// size once inflated, the memory a step may hold): refused rather than
  /// allowed to take the machine's memory or time.
  limit_exceeded,
  /// A file of a kind the operation cannot use (a directory, a FIFO or a
  /// device where a regular file is needed).
  unsupported_file_kind,
  /// The new file could not replace the destination by a rename (another
  /// file system, a mount point, no permission on the directory); the
  /// destination was left as it was, and writing it in place may work.
  cannot_replace,
};

const std::error_category &wasmRPathCategory();

inline std::error_code make_error_code(errc E) {
  return std::error_code(static_cast<int>(E), wasmRPathCategory());
}

/// Makes an llvm::Error with code \p Code and message \p Msg.
inline llvm::Error makeError(errc Code, const llvm::Twine &Msg) {
  return llvm::createStringError(make_error_code(Code), Msg);
}

/// The one wording, used by every tool, for a module that is not a side
/// module: "not a shared library: no dylink.0 section".
llvm::Error makeNotSharedLibraryError();

} // namespace wasmrpath

namespace std {
template <> struct is_error_code_enum<wasmrpath::errc> : std::true_type {};
} // namespace std

#endif // WASM_RPATH_ERROR_H
