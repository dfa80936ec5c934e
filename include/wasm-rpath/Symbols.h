//===- wasm-rpath/Symbols.h - Which symbols a module defines and binds -*- C++ -*-===//
//
// The symbol model of Emscripten's dynamic loader (libdylink.js, as shipped
// in Pyodide 314.0.7), for predicting which definition each module binds to:
//
//  * A module's definitions are its exports (export section, id 7):
//    functions, and globals (the addresses of data symbols). Memories,
//    tables and tags are not symbols the loader binds by name.
//  * The loader skips a fixed set of internal names that every side module
//    exports (`__wasm_call_ctors`, `__wasm_apply_data_relocs`,
//    `__dso_handle`, ..., Emscripten's isInternalSym()); they never clash.
//  * Symbols are process-wide and the first definition wins: the main
//    module's exports first, then each side module's in load order. A later
//    module's data addresses and function pointers (its GOT.mem and GOT.func
//    imports) and its `env` function imports bind to that first definition,
//    whatever file name or RTLD_LOCAL flag the later module was loaded with.
//
// So two modules of one load set that export the same name share one
// definition: the second module's own copy is never used by anyone that
// imports the name (the ELF "one library per process" hazard, without the
// file names to warn about it).
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_SYMBOLS_H
#define WASM_RPATH_SYMBOLS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace wasmrpath {

struct Object;

/// What an exported symbol is, as the loader binds it.
enum class SymbolKind {
  Function, ///< An exported function: bound through GOT.func and env imports.
  Data,     ///< An exported global: a data address, bound through GOT.mem.
};

/// "function" or "data".
llvm::StringRef symbolKindName(SymbolKind Kind);

struct ExportedSymbol {
  std::string Name;
  SymbolKind Kind = SymbolKind::Function;
  /// For a self-contained function (isSelfContainedBody()): the SHA-256 of
  /// its type's encoding and its body's bytes. Two definitions with equal
  /// digests behave the same wherever they are bound. Unset otherwise
  /// (data symbols always: a linked module does not record their extent).
  std::optional<std::array<uint8_t, 32>> Digest;
};

/// How one import is bound by the loader.
enum class ImportKind {
  Function,    ///< (env, name) function import: a direct call.
  DataAddress, ///< GOT.mem: the address of a data symbol.
  FunctionAddress, ///< GOT.func: a function pointer (a table index).
  Global,      ///< (env, name) global import: data, bound at load time.
};

/// "function", "data-address" (GOT.mem), "function-address" (GOT.func),
/// "global" (env global).
llvm::StringRef importKindName(ImportKind Kind);

/// True for data (GOT.mem, env globals).
inline bool isDataImport(ImportKind K) {
  return K == ImportKind::DataAddress || K == ImportKind::Global;
}

/// True for the kinds the loader binds when the module loads (everything
/// but direct calls: GOT.mem, GOT.func, env globals): a missing non-weak
/// one fails the load ("undefined symbol", Emscripten's
/// reportUndefinedSymbols()). A direct call is bound at its first call.
inline bool isBoundAtLoad(ImportKind K) { return K != ImportKind::Function; }

struct ImportedSymbol {
  std::string Name;
  ImportKind Kind = ImportKind::Function;
  /// Weak (dylink.0 IMPORT_INFO): resolves to null when nothing defines it.
  bool Weak = false;
};

/// The symbols of one module that take part in process-wide binding.
struct ModuleSymbols {
  /// Definitions, in export-section order, internal names skipped.
  std::vector<ExportedSymbol> Exports;
  /// Symbols resolved by name at load time: env function imports and
  /// GOT.mem / GOT.func imports, in import-section order, internal names
  /// (memory, __stack_pointer, __memory_base, ...) skipped.
  std::vector<ImportedSymbol> Imports;

  /// The definition of \p Name, or null.
  const ExportedSymbol *findExport(llvm::StringRef Name) const;
};

/// True for the names Emscripten's loader never binds between modules
/// (isInternalSym() in libdylink.js: "memory", "__stack_pointer",
/// "__wasm_call_ctors", "__dso_handle", "__em_js__*", ...).
bool isLoaderInternalSymbol(llvm::StringRef Name);

