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
// Errors. Every edit returns llvm::Error; the messages do not name the file
// (editModuleFile() adds it). An edit that fails leaves the Object as it
// was. The errors are:
//  * "not a shared library: no dylink.0 section", for a module without one
//    (every edit, whatever the RPathPlace);
//  * "the legacy 'dylink' section has no place for a run-time path; ...",
//    code errc::unsupported,
//    for a run-time path edit of a module with the legacy section that
//    would store entries, when the RPathPlace includes Dylink (use
//    RPathPlace::RPathSection); an edit that leaves no entries (setting an
//    empty path, a shrink that keeps nothing) asks for what a legacy module
//    already is, and succeeds;
//  * the messages of checkEntry(), for an entry or NEEDED name that cannot
//    be stored.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_RPATHEDIT_H
#define WASM_RPATH_RPATHEDIT_H

#include "wasm-rpath/Object.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"
#include <optional>

namespace wasmrpath {

// RPathPlace, parseRPathPlace(), splitSearchPath(), joinSearchPath(),
// getRPath() and describeRPathMismatch() read the model, so they are in
// Object.h (the loader uses them without the edit layer).

/// Checks that a string may be stored as a run-time path entry or a NEEDED
/// name: not empty, valid UTF-8, no NUL. \p What names it in the error:
/// "empty <What>", "<What> contains a NUL byte", "<What> is not valid
/// UTF-8".
llvm::Error checkEntry(llvm::StringRef Entry, llvm::StringRef What);

/// Replaces the run-time path in \p Place with \p Entries, in this order
/// (none: remove it). Entries are stored verbatim: split a patchelf-style
/// path with splitSearchPath() first. Errors: see the top of this file.
llvm::Error setRPath(Object &Obj, llvm::ArrayRef<std::string> Entries,
                     RPathPlace Place);

/// Appends the entries of \p Entries that the path does not already hold.
/// The path it starts from is getRPath(Obj, Place); the result is stored in
/// every place of \p Place. Errors: see the top of this file.
llvm::Error addRPath(Object &Obj, llvm::ArrayRef<std::string> Entries,
                     RPathPlace Place);

/// Removes the run-time path (the subsection and/or rpath.0). On a legacy
/// module, which has no RUNTIME_PATH, only rpath.0 is removed, and that is
/// not an error. Errors: no dylink section.
llvm::Error removeRPath(Object &Obj, RPathPlace Place);

/// Answers whether a path names a wasm module; see isWasmModuleFile().
using WasmFileProbe = llvm::function_ref<bool(llvm::StringRef Path)>;

/// Lists the names in a directory, or std::nullopt if it cannot be listed.
using DirectoryLister =
    llvm::function_ref<std::optional<llvm::StringSet<>>(llvm::StringRef Dir)>;

/// The host's directory listing (readdir), for DirectoryLister.
std::optional<llvm::StringSet<>> listDirectory(llvm::StringRef Dir);

/// patchelf's --shrink-rpath: keeps every entry that is not an absolute
/// directory (those using $ORIGIN, or relative), and an absolute directory
/// only if it holds a NEEDED library, as a wasm module, that no earlier entry
/// provides. If \p AllowedPrefixes is not empty, absolute entries must also
/// start with one of them. \p IsWasmModule is asked about host paths
/// (Dir/Name), so absolute entries are checked on this machine. The cost is
/// near-linear: each distinct directory is judged once, and when many names
/// are still to be found it is listed once and only the names it holds are
/// probed (not entries x NEEDED lookups). \p ListDirectory lists them; one
/// that gives std::nullopt makes every remaining name be probed.
/// Errors: see the top of this file.
llvm::Error shrinkRPath(Object &Obj, RPathPlace Place,
                        llvm::ArrayRef<std::string> AllowedPrefixes,
                        WasmFileProbe IsWasmModule,
                        DirectoryLister ListDirectory = listDirectory);

/// Appends NEEDED names that are not already listed. Errors: no dylink
/// section, or a name checkEntry() refuses.
llvm::Error addNeeded(Object &Obj, llvm::ArrayRef<std::string> Names);

/// Removes NEEDED names; names that are not listed are ignored. Errors: no
/// dylink section.
llvm::Error removeNeeded(Object &Obj, llvm::ArrayRef<std::string> Names);

/// Renames NEEDED entries, as patchelf does: every entry named Old becomes
/// New, in place, and no other entry changes (none is dropped or merged,
/// so a list that names a library twice keeps both; renaming to a name
/// already listed lists it twice). \p Renames apply in order (a -> b, then
/// b -> c, makes a c); a rename whose Old is not listed does nothing. The
/// cost is linear in the list and the renames. Errors: no dylink section,
/// or a New that checkEntry() refuses (then nothing is renamed).
llvm::Error
replaceNeeded(Object &Obj,
              llvm::ArrayRef<std::pair<std::string, std::string>> Renames);
/// One rename.
llvm::Error replaceNeeded(Object &Obj, llvm::StringRef Old,
                          llvm::StringRef New);

} // namespace wasmrpath

#endif // WASM_RPATH_RPATHEDIT_H
