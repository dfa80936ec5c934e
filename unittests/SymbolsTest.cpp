//===- SymbolsTest.cpp - Exports, imports and first-definition-wins -------===//

#include "wasm-rpath/Symbols.h"
#include "ModuleBuilder.h"
#include "ScratchDir.h"
#include "wasm-rpath/Reader.h"
#include <fcntl.h>
#include <fstream>
#include <unistd.h>
#include "wasm-rpath/Error.h"
#include "gtest/gtest.h"

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

/// An import: module, field, then the kind's description.
std::string import(StringRef Module, StringRef Field, StringRef Desc) {
  return str(Module) + str(Field) + Desc.str();
}
std::string exportEntry(StringRef Name, uint8_t Kind, unsigned Index = 0) {
  return str(Name) + std::string(1, char(Kind)) + uleb(Index);
}

const std::string FuncImport = std::string("\x00\x00", 2); // kind 0, type 0
const std::string GlobalI32 = std::string("\x03\x7f\x01", 3); // mutable i32
const std::string MemoryImport = std::string("\x02\x00\x01", 3); // min 1
const std::string TableImport = std::string("\x01\x70\x00\x00", 4);

/// A side module with the given import and export sections.
std::string module(const std::vector<std::string> &Imports,
                   const std::vector<std::string> &Exports) {
  std::string Imp = uleb(Imports.size()), Exp = uleb(Exports.size());
  for (const std::string &I : Imports)
    Imp += I;
  for (const std::string &E : Exports)
    Exp += E;
  return preamble() +
         custom("dylink.0", memInfo()) +
         section(1, std::string("\x01\x60\x00\x00", 4)) + section(2, Imp) +
         section(7, Exp);
}

ModuleSymbols read(const std::string &M) {
  Expected<ModuleSymbols> S = readModuleSymbols(bytes(M));
  if (!succeeded(S))
    return {};
  return std::move(*S);
}

TEST(SymbolsTest, ExportsFunctionsAndDataSkippingInternalNames) {
  std::string M = module(
      {}, {exportEntry("__wasm_call_ctors", 0), exportEntry("foo", 0),
           exportEntry("counter", 3), exportEntry("__dso_handle", 3),
           exportEntry("__em_js__f", 3), exportEntry("mem2", 2),
           exportEntry("tbl", 1)});
  ModuleSymbols S = read(M);
  ASSERT_EQ(S.Exports.size(), 2u);
  EXPECT_EQ(S.Exports[0].Name, "foo");
  EXPECT_EQ(S.Exports[0].Kind, SymbolKind::Function);
  EXPECT_EQ(S.Exports[1].Name, "counter");
  EXPECT_EQ(S.Exports[1].Kind, SymbolKind::Data);
  EXPECT_NE(S.findExport("counter"), nullptr);
  EXPECT_EQ(S.findExport("__dso_handle"), nullptr);
}

TEST(SymbolsTest, ImportsBoundByName) {
  std::string M = module(
      {import("env", "memory", MemoryImport),
       import("env", "__indirect_function_table", TableImport),
       import("env", "__stack_pointer", GlobalI32),
       import("env", "__memory_base", std::string("\x03\x7f\x00", 3)),
       import("env", "puts", FuncImport), import("GOT.mem", "counter", GlobalI32),
       import("GOT.func", "foo", GlobalI32),
       import("other", "ignored", FuncImport)},
      {});
  ModuleSymbols S = read(M);
  ASSERT_EQ(S.Imports.size(), 3u);
  EXPECT_EQ(S.Imports[0].Name, "puts");
  EXPECT_EQ(S.Imports[0].Kind, ImportKind::Function);
  EXPECT_EQ(S.Imports[1].Name, "counter");
  EXPECT_EQ(S.Imports[1].Kind, ImportKind::DataAddress);
  EXPECT_EQ(S.Imports[2].Name, "foo");
  EXPECT_EQ(S.Imports[2].Kind, ImportKind::FunctionAddress);
}

TEST(SymbolsTest, MalformedSectionsAreErrors) {
  // An export count larger than what follows.
  std::string M = preamble() + custom("dylink.0", memInfo()) +
                  section(7, uleb(3) + exportEntry("a", 0));
  Expected<ModuleSymbols> S = readModuleSymbols(bytes(M));
  ASSERT_FALSE(static_cast<bool>(S));
  EXPECT_EQ(errorToErrorCode(S.takeError()), make_error_code(errc::malformed));
  // An unknown export kind.
  M = preamble() + section(7, uleb(1) + exportEntry("a", 9));
  S = readModuleSymbols(bytes(M));
  ASSERT_FALSE(static_cast<bool>(S));
  EXPECT_NE(toString(S.takeError()).find("unknown export kind 9"),
            std::string::npos);
  // A name that is not UTF-8.
  M = preamble() + section(7, uleb(1) + exportEntry("\xff", 0));
  S = readModuleSymbols(bytes(M));
  ASSERT_FALSE(static_cast<bool>(S));
  EXPECT_NE(toString(S.takeError()).find("UTF-8"), std::string::npos);
}

