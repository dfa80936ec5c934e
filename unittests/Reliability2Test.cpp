//===- Reliability2Test.cpp - Regression tests of reliability round 2 -----===//
//
// One test (or a few) per defect class of issue 12 that the library owns,
// each failing on the code before its fix: bytes an edit must not move
// (class 6), a quadratic --shrink-rpath (class 4), --replace-needed on a
// list that names a library twice and legacy modules (class 7), and parsing
// a file that shrinks under the reader (class 9). The tool-level halves are
// in test/reliability/.
//
//===----------------------------------------------------------------------===//

#include "ModuleBuilder.h"
#include "ScratchDir.h"
#include "wasm-rpath/CommandLine.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/Writer.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"
#include <fcntl.h>
#include <unistd.h>

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

std::string write(const Object &Obj) {
  std::string Out;
  raw_string_ostream OS(Out);
  cantFail(writeObject(Obj, OS));
  return Out;
}

// Class 6: an rpath.0 with no entries is kept by an edit of NEEDED.
TEST(BytesThatStayPut, EmptyRPathSectionSurvivesNeededEdit) {
  std::string RPath0 = custom("rpath.0", uleb(0));
  std::string M = preamble() +
                  custom("dylink.0", memInfo() + subsection(2, strVec({"a.so"}))) +
                  section(1, std::string("\x01\x60\x00\x00", 4)) + RPath0 +
                  custom("name", std::string("\x00\x03\x02hi", 5));
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(addNeeded(*Obj, {"b.so"})));
  std::string Out = write(*Obj);
  Expected<Object> Again = readObject(bytes(Out));
  ASSERT_TRUE(succeeded(Again));
  ASSERT_TRUE(Again->RPathSection.has_value());
  EXPECT_TRUE(Again->RPathSection->empty());
  // In place: after the type section, as in the input.
  ASSERT_TRUE(Again->RPathIndex.has_value());
  EXPECT_EQ(*Again->RPathIndex, 2u);
  EXPECT_NE(Out.find(RPath0), std::string::npos);
}

// Class 6: a padded rpath.0 is not re-encoded by an edit of RUNTIME_PATH
// alone (--rpath-section=dylink).
TEST(BytesThatStayPut, PaddedRPathSectionIsNotReencoded) {
  std::string RPath0 = custom("rpath.0", strVec({"/p"}), /*PadTo=*/5);
  std::string M = preamble() + custom("dylink.0", memInfo()) + body() + RPath0;
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(setRPath(*Obj, {"/x"}, RPathPlace::Dylink)));
  std::string Out = write(*Obj);
  EXPECT_NE(Out.find(RPath0), std::string::npos) << "rpath.0 re-encoded";
  Expected<Object> Again = readObject(bytes(Out));
  ASSERT_TRUE(succeeded(Again));
  EXPECT_EQ(Again->Sections[*Again->RPathIndex].Offset,
            Out.size() - RPath0.size());
}

// Class 6: a dylink.0 with RUNTIME_PATH before NEEDED keeps that order
// when NEEDED is edited.
TEST(BytesThatStayPut, SubsectionOrderKept) {
  std::string RunPath = subsection(5, strVec({"/r"}));
  std::string M = preamble() +
                  custom("dylink.0", memInfo() + RunPath +
                                         subsection(2, strVec({"a.so"}))) +
                  body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(addNeeded(*Obj, {"b.so"})));
  Expected<Object> Again = readObject(bytes(write(*Obj)));
  ASSERT_TRUE(succeeded(Again));
  std::vector<uint8_t> Types;
  for (const DylinkSubsection &S : Again->Dylink->Subsections)
    Types.push_back(S.Type);
  EXPECT_EQ(Types, (std::vector<uint8_t>{1, 5, 2}));
  EXPECT_EQ(Again->Dylink->Subsections[1].Raw, bytes(RunPath));
  EXPECT_EQ(Again->Dylink->Needed, (std::vector<std::string>{"a.so", "b.so"}));
}

