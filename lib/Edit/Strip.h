//===- Edit/Strip.h - Stripping that keeps a module loadable -*- C++ -*-===//
//
// llvm-strip's --strip-debug and --strip-all for side modules, without the
// damage the other strippers do (emstrip deletes dylink.0, Emscripten issue
// 26563; wabt's wasm-strip removes every custom section): dylink.0 (which
// stays the first section, with RUNTIME_PATH in it), the legacy dylink
// section and rpath.0 are always kept, whatever is asked. Only custom
// sections are ever removed; every byte that is kept is written unchanged
// (the writer leaves the removed sections' ranges out).
//
//   Debug: .debug_* (DWARF), external_debug_info, sourceMappingURL
//   All:   Debug's, and name, producers, linking and reloc.* (llvm-strip
//          --strip-all's name, producers and linker sections)
//
// A section named in Keep (exact name, as --keep-section) is kept.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_LIB_EDIT_STRIP_H
#define WASM_RPATH_LIB_EDIT_STRIP_H

#include "wasm-rpath/EditPlan.h"
#include "wasm-rpath/Object.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <string>

namespace wasmrpath {

/// Whether a strip at \p Level removes the custom section \p Name, unless
/// it is kept (\p Keep, or one of the sections that are always kept).
bool isStrippedSection(llvm::StringRef Name, StripLevel Level,
                       llvm::ArrayRef<std::string> Keep = {});

/// Marks the custom sections of \p Obj that a strip at \p Level removes
/// (Section::Removed) and returns how many bytes they hold (also added to
/// Object::RemovedBytes). Cannot fail; applying it twice removes nothing
/// more.
uint64_t stripSections(Object &Obj, StripLevel Level,
                       llvm::ArrayRef<std::string> Keep = {});

} // namespace wasmrpath

#endif // WASM_RPATH_LIB_EDIT_STRIP_H
