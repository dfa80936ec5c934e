//===- Symbols.cpp - Which symbols a module defines and binds -------------===//
//
// Decodes the import and export sections, the only parts of a module besides
// dylink.0 that the loader's binding depends on. Like the reader, it decodes
// nothing else and bounds every count by the bytes present.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Symbols.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/Object.h"
#include "wasm-rpath/Reader.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/BinaryFormat/Wasm.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/DataExtractor.h"

using namespace llvm;

namespace wasmrpath {

namespace {

/// A bounds-checked reader over one section's payload; the first error
/// sticks and every later read returns 0.
class SectionReader {
public:
  SectionReader(const Object &Obj, const Section &Sec, StringRef What)
      : DE(Obj.payload(Sec), /*IsLittleEndian=*/true, 4),
        C(0), Base(Sec.PayloadOffset), What(What) {}

  uint64_t uleb(uint64_t Max = UINT32_MAX) {
    uint64_t At = C.tell();
    uint64_t V = DE.getULEB128(C);
    if (ok() && V > Max)
      fail("LEB128 value out of range", At);
    return ok() ? V : 0;
  }
  void sleb() { (void)DE.getSLEB128(C); }
  uint8_t byte() { return DE.getU8(C); }
  /// A name's bytes, unchecked (for comparisons with known ASCII names).
  StringRef rawName() {
    uint64_t At = C.tell();
    uint64_t Len = uleb();
    if (Len > DE.size() - std::min<uint64_t>(C.tell(), DE.size())) {
      fail("name runs past the end of the section", At);
      return {};
    }
    return DE.getBytes(C, Len);
  }
  std::string name() {
    uint64_t At = C.tell();
    uint64_t Len = uleb();
    if (Len > DE.size() - std::min<uint64_t>(C.tell(), DE.size())) {
      fail("name runs past the end of the section", At);
      return {};
    }
    StringRef S = DE.getBytes(C, Len);
    const UTF8 *B = reinterpret_cast<const UTF8 *>(S.begin());
    if (ok() && !isLegalUTF8String(&B, reinterpret_cast<const UTF8 *>(S.end())))
      fail("name is not valid UTF-8", At);
    return S.str();
  }
  /// Limits of a table or memory: flags, min, max if flag bit 0, and a
  /// custom page size (log2) if flag bit 3.
  void limits() {
    uint8_t Flags = byte();
    uint64_t Max = (Flags & 4) ? UINT64_MAX : UINT32_MAX; // memory64
    uleb(Max);
    if (Flags & 1)
      uleb(Max);
    if (Flags & 8)
      uleb();
  }
  /// A value type, with the GC proposal's (ref null? heaptype) forms.
  void valueType() {
    uint8_t T = byte();
    if (T == 0x63 || T == 0x64)
      sleb();
  }
  uint64_t offset() const { return Base + C.tell(); }
  bool atEnd() const { return C.tell() >= DE.size(); }
  bool ok() { return Msg.empty() && C; }
  void fail(const Twine &Why, uint64_t At) {
    if (Msg.empty())
      Msg = (What + ": " + Why + " at offset 0x" + utohexstr(Base + At, true))
                .str();
  }
  Error takeError() {
    Error E = C.takeError();
    if (!Msg.empty()) {
      consumeError(std::move(E));
      return makeError(errc::malformed, Msg);
    }
    if (E) {
      consumeError(std::move(E));
      return makeError(errc::malformed,
                       What + " is truncated (at offset 0x" +
                           utohexstr(Base + DE.size(), true) + ")");
    }
    return Error::success();
  }

private:
  DataExtractor DE;
  DataExtractor::Cursor C;
  uint64_t Base;
  StringRef What;
  std::string Msg; ///< The first error, if any.
};

Error readImports(const Object &Obj, const Section &Sec,
                  ModuleSymbols &Out) {
  SectionReader R(Obj, Sec, "import section");
  uint64_t Count = R.uleb();
  for (uint64_t I = 0; I < Count && R.ok(); ++I) {
    std::string Module = R.name();
    std::string Field = R.name();
    uint64_t At = R.offset();
    uint8_t Kind = R.byte();
    switch (Kind) {
    case wasm::WASM_EXTERNAL_FUNCTION:
      R.uleb();
      if (R.ok() && Module == "env" && !isLoaderInternalSymbol(Field))
        Out.Imports.push_back({Field, ImportKind::Function});
      break;
    case wasm::WASM_EXTERNAL_TABLE:
      R.valueType();
      R.limits();
      break;
    case wasm::WASM_EXTERNAL_MEMORY:
      R.limits();
      break;
    case wasm::WASM_EXTERNAL_GLOBAL:
      R.valueType();
      R.byte();
      if (R.ok() && !isLoaderInternalSymbol(Field)) {
        if (Module == "GOT.mem")
          Out.Imports.push_back({Field, ImportKind::DataAddress});
        else if (Module == "GOT.func")
          Out.Imports.push_back({Field, ImportKind::FunctionAddress});
      }
      break;
    case wasm::WASM_EXTERNAL_TAG:
      R.byte();
      R.uleb();
      break;
    default:
      if (R.ok())
        R.fail("unknown import kind " + Twine(unsigned(Kind)), At - Sec.PayloadOffset);
    }
  }
  return R.takeError();
}

Error readExports(const Object &Obj, const Section &Sec,
                  ModuleSymbols &Out) {
  SectionReader R(Obj, Sec, "export section");
  uint64_t Count = R.uleb();
  for (uint64_t I = 0; I < Count && R.ok(); ++I) {
    std::string Name = R.name();
    uint64_t At = R.offset();
    uint8_t Kind = R.byte();
    R.uleb();
    if (!R.ok())
      break;
    if (Kind > wasm::WASM_EXTERNAL_TAG) {
      R.fail("unknown export kind " + Twine(unsigned(Kind)), At - Sec.PayloadOffset);
      break;
    }
    if (isLoaderInternalSymbol(Name))
      continue;
    if (Kind == wasm::WASM_EXTERNAL_FUNCTION)
      Out.Exports.push_back({std::move(Name), SymbolKind::Function});
    else if (Kind == wasm::WASM_EXTERNAL_GLOBAL)
      Out.Exports.push_back({std::move(Name), SymbolKind::Data});
  }
  return R.takeError();
}

} // namespace

StringRef symbolKindName(SymbolKind Kind) {
  return Kind == SymbolKind::Function ? "function" : "data";
}

const ExportedSymbol *ModuleSymbols::findExport(StringRef Name) const {
  for (const ExportedSymbol &E : Exports)
    if (E.Name == Name)
      return &E;
  return nullptr;
}

bool isLoaderInternalSymbol(StringRef Name) {
  // Emscripten 5.0.3's isInternalSym(), as in Pyodide 314.0.7's
  // pyodide.asm.mjs: the loader neither records these in the GOT nor binds
  // them between modules.
  static const StringRef Internal[] = {
      "memory",          "__memory_base",     "__table_base",
      "__stack_pointer", "__indirect_function_table",
      "__cpp_exception", "__c_longjmp",       "__wasm_apply_data_relocs",
      "__dso_handle",    "__tls_size",        "__tls_align",
      "__set_stack_limits", "_emscripten_tls_init", "__wasm_init_tls",
      "__wasm_call_ctors", "__start_em_asm",  "__stop_em_asm",
      "__start_em_js",   "__stop_em_js"};
  return is_contained(Internal, Name) || Name.starts_with("__em_js__");
}

bool isMainModule(const Object &Obj) {
  // wasm-ld -shared imports a side module's memory (and Binaryen may only
  // remove that import), so a module that defines a memory is a main module:
  // decided from the section list, with no symbol decoded (Pyodide's
  // pyodide.asm.wasm, like every Emscripten 3.1.2x+ main module).
  for (const Section &Sec : Obj.Sections) {
    if (Sec.Id != wasm::WASM_SEC_MEMORY)
      continue;
    SectionReader R(Obj, Sec, "memory section");
    uint64_t Count = R.uleb();
    if (R.ok() && Count > 0)
      return true;
  }
  // Main modules that import their memory (Emscripten 3.1.6, -pthread) are
  // told by Emscripten's stack set-up, which only the main module links in
  // and exports (side modules import it): emscripten_stack_init,
  // stackAlloc/stackSave (3.x) or _emscripten_stack_alloc (4.x, 5.x). The
  // names are compared in place, none is copied or decoded further; an
  // export section that cannot be read gives "not main" (no warning).
  static const StringRef StackSetup[] = {
      "emscripten_stack_init", "stackAlloc", "stackSave",
      "_emscripten_stack_alloc"};
  for (const Section &Sec : Obj.Sections) {
    if (Sec.Id != wasm::WASM_SEC_EXPORT)
      continue;
    SectionReader R(Obj, Sec, "export section");
    uint64_t Count = R.uleb();
    for (uint64_t I = 0; I < Count && R.ok(); ++I) {
      StringRef Name = R.rawName();
      R.byte();
      R.uleb();
      if (R.ok() && is_contained(StackSetup, Name))
        return true;
    }
    consumeError(R.takeError());
  }
  return false;
}

Expected<ModuleSymbols> readModuleSymbols(const Object &Obj) {
  ModuleSymbols Out;
  for (const Section &Sec : Obj.Sections) {
    if (Sec.Id == wasm::WASM_SEC_IMPORT) {
      if (Error E = readImports(Obj, Sec, Out))
        return E;
    } else if (Sec.Id == wasm::WASM_SEC_EXPORT) {
      if (Error E = readExports(Obj, Sec, Out))
        return E;
    }
  }
  return Out;
}

Expected<ModuleSymbols> readModuleSymbols(ArrayRef<uint8_t> Data) {
  Expected<Object> Obj = readObject(Data);
  if (!Obj)
    return Obj.takeError();
  return readModuleSymbols(*Obj);
}

std::vector<SymbolClash>
findSymbolClashes(ArrayRef<const ModuleSymbols *> LoadOrder,
                  const ModuleSymbols *Main) {
  // Name -> first definer (SIZE_MAX: the main module) and its kind.
  constexpr size_t MainIndex = SIZE_MAX;
  StringMap<std::pair<size_t, SymbolKind>> Defined;
  if (Main)
    for (const ExportedSymbol &E : Main->Exports)
      Defined.try_emplace(E.Name, MainIndex, E.Kind);
  std::vector<SymbolClash> Clashes;
  for (size_t I = 0; I < LoadOrder.size(); ++I) {
    // A module that exports a name twice (not possible in valid wasm) is
    // reported once.
    StringMap<bool> Own;
    for (const ExportedSymbol &E : LoadOrder[I]->Exports) {
      if (!Own.try_emplace(E.Name, true).second)
        continue;
      auto [It, Inserted] = Defined.try_emplace(E.Name, I, E.Kind);
      if (Inserted)
        continue;
      SymbolClash C;
      C.Symbol = E.Name;
      C.Kind = It->second.second;
      if (It->second.first != MainIndex)
        C.Winner = It->second.first;
      C.Loser = I;
      Clashes.push_back(std::move(C));
    }
  }
  return Clashes;
}

} // namespace wasmrpath
