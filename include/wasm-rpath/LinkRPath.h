//===- wasm-rpath/LinkRPath.h - The run-time path at link time -*- C++ -*-===//
//
// What a link's -rpath flags mean for the module it wrote, for linkers and
// linker wrappers: the rule that wasm-ld 21 follows when it writes
// RUNTIME_PATH, applied to the output of a linker that could not (wasm-ld
// 19 rejects -rpath), and the rpath.0 copy for JavaScript loaders. Keeping
// it here, not in a tool, means that every way of writing a link-time
// run-time path gives the same bytes.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_LINKRPATH_H
#define WASM_RPATH_LINKRPATH_H

#include "wasm-rpath/RPathEdit.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>

namespace wasmrpath {

/// What writeLinkRPath() found in the linker's output.
enum class LinkOutputKind {
  /// A module with dylink.0 (linked with -shared or -pie): it now carries
  /// the run-time path.
  SharedLibrary,
  /// A module without dylink.0 (a plain executable, a relocatable object):
  /// it has no place for a run-time path and was left as the linker wrote
  /// it. wasm-ld 21 ignores -rpath for such outputs too.
  NoDylinkSection,
};

/// Gives the module that a link wrote at \p Path the run-time path of the
/// link's rpath flags, as wasm-ld 21 writes it: \p Entries are the flags'
/// values in command-line order, one entry per flag, neither split at ':'
/// nor de-duplicated. In dylink.0 they become a RUNTIME_PATH subsection
/// after MEM_INFO, NEEDED, EXPORT_INFO and IMPORT_INFO; \p Place selects it,
/// rpath.0 or both.
///
/// The path replaces whatever the module held, so that the result depends
/// only on the flags: when a linker that understands -rpath has already
/// written the same RUNTIME_PATH, that subsection stays byte for byte, and if
/// nothing else changes the file is not rewritten at all. With no entries
/// nothing is written (wasm-ld writes no RUNTIME_PATH without a flag).
/// The file is replaced atomically; on error it is left untouched.
///
/// Returns what the file was. Errors (llvm::FileError, naming \p Path):
/// the file cannot be read or is not a valid module (see readObject()), an
/// entry that checkEntry() refuses, a legacy 'dylink' section when \p Place
/// includes RUNTIME_PATH, or the write failed.
llvm::Expected<LinkOutputKind>
writeLinkRPath(llvm::StringRef Path, llvm::ArrayRef<std::string> Entries,
               RPathPlace Place);

} // namespace wasmrpath

#endif // WASM_RPATH_LINKRPATH_H