TEST(SymbolsTest, FirstDefinitionWinsMainModuleFirst) {
  ModuleSymbols Main, A, B, C;
  Main.Exports = {{"deflate", SymbolKind::Function}};
  A.Exports = {{"foo", SymbolKind::Function}, {"state", SymbolKind::Data}};
  B.Exports = {{"state", SymbolKind::Data},
               {"deflate", SymbolKind::Function},
               {"bar", SymbolKind::Function}};
  C.Exports = {{"foo", SymbolKind::Data}};
  const ModuleSymbols *Order[] = {&A, &B, &C};
  std::vector<SymbolClash> Clashes = findSymbolClashes(Order, &Main);
  ASSERT_EQ(Clashes.size(), 3u);
  EXPECT_EQ(Clashes[0].Symbol, "state");
  EXPECT_EQ(Clashes[0].Winner, std::optional<size_t>(0));
  EXPECT_EQ(Clashes[0].Loser, 1u);
  EXPECT_EQ(Clashes[0].Kind, SymbolKind::Data);
  EXPECT_EQ(Clashes[1].Symbol, "deflate");
  EXPECT_EQ(Clashes[1].Winner, std::nullopt); // The main module's.
  EXPECT_EQ(Clashes[1].Loser, 1u);
  EXPECT_EQ(Clashes[2].Symbol, "foo");
  EXPECT_EQ(Clashes[2].Winner, std::optional<size_t>(0));
  EXPECT_EQ(Clashes[2].Loser, 2u);
  EXPECT_EQ(Clashes[2].Kind, SymbolKind::Function);
  // Without the main module, B's deflate is the first definition.
  EXPECT_EQ(findSymbolClashes(Order).size(), 2u);
  // Nothing clashes with itself.
  const ModuleSymbols *One[] = {&B};
  EXPECT_TRUE(findSymbolClashes(One).empty());
}

} // namespace

namespace {

bool mainModule(const std::vector<std::string> &Imports,
                const std::vector<std::string> &Exports) {
  std::string M = module(Imports, Exports);
  Expected<Object> Obj = readObject(bytes(M));
  if (!succeeded(Obj))
    return false;
  return isMainModule(*Obj);
}

/// An Object read from a file descriptor holds its import and export
/// payloads (Section::Held): its symbols are read from them, never out of
/// the empty Object::Data (wasm-set-rpath crashed so after a merge).
class SymbolsFileTest : public ScratchDirTest {};

TEST_F(SymbolsFileTest, ObjectReadFromDescriptorHoldsItsSymbols) {
  std::string M = module({}, {exportEntry("foo", 0)});
  std::string P = path("m.so");
  std::ofstream(P, std::ios::binary) << M;
  int FD = ::open(P.c_str(), O_RDONLY);
  ASSERT_GE(FD, 0);
  Expected<Object> Obj = readObject(FD, M.size());
  ::close(FD);
  ASSERT_TRUE(succeeded(Obj));
  Expected<ModuleSymbols> S = readModuleSymbols(*Obj);
  ASSERT_TRUE(succeeded(S));
  ASSERT_EQ(S->Exports.size(), 1u);
  EXPECT_EQ(S->Exports[0].Name, "foo");
  // From the bytes, the same.
  EXPECT_EQ(read(M).Exports.size(), 1u);
}

} // namespace

TEST(SymbolsTest, MainModuleByItsStackSetUp) {
  // Emscripten 3.x and 5.x main modules export their stack set-up.
  EXPECT_TRUE(mainModule({}, {exportEntry("emscripten_stack_init", 0)}));
  EXPECT_TRUE(mainModule({}, {exportEntry("stackAlloc", 0)}));
  EXPECT_TRUE(mainModule({}, {exportEntry("_emscripten_stack_alloc", 0)}));
  // Side modules import it (setjmp, C++ exceptions) or do without.
  EXPECT_FALSE(mainModule({import("env", "stackSave", FuncImport)},
                          {exportEntry("f", 0)}));
  EXPECT_FALSE(mainModule({}, {exportEntry("__wasm_call_ctors", 0)}));
}

TEST(SymbolsTest, MainModuleByItsOwnMemory) {
  // A module that defines a memory is a main module (side modules import
  // theirs), whatever it exports; an empty memory section defines none.
  std::string Mem = section(5, std::string("\x01\x00\x01", 3));
  std::string Defines = module({}, {exportEntry("f", 0)}) + Mem;
  Expected<Object> Obj = readObject(bytes(Defines));
  ASSERT_TRUE(succeeded(Obj));
  EXPECT_TRUE(isMainModule(*Obj));
  std::string Empty =
      module({}, {exportEntry("f", 0)}) + section(5, std::string("\x00", 1));
  Expected<Object> Obj2 = readObject(bytes(Empty));
  ASSERT_TRUE(succeeded(Obj2));
  EXPECT_FALSE(isMainModule(*Obj2));
  // A garbled export section gives no verdict of "main".
  std::string Bad = module({}, {}) ;
  Bad.back() = '\x05'; // count 5, no entries
  Expected<Object> Obj3 = readObject(bytes(Bad));
  ASSERT_TRUE(succeeded(Obj3));
  EXPECT_FALSE(isMainModule(*Obj3));
}