/// Whether a function body (locals and code, as in the code section) is
/// self-contained: it refers to nothing that may differ between two modules
/// holding the same bytes. It calls nothing (no call, call_indirect,
/// return_call, call_ref), takes no function reference, touches no table,
/// data segment, tag or exception, uses no global but \p StackPointer (the
/// one stack pointer every module imports; std::nullopt: none), and names
/// no type index (block types are value types). Loads and stores are fine:
/// every module shares the one memory. The body is decoded instruction by
/// instruction (the MVP opcodes, sign extension, saturating truncation,
/// memory.copy and memory.fill); anything else, SIMD and atomics included,
/// or bytes that do not decode, count as not self-contained.
bool isSelfContainedBody(llvm::ArrayRef<uint8_t> Body,
                         std::optional<uint32_t> StackPointer);

/// Reads the export and import sections of the module \p Obj, and the weak
/// flags of dylink.0's IMPORT_INFO (read by
/// readObject(); main modules, which have no dylink.0, are accepted). An
/// Object read from a file descriptor does not hold these sections: they
/// are skipped (the result is empty); read such a module's bytes instead.
/// Errors (malformed input, with the offset): a truncated or overlong
/// section, an unknown import or export kind, a name that is not UTF-8.
llvm::Expected<ModuleSymbols> readModuleSymbols(const Object &Obj);

/// The same, from the bytes of a module.
llvm::Expected<ModuleSymbols> readModuleSymbols(llvm::ArrayRef<uint8_t> Data);

/// Whether \p Obj is a main module (emcc -sMAIN_MODULE), which has a
/// dylink.0 section like a side module. Cheap: no symbol is decoded.
///  1. A module that defines a memory is a main module: wasm-ld -shared
///     imports a side module's memory (Binaryen may only drop the import).
///     This decides Pyodide's pyodide.asm.wasm from the section list alone.
///  2. Otherwise (Emscripten 3.1.6 and -pthread main modules import their
///     memory, as side modules do), the mark is Emscripten's stack set-up,
///     which only the main module links in and exports (side modules import
///     it): emscripten_stack_init, stackAlloc/stackSave (Emscripten 3.x) or
///     _emscripten_stack_alloc (4.x, 5.x). The export names are compared in
///     place, without decoding the section into symbols.
/// Checked on emcc 3.1.6's -sMAIN_MODULE=1, =2 and =2 -pthread output and on
/// Pyodide 314's pyodide.asm.wasm, against emcc and clang side modules.
/// Loaders do not search a main module's run-time path: its NEEDED
/// libraries are loaded at start-up, globally, by name. Never fails: a
/// section that cannot be read counts as "not a main module".
bool isMainModule(const Object &Obj);

/// A name defined by two modules of one load set.
struct SymbolClash {
  std::string Symbol;
  /// Kind of the definition that wins (the loser's may differ).
  SymbolKind Kind = SymbolKind::Function;
  /// Index in the load order of the module whose definition everything
  /// binds to; std::nullopt when the main module defines it.
  std::optional<size_t> Winner;
  /// Index in the load order of the module whose definition is shadowed.
  size_t Loser = 0;
};

/// The clashes among \p LoadOrder (side modules in the order the loader
/// loads them) and \p Main (the main module's symbols, e.g. those of
/// pyodide.asm.wasm; optional): for every module and every name it exports
/// that an earlier module or the main module already defined, one clash
/// naming the first definer as the winner. Ordered by loser, then by the
/// loser's export order.
std::vector<SymbolClash>
findSymbolClashes(llvm::ArrayRef<const ModuleSymbols *> LoadOrder,
                  const ModuleSymbols *Main = nullptr);

/// The names the main module's JS glue offers side modules: the keys of its
/// `wasmImports` object (Emscripten's glue, e.g. Pyodide's pyodide.asm.mjs),
/// which holds every JS library function linked in, more than the main
/// module imports (emscripten_get_compiler_setting in Pyodide 314).
/// Emscripten also makes any "invoke_*" on demand (isProvidedByGlue()).
/// Error (errc::malformed): no `wasmImports` object in \p Glue.
llvm::Expected<llvm::StringSet<>> readGlueSymbols(llvm::StringRef Glue);