// Class 7: --replace-needed on a list that names the old library twice is
// idempotent (the second run used to drop the second name).
TEST(CommandLineEdges, ReplaceNeededWithDuplicateIsIdempotent) {
  std::string M = preamble() +
                  custom("dylink.0", memInfo() +
                                         subsection(2, strVec({"a.so", "x.so",
                                                               "a.so"}))) +
                  body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(replaceNeeded(*Obj, "a.so", "b.so")));
  EXPECT_EQ(Obj->Dylink->Needed,
            (std::vector<std::string>{"b.so", "x.so", "b.so"}));
  std::string Once = write(*Obj);
  Expected<Object> Again = readObject(bytes(Once));
  ASSERT_TRUE(succeeded(Again));
  ASSERT_TRUE(succeeded(replaceNeeded(*Again, "a.so", "b.so")));
  EXPECT_FALSE(Again->isModified());
}

// Class 7: a legacy module has no RUNTIME_PATH; setting an empty one, and a
// shrink, succeed without a change (--remove-rpath always did).
TEST(CommandLineEdges, LegacyDylinkEmptyRunPath) {
  std::string M = preamble() +
                  custom("dylink", uleb(16) + uleb(2) + uleb(0) + uleb(0) +
                                       strVec({"a.so"})) +
                  body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  EXPECT_TRUE(succeeded(setRPath(*Obj, {}, RPathPlace::Both)));
  EXPECT_TRUE(succeeded(
      shrinkRPath(*Obj, RPathPlace::Both, {}, [](StringRef) { return true; })));
  EXPECT_FALSE(Obj->isModified());
  // Storing entries still needs a place that a legacy module lacks.
  Error E = setRPath(*Obj, {"/x"}, RPathPlace::Dylink);
  EXPECT_TRUE(bool(E));
  consumeError(std::move(E));
}

class ShrinkTest : public ScratchDirTest {};

// Class 4: --shrink-rpath with many entries and many NEEDED names makes a
// number of probes near the size of the lists, not their product.
TEST_F(ShrinkTest, ProbesAreNotEntriesTimesNeeded) {
  constexpr unsigned Entries = 200, Needed = 200;
  std::vector<std::string> Dirs, Names;
  for (unsigned I = 0; I < Entries; ++I) {
    Dirs.push_back(path("d" + std::to_string(I)));
    ASSERT_FALSE(sys::fs::create_directory(Dirs.back()));
  }
  for (unsigned I = 0; I < Needed; ++I)
    Names.push_back("lib" + std::to_string(I) + ".so");
  // Every tenth directory holds one library; the rest are empty.
  for (unsigned I = 0; I < Entries; I += 10)
    writeFile(Dirs[I] + "/" + Names[I], preamble());
  std::string M = preamble() +
                  custom("dylink.0", memInfo() + subsection(2, strVec(Names)) +
                                         subsection(5, strVec(Dirs))) +
                  body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  unsigned Probes = 0;
  ASSERT_TRUE(succeeded(shrinkRPath(*Obj, RPathPlace::Dylink, {},
                                    [&](StringRef P) {
                                      ++Probes;
                                      return isWasmModuleFile(P);
                                    })));
  std::vector<std::string> Kept;
  for (unsigned I = 0; I < Entries; I += 10)
    Kept.push_back(Dirs[I]);
  EXPECT_EQ(Obj->runtimePath(), ArrayRef(Kept));
  // Before: one probe per remaining name in every directory (~40,000).
  EXPECT_LE(Probes, Entries + Needed);
}

class ShrinkingInputTest : public ScratchDirTest {};

