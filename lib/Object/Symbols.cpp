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
#include "llvm/Support/LEB128.h"
#include "llvm/Support/SHA256.h"
#include <map>
#include <tuple>

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

/// The most imports, and the most exports, a module may have: far above
/// real modules (pyodide.asm.wasm: 548 imports, 8,560 exports; PGlite's
/// pgcrypto.so: 8,842 exports) and low enough that the symbols decoded
/// from one module stay in tens of megabytes (a 60 MB module of 20 million
/// empty exports took 1.4 GB).
constexpr uint64_t MaxSymbols = uint64_t(1) << 20;

Error tooManySymbols(StringRef What, uint64_t Count) {
  return makeError(errc::limit_exceeded,
                   What + " lists " + Twine(Count) + " entries, above the "
                   "limit of " + Twine(MaxSymbols));
}

/// Where the imports put the module's own functions and globals in their
/// index spaces: the imported ones come first.
struct ImportIndexSpace {
  uint64_t Functions = 0;
  uint64_t Globals = 0;
  /// The global index of env.__stack_pointer, if imported.
  std::optional<uint32_t> StackPointer;
};

/// Decodes one import section: the symbols the loader binds into
/// Out.Imports, and the index-space counts into \p Space.
Error readImports(const Object &Obj, const Section &Sec, ModuleSymbols &Out,
                  ImportIndexSpace &Space) {
  SectionReader R(Obj, Sec, "import section");
  uint64_t Count = R.uleb();
  if (R.ok() && Count > MaxSymbols)
    return tooManySymbols("import section", Count);
  for (uint64_t I = 0; I < Count && R.ok(); ++I) {
    std::string Module = R.name();
    std::string Field = R.name();
    uint64_t At = R.offset();
    uint8_t Kind = R.byte();
    switch (Kind) {
    case wasm::WASM_EXTERNAL_FUNCTION:
      R.uleb();
      ++Space.Functions;
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
      if (Module == "env" && Field == "__stack_pointer")
        Space.StackPointer = Space.Globals;
      ++Space.Globals;
      if (R.ok() && !isLoaderInternalSymbol(Field)) {
        if (Module == "env")
          Out.Imports.push_back({Field, ImportKind::Global});
        else if (Module == "GOT.mem")
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

Error readExports(const Object &Obj, const Section &Sec, ModuleSymbols &Out,
                  std::vector<std::pair<size_t, uint64_t>> &FuncExports) {
  SectionReader R(Obj, Sec, "export section");
  uint64_t Count = R.uleb();
  if (R.ok() && Count > MaxSymbols)
    return tooManySymbols("export section", Count);
  for (uint64_t I = 0; I < Count && R.ok(); ++I) {
    std::string Name = R.name();
    uint64_t At = R.offset();
    uint8_t Kind = R.byte();
    uint64_t Index = R.uleb();
    if (!R.ok())
      break;
    if (Kind > wasm::WASM_EXTERNAL_TAG) {
      R.fail("unknown export kind " + Twine(unsigned(Kind)), At - Sec.PayloadOffset);
      break;
    }
    if (isLoaderInternalSymbol(Name))
      continue;
    if (Kind == wasm::WASM_EXTERNAL_FUNCTION) {
      FuncExports.emplace_back(Out.Exports.size(), Index);
      Out.Exports.push_back({std::move(Name), SymbolKind::Function});
    }
    else if (Kind == wasm::WASM_EXTERNAL_GLOBAL)
      Out.Exports.push_back({std::move(Name), SymbolKind::Data, {}});
  }
  return R.takeError();
}

/// Sets ExportedSymbol::Digest for the exported functions \p FuncExports
/// ((index in Out.Exports, function index)) whose bodies are self-contained.
/// A section that does not decode leaves the digests unset: a digest only
/// ever lowers a report to a note, so "unknown" is the safe answer.
void computeDigests(const Object &Obj, ModuleSymbols &Out,
                    const ImportIndexSpace &Space,
                    ArrayRef<std::pair<size_t, uint64_t>> FuncExports) {
  if (FuncExports.empty())
    return;
  std::vector<ArrayRef<uint8_t>> Types, Bodies;
  std::vector<uint64_t> TypeOf;
  bool Ok = true;
  for (const Section &Sec : Obj.Sections) {
    if (Sec.Id == wasm::WASM_SEC_TYPE) {
      SectionReader R(Obj, Sec, "type section");
      uint64_t Count = R.uleb();
      for (uint64_t I = 0; I < Count && R.ok(); ++I) {
        uint64_t Begin = R.offset();
        if (R.byte() != 0x60) { // A GC proposal's rec or sub type.
          Ok = false;
          break;
        }
        for (int Half = 0; Half < 2; ++Half)
          for (uint64_t N = R.uleb(), J = 0; J < N && R.ok(); ++J)
            R.valueType();
        Types.push_back(Obj.Data.slice(Begin, R.offset() - Begin));
      }
      Ok &= R.ok();
      consumeError(R.takeError());
    } else if (Sec.Id == wasm::WASM_SEC_FUNCTION) {
      SectionReader R(Obj, Sec, "function section");
      uint64_t Count = R.uleb();
      for (uint64_t I = 0; I < Count && R.ok(); ++I)
        TypeOf.push_back(R.uleb());
      Ok &= R.ok();
      consumeError(R.takeError());
    } else if (Sec.Id == wasm::WASM_SEC_CODE) {
      ArrayRef<uint8_t> P = Obj.payload(Sec);
      const uint8_t *Cur = P.begin(), *End = P.end();
      const char *Err = nullptr;
      unsigned N = 0;
      uint64_t Count = decodeULEB128(Cur, &N, End, &Err);
      Cur += N;
      for (uint64_t I = 0; I < Count && !Err; ++I) {
        uint64_t Size = decodeULEB128(Cur, &N, End, &Err);
        if (Err || Size > uint64_t(End - Cur - N)) {
          Ok = false;
          break;
        }
        Cur += N;
        Bodies.push_back(ArrayRef<uint8_t>(Cur, Size));
        Cur += Size;
      }
      Ok &= !Err;
    }
  }
  if (!Ok)
    return;
  for (const auto &[Export, Index] : FuncExports) {
    if (Index < Space.Functions)
      continue; // A re-exported import: defined elsewhere.
    uint64_t D = Index - Space.Functions;
    if (D >= Bodies.size() || D >= TypeOf.size() || TypeOf[D] >= Types.size() ||
        !isSelfContainedBody(Bodies[D], Space.StackPointer))
      continue;
    SHA256 H;
    H.update(Types[TypeOf[D]]);
    H.update(Bodies[D]);
    Out.Exports[Export].Digest = H.final();
  }
}

} // namespace

StringRef importKindName(ImportKind Kind) {
  switch (Kind) {
  case ImportKind::Function:
    return "function";
  case ImportKind::DataAddress:
    return "data-address";
  case ImportKind::FunctionAddress:
    return "function-address";
  case ImportKind::Global:
    return "global";
  }
  llvm_unreachable("unknown ImportKind");
}

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

/// Marks the imports that dylink.0's IMPORT_INFO (subsection 4: count,
/// then module, field, flags) declares weak. A malformed subsection is left
/// alone: the reader accepts unknown bodies, and weakness only ever makes
/// an import less of a problem.
void markWeakImports(const Object &Obj, ModuleSymbols &Out) {
  if (!Obj.Dylink)
    return;
  constexpr uint8_t ImportInfo = 4;
  constexpr uint64_t BindingWeak = 1;
  StringSet<> Weak;
  for (const DylinkSubsection &Sub : Obj.Dylink->Subsections) {
    if (Sub.Type != ImportInfo)
      continue;
    DataExtractor DE(Sub.Body, /*IsLittleEndian=*/true, 4);
    DataExtractor::Cursor C(0);
    uint64_t Count = DE.getULEB128(C);
    for (uint64_t I = 0; I < Count && C; ++I) {
      StringRef Module = DE.getBytes(C, DE.getULEB128(C));
      StringRef Field = DE.getBytes(C, DE.getULEB128(C));
      uint64_t Flags = DE.getULEB128(C);
      (void)Module;
      if (C && (Flags & BindingWeak))
        Weak.insert(Field);
    }
    consumeError(C.takeError());
  }
  if (Weak.empty())
    return;
  for (ImportedSymbol &I : Out.Imports)
    I.Weak = Weak.contains(I.Name);
}

Expected<ModuleSymbols> readModuleSymbols(const Object &Obj) {
  ModuleSymbols Out;
  std::vector<std::pair<size_t, uint64_t>> FuncExports;
  ImportIndexSpace Space;
  for (const Section &Sec : Obj.Sections) {
    if (Sec.Id == wasm::WASM_SEC_IMPORT) {
      if (Error E = readImports(Obj, Sec, Out, Space))
        return E;
    } else if (Sec.Id == wasm::WASM_SEC_EXPORT) {
      if (Error E = readExports(Obj, Sec, Out, FuncExports))
        return E;
    }
  }
  markWeakImports(Obj, Out);
  computeDigests(Obj, Out, Space, FuncExports);
  return Out;
}

bool isSelfContainedBody(ArrayRef<uint8_t> Body,
                         std::optional<uint32_t> StackPointer) {
  const uint8_t *Cur = Body.begin(), *End = Body.end();
  const char *Err = nullptr;
  auto U = [&]() {
    unsigned N = 0;
    uint64_t V = decodeULEB128(Cur, &N, End, &Err);
    Cur += N;
    return V;
  };
  auto S = [&]() {
    unsigned N = 0;
    int64_t V = decodeSLEB128(Cur, &N, End, &Err);
    Cur += N;
    return V;
  };
  auto Skip = [&](size_t N) {
    if (size_t(End - Cur) < N)
      Err = "truncated";
    else
      Cur += N;
  };
  auto IsValType = [](uint8_t T) {
    return (T >= 0x7B && T <= 0x7F) || T == 0x70 || T == 0x6F;
  };
  // Locals: count, then (n, type) pairs of plain value types.
  for (uint64_t Groups = U(), I = 0; I < Groups && !Err; ++I) {
    U();
    if (Cur == End || !IsValType(*Cur))
      return false;
    ++Cur;
  }
  while (!Err && Cur < End) {
    uint8_t Op = *Cur++;
    if ((Op >= 0x45 && Op <= 0xC4) || Op <= 0x01 || Op == 0x05 ||
        Op == 0x0B || Op == 0x0F || Op == 0x1A || Op == 0x1B || Op == 0xD1)
      continue; // Numeric, unreachable, nop, else, end, return, drop, select.
    switch (Op) {
    case 0x02: case 0x03: case 0x04: { // block, loop, if
      if (Cur == End)
        return false;
      uint8_t T = *Cur;
      if (T != 0x40 && !IsValType(T))
        return false; // A type index, which differs between modules.
      ++Cur;
      break;
    }
    case 0x0C: case 0x0D: // br, br_if
      U();
      break;
    case 0x0E: // br_table
      for (uint64_t N = U(), I = 0; I <= N && !Err; ++I)
        U();
      break;
    case 0x1C: // select t*
      for (uint64_t N = U(), I = 0; I < N && !Err; ++I) {
        if (Cur == End || !IsValType(*Cur))
          return false;
        ++Cur;
      }
      break;
    case 0x20: case 0x21: case 0x22: // local.get/set/tee
      U();
      break;
    case 0x23: case 0x24: // global.get/set: only the shared stack pointer
      if (!StackPointer || U() != *StackPointer)
        return false;
      break;
    case 0x3F: case 0x40: // memory.size, memory.grow
      if (U() != 0)
        return false;
      break;
    case 0x41: case 0x42:
      S();
      break;
    case 0x43:
      Skip(4);
      break;
    case 0x44:
      Skip(8);
      break;
    case 0xD0: // ref.null ht
      Skip(1);
      break;
    case 0xFC: {
      uint64_t Sub = U();
      if (Sub <= 7)
        break; // Saturating truncation.
      if (Sub == 10) { // memory.copy 0 0
        if (U() != 0 || U() != 0)
          return false;
        break;
      }
      if (Sub == 11) { // memory.fill 0
        if (U() != 0)
          return false;
        break;
      }
      return false;
    }
    default:
      if (Op >= 0x28 && Op <= 0x3E) { // Loads and stores: a memarg.
        uint64_t Align = U();
        if (Align & 0x40)
          return false; // Multi-memory.
        U();
        break;
      }
      return false; // Calls, tables, references, exceptions, SIMD...
    }
  }
  return !Err && Cur == End && End != Body.begin() && End[-1] == 0x0B;
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

Expected<StringSet<>> readGlueSymbols(StringRef Glue) {
  // "var wasmImports={a:_a,b,c:wasmMemory,...}": the keys at depth one,
  // written as identifiers (or strings) before ':' or alone.
  // Minified glue (emcc -O2 and up, wasm-vips) renames wasmImports: its
  // name is then found where the imports are handed to the main module,
  // "{env:L,wasi_snapshot_preview1:L,", and the object is "L={" at a
  // position where no longer identifier ends.
  auto IsIdent = [](char X) { return isAlnum(X) || X == '_' || X == '$'; };
  std::string Start = "wasmImports={";
  size_t At = Glue.find(Start);
  if (At == StringRef::npos) {
    constexpr StringLiteral Env = "{env:";
    for (size_t E = Glue.find(Env); E != StringRef::npos && At == StringRef::npos;
         E = Glue.find(Env, E + 1)) {
      StringRef After = Glue.drop_front(E + Env.size());
      StringRef Name = After.take_while(IsIdent);
      if (Name.empty() ||
          !After.drop_front(Name.size())
               .starts_with((",wasi_snapshot_preview1:" + Name).str()))
        continue;
      Start = (Name + "={").str();
      for (size_t D = Glue.find(Start); D != StringRef::npos;
           D = Glue.find(Start, D + 1))
        if (D == 0 || !IsIdent(Glue[D - 1])) {
          At = D;
          break;
        }
    }
  }
  if (At == StringRef::npos)
    return makeError(errc::malformed,
                     "no wasmImports object: not Emscripten's JS glue");
  StringSet<> Names;
  StringRef Rest = Glue.drop_front(At + Start.size());
  int Depth = 1;
  bool ExpectKey = true;
  for (size_t I = 0; I < Rest.size() && Depth > 0;) {
    char C = Rest[I];
    if (Depth == 1 && ExpectKey &&
        (isAlpha(C) || C == '_' || C == '$' || C == '"' || C == '\'')) {
      size_t B = I, E;
      if (C == '"' || C == '\'') {
        E = Rest.find(C, I + 1);
        if (E == StringRef::npos)
          break;
        Names.insert(Rest.slice(B + 1, E));
        I = E + 1;
      } else {
        E = Rest.find_if_not(
            [](char X) { return isAlnum(X) || X == '_' || X == '$'; }, I);
        if (E == StringRef::npos)
          E = Rest.size();
        Names.insert(Rest.slice(B, E));
        I = E;
      }
      ExpectKey = false;
      continue;
    }
    if (C == '{' || C == '(' || C == '[')
      ++Depth;
    else if (C == '}' || C == ')' || C == ']')
      --Depth;
    else if (C == ',' && Depth == 1)
      ExpectKey = true;
    else if ((C == '"' || C == '\'') && Depth > 1) {
      size_t E = Rest.find(C, I + 1);
      if (E == StringRef::npos)
        break;
      I = E;
    }
    ++I;
  }
  return Names;
}

bool isProvidedByGlue(const StringSet<> &Glue, StringRef Name) {
  return Glue.contains(Name) || Name.starts_with("invoke_");
}

namespace {

/// Every definer of each name: the main module (SIZE_MAX) first, then the
/// side modules in load order.
constexpr size_t MainDefiner = SIZE_MAX;
StringMap<SmallVector<size_t, 2>>
definers(const SymbolScope &Scope,
         StringMap<SmallVector<const ExportedSymbol *, 2>> *Defs = nullptr) {
  StringMap<SmallVector<size_t, 2>> D;
  auto Add = [&](const ExportedSymbol &E, size_t I) {
    SmallVector<size_t, 2> &V = D[E.Name];
    if (!V.empty() && V.back() == I)
      return;
    V.push_back(I);
    if (Defs)
      (*Defs)[E.Name].push_back(&E);
  };
  if (Scope.Main)
    for (const ExportedSymbol &E : Scope.Main->Exports)
      Add(E, MainDefiner);
  for (size_t I = 0; I < Scope.LoadOrder.size(); ++I)
    for (const ExportedSymbol &E : Scope.LoadOrder[I]->Exports)
      Add(E, I);
  return D;
}

} // namespace

std::vector<UndefinedSymbol> findUndefinedSymbols(const SymbolScope &Scope) {
  StringMap<SmallVector<size_t, 2>> D = definers(Scope);
  std::vector<UndefinedSymbol> Out;
  for (size_t I = 0; I < Scope.LoadOrder.size(); ++I)
    for (const ImportedSymbol &Imp : Scope.LoadOrder[I]->Imports) {
      if (Imp.Weak)
        continue;
      auto It = D.find(Imp.Name);
      bool Defined = false;
      if (It != D.end()) {
        size_t First = It->second.front();
        // Bound when the importer loads: by then only the main module and
        // the modules before it (and itself) are there.
        // Start-up loads bind theirs once all of them are loaded
        // (loadDylibs' allowUndefined, then reportUndefinedSymbols()).
        Defined = !isBoundAtLoad(Imp.Kind) || First == MainDefiner ||
                  First <= I ||
                  (I < Scope.StartupCount && First < Scope.StartupCount);
      }
      if (!Defined && !isDataImport(Imp.Kind) && Scope.Glue &&
          isProvidedByGlue(*Scope.Glue, Imp.Name))
        Defined = true;
      if (!Defined)
        Out.push_back({I, Imp.Name, Imp.Kind});
    }
  return Out;
}

std::vector<BindingConflict>
findBindingConflicts(const SymbolScope &Scope,
                     function_ref<bool(StringRef)> Allowed) {
  StringMap<SmallVector<const ExportedSymbol *, 2>> Exports;
  StringMap<SmallVector<size_t, 2>> D = definers(Scope, &Exports);
  // (expected, winner, identical) -> conflict; std::map keeps the output
  // ordered.
  using Key = std::tuple<size_t, size_t, bool>;
  std::map<Key, BindingConflict> Groups;
  std::map<Key, StringSet<>> Seen;
  for (size_t I = 0; I < Scope.LoadOrder.size(); ++I) {
    const ModuleSymbols &M = *Scope.LoadOrder[I];
    for (const ImportedSymbol &Imp : M.Imports) {
      auto It = D.find(Imp.Name);
      if (It == D.end() || It->second.size() < 2)
        continue; // Defined once or not at all: nothing to choose.
      if (Allowed && Allowed(Imp.Name))
        continue;
      const SmallVector<size_t, 2> &Defs = It->second;
      auto Defines = [&](size_t Mod) { return is_contained(Defs, Mod); };
      // What the importer was linked against: itself, else its NEEDED
      // closure, nearest first.
      std::optional<size_t> Expected;
      if (Defines(I))
        Expected = I;
      else if (I < Scope.Closures.size())
        for (size_t C : Scope.Closures[I])
          if (Defines(C)) {
            Expected = C;
            break;
          }
      if (!Expected)
        continue;
      size_t Winner = Defs.front() == MainDefiner || isBoundAtLoad(Imp.Kind)
                          ? Defs.front()
                          : *Expected;
      if (Winner == *Expected)
        continue;
      // The two definitions, found by their place in Defs.
      const SmallVector<const ExportedSymbol *, 2> &E = Exports[Imp.Name];
      auto DefOf = [&](size_t Mod) {
        return E[find(Defs, Mod) - Defs.begin()];
      };
      const ExportedSymbol *A = DefOf(*Expected), *B = DefOf(Winner);
      bool Identical = A->Digest && B->Digest && *A->Digest == *B->Digest;
      Key K(*Expected, Winner, Identical);
      BindingConflict &C = Groups[K];
      C.Expected = *Expected;
      C.Identical = Identical;
      if (Winner != MainDefiner)
        C.Winner = Winner;
      if (Seen[K].insert(Imp.Name).second)
        C.Symbols.emplace_back(Imp.Name, Imp.Kind);
      if (!is_contained(C.Importers, I))
        C.Importers.push_back(I);
    }
  }
  std::vector<BindingConflict> Out;
  for (auto &[K, C] : Groups) {
    llvm::sort(C.Symbols);
    llvm::sort(C.Importers);
    Out.push_back(std::move(C));
  }
  return Out;
}

} // namespace wasmrpath