/// True if \p Name is in \p Glue or is an "invoke_*" wrapper, which the
/// glue creates when asked.
bool isProvidedByGlue(const llvm::StringSet<> &Glue, llvm::StringRef Name);

/// The symbol sources of one load set, in binding order: the main module,
/// its JS glue, then the side modules in load order. Each module also
/// names its NEEDED closure (indices into LoadOrder, nearest first), which
/// direct calls and function addresses prefer (measured, facts §3a).
struct SymbolScope {
  const ModuleSymbols *Main = nullptr; ///< Null: unknown (cannot judge).
  const llvm::StringSet<> *Glue = nullptr;
  llvm::ArrayRef<const ModuleSymbols *> LoadOrder;
  /// Per module of LoadOrder, its NEEDED closure; may be empty.
  llvm::ArrayRef<std::vector<size_t>> Closures;
  /// How many modules at the start of LoadOrder are loaded at start-up
  /// (loadDylibs, with allowUndefined): their load-time imports are bound
  /// only once all of them are loaded, so any of them may provide them.
  size_t StartupCount = 0;
};

/// An import of a load set's module that nothing provides.
struct UndefinedSymbol {
  size_t Module = 0; ///< Index in the load order.
  std::string Name;
  ImportKind Kind = ImportKind::Function;
};

/// The non-weak imports of each module that no source of \p Scope
/// provides. An import bound at load (isBoundAtLoad(): data, GOT.func)
/// must be provided by the main module, its glue (functions only) or a
/// module loaded before the importer (or the importer itself; for a
/// start-up module, any start-up module: Scope.StartupCount); a missing
/// one fails the load (Pyodide: "undefined symbol"). A direct call may be
/// provided by the main module, its glue or any module of the load set:
/// it is bound at its first call, which fails if nothing provides it. Without Scope.Main the result is
/// what the load set alone leaves undefined: not a judgement.
std::vector<UndefinedSymbol> findUndefinedSymbols(const SymbolScope &Scope);

/// Modules that would bind to another module's definition of a name both
/// define. Rules per import kind, measured in Pyodide 314 (facts §3a):
///  * what is bound at load (isBoundAtLoad(): data through GOT.mem or env
///    globals, function addresses through GOT.func): the first definition,
///    the main module's before any side module's, whatever the importer
///    NEEDs (test/wasm-ldd/binding-rules.test: a GOT.func address gives
///    the first-loaded library's function);
///  * direct calls (env function): the main module's definition if it has
///    one, else the importer's own or that of its NEEDED closure (nearest
///    first).
/// A module "expects" its own definition, else its NEEDED closure's; an
/// import with no expected definition binds to whatever is first and is no
/// conflict, and a duplicate nobody imports is none either. Conflicts are
/// grouped per pair (expected definer, actual definer).
struct BindingConflict {
  /// Index in the load order of the module whose definition is bypassed.
  size_t Expected = 0;
  /// Index of the module whose definition is used; std::nullopt for the
  /// main module.
  std::optional<size_t> Winner;
  /// The names, sorted, each once, with the kind of the first import seen.
  std::vector<std::pair<std::string, ImportKind>> Symbols;
  /// Every name is a function whose two definitions (the expected and the
  /// winner) are byte-identical and self-contained (equal
  /// ExportedSymbol::Digest): the binding changes nothing. Such names are
  /// grouped apart from the others of the same pair.
  bool Identical = false;
  /// The modules (load order indices, sorted) that import them.
  std::vector<size_t> Importers;
};

/// The conflicts of \p Scope; names for which \p Allowed is true are
/// skipped (a duplicate the user has judged safe).
std::vector<BindingConflict>
findBindingConflicts(const SymbolScope &Scope,
                     llvm::function_ref<bool(llvm::StringRef)> Allowed = {});

} // namespace wasmrpath

#endif // WASM_RPATH_SYMBOLS_H