// Class 9: a file that is shorter than when it was opened (another process
// truncated it) is an error of the reader, not a SIGBUS.
TEST_F(ShrinkingInputTest, TruncatedDuringParseIsAnError) {
  std::string M = preamble() + custom("dylink.0", memInfo()) + body() +
                  custom("big", std::string(1 << 20, 'x'));
  std::string P = path("m.so");
  writeFile(P, M);
  int FD = ::open(P.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(FD, 0);
  ASSERT_EQ(::truncate(P.c_str(), 100), 0);
  Expected<Object> Obj = readObject(FD, M.size());
  ::close(FD);
  ASSERT_FALSE(bool(Obj));
  EXPECT_NE(toString(Obj.takeError()).find("shrank"), std::string::npos);
}

// The pread reader and the in-memory one agree.
TEST_F(ShrinkingInputTest, FileReaderMatchesMemoryReader) {
  std::string M = preamble() +
                  custom("dylink.0", memInfo() + subsection(2, strVec({"a"}))) +
                  body() + custom("rpath.0", strVec({"/p"})) +
                  custom("big", std::string(200000, 'x'));
  std::string P = path("m.so");
  writeFile(P, M);
  int FD = ::open(P.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(FD, 0);
  Expected<Object> FromFile = readObject(FD, M.size());
  ::close(FD);
  Expected<Object> FromMemory = readObject(bytes(M));
  ASSERT_TRUE(succeeded(FromFile));
  ASSERT_TRUE(succeeded(FromMemory));
  ASSERT_EQ(FromFile->Sections.size(), FromMemory->Sections.size());
  for (size_t I = 0; I < FromFile->Sections.size(); ++I) {
    EXPECT_EQ(FromFile->Sections[I].Name, FromMemory->Sections[I].Name);
    EXPECT_EQ(FromFile->Sections[I].End, FromMemory->Sections[I].End);
  }
  EXPECT_EQ(FromFile->Dylink->Needed, FromMemory->Dylink->Needed);
  EXPECT_EQ(FromFile->RPathSection, FromMemory->RPathSection);
}

class ResponseFileTest : public ScratchDirTest {};

// Class 7: a NUL byte in a response file is an error, not a cut argument.
TEST_F(ResponseFileTest, NulByteIsAnError) {
  std::string P = path("args");
  writeFile(P, std::string("--set-rpath /a\0b x.so", 21));
  BumpPtrAllocator A;
  StringSaver Saver(A);
  std::string Arg = "@" + P;
  SmallVector<const char *, 4> Args = {Arg.c_str()};
  Error E = expandResponseFiles(Args, Saver);
  ASSERT_TRUE(bool(E));
  EXPECT_NE(toString(std::move(E)).find("contains a NUL byte"),
            std::string::npos);
}

// Class 7: @/dev/zero fails at once instead of exhausting memory.
TEST_F(ResponseFileTest, DevZeroIsAnError) {
  BumpPtrAllocator A;
  StringSaver Saver(A);
  SmallVector<const char *, 4> Args = {"@/dev/zero"};
  Error E = expandResponseFiles(Args, Saver);
  ASSERT_TRUE(bool(E));
  consumeError(std::move(E));
}

TEST_F(ResponseFileTest, NestedAndMissing) {
  std::string Inner = path("inner"), Outer = path("outer");
  writeFile(Inner, "b 'c d'");
  writeFile(Outer, "a @" + Inner + " e");
  BumpPtrAllocator A;
  StringSaver Saver(A);
  std::string Arg = "@" + Outer;
  SmallVector<const char *, 4> Args = {Arg.c_str(), "@no-such-file"};
  ASSERT_TRUE(succeeded(expandResponseFiles(Args, Saver)));
  std::vector<std::string> Got(Args.begin(), Args.end());
  EXPECT_EQ(Got, (std::vector<std::string>{"a", "b", "c d", "e",
                                           "@no-such-file"}));
  // A file that includes itself.
  writeFile(Inner, "@" + Inner);
  std::string Self = "@" + Inner;
  SmallVector<const char *, 4> Loop = {Self.c_str()};
  Error E = expandResponseFiles(Loop, Saver);
  ASSERT_TRUE(bool(E));
  consumeError(std::move(E));
}

} // namespace
