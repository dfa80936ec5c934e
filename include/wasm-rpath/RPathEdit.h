//===- wasm-rpath/RPathEdit.h - Edits of run-time path and NEEDED -*- C++ -*-===//
//
// The operations of wasm-set-rpath, on the object model. Edits change the
// decoded lists only; the model compares them with the lists as read, so
// edits that change nothing, or cancel out, leave the object unmodified (and
// a run writes no file). Every edit is idempotent: applying it twice gives
// the same module as applying it once.
//
// The run-time path lives in two places: RUNTIME_PATH in dylink.0, which the
// released loaders read, and the rpath.0 custom section, for JavaScript
// loaders. RPathPlace selects which of them an edit reads and writes; with
// Both, the base of a relative edit (add, shrink) is the effective path
// (RUNTIME_PATH, else rpath.0) and both places receive the same result, so
// they end up in sync.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_RPATHEDIT_H
#define WASM_RPATH_RPATHEDIT_H

#include "wasm-rpath/Object.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include <optional>

namespace wasmrpath {

enum class RPathPlace { Dylink, RPathSection, Both };

/// Parses "dylink", "rpath.0" or "both".
std::optional<RPathPlace> parseRPathPlace(llvm::StringRef Name);

/// Splits a patchelf-style search path at ':' into entries, dropping empty
/// pieces. Use a verbatim entry list for entries that contain ':'.
std::vector<std::string> splitSearchPath(llvm::StringRef Path);

/// Joins entries with ':' (what --print-rpath shows, as patchelf does).
std::string joinSearchPath(llvm::ArrayRef<std::string> Entries);

/// The run-time path as read through \p Place: for Both, RUNTIME_PATH if the
/// module has one, else rpath.0. Empty if neither is present.
std::vector<std::string> getRPath(const Object &Obj, RPathPlace Place);

/// If RUNTIME_PATH and rpath.0 disagree in a way that matters to a loader,
/// describes how; std::nullopt when they agree or rpath.0 is absent.
std::optional<std::string> describeRPathMismatch(const Object &Obj);
std::optional<std::string> describeRPathMismatch(
    const std::optional<std::vector<std::string>> &RuntimePath,
    const std::optional<std::vector<std::string>> &RPathSection);

/// Checks that a string may be stored as a run-time path entry or a NEEDED
/// name: not empty, valid UTF-8, no NUL. \p What names it in the error.
llvm::Error checkEntry(llvm::StringRef Entry, llvm::StringRef What);

/// Replaces the run-time path with \p Entries (none: remove it).
llvm::Error setRPath(Object &Obj, llvm::ArrayRef<std::string> Entries,
                     RPathPlace Place);

/// Appends the entries of \p Entries that the path does not already hold.
llvm::Error addRPath(Object &Obj, llvm::ArrayRef<std::string> Entries,
                     RPathPlace Place);

/// Removes the run-time path (the subsection and/or rpath.0).
llvm::Error removeRPath(Object &Obj, RPathPlace Place);

/// Answers whether a path names a wasm module; see isWasmModuleFile().
using WasmFileProbe = llvm::function_ref<bool(llvm::StringRef Path)>;

/// patchelf's --shrink-rpath: keeps every entry that is not an absolute
/// directory (those using $ORIGIN, or relative), and an absolute directory
/// only if it holds a NEEDED library, as a wasm module, that no earlier entry
/// provides. If \p AllowedPrefixes is not empty, absolute entries must also
/// start with one of them.
llvm::Error shrinkRPath(Object &Obj, RPathPlace Place,
                        llvm::ArrayRef<std::string> AllowedPrefixes,
                        WasmFileProbe IsWasmModule);

/// Appends NEEDED names that are not already listed.
llvm::Error addNeeded(Object &Obj, llvm::ArrayRef<std::string> Names);

/// Removes NEEDED names; names that are not listed are ignored.
llvm::Error removeNeeded(Object &Obj, llvm::ArrayRef<std::string> Names);

/// Renames a NEEDED entry; does nothing if \p Old is not listed. If \p New is
/// already listed, \p Old is dropped rather than listed twice.
llvm::Error replaceNeeded(Object &Obj, llvm::StringRef Old,
                          llvm::StringRef New);

} // namespace wasmrpath

#endif // WASM_RPATH_RPATHEDIT_H
