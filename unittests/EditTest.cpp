//===- EditTest.cpp - Edits and the writer's placement rules --------------===//

#include "ModuleBuilder.h"
#include "Object/Writer.h"
#include "ScratchDir.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Reader.h"
#include "gtest/gtest.h"
#include "llvm/Support/FileSystem.h"

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

using Strings = std::vector<std::string>;

std::string write(const Object &Obj) {
  std::string Out;
  raw_string_ostream OS(Out);
  cantFail(writeObject(Obj, OS));
  return Out;
}

/// Reads \p M, applies \p Edit, writes, and returns the output.
template <typename Fn> std::string edit(const std::string &M, Fn Edit) {
  Expected<Object> Obj = readObject(bytes(M));
  if (!succeeded(Obj))
    return "";
  if (!succeeded(Edit(*Obj)))
    return "";
  return write(*Obj);
}

const std::string Unknown = subsection(7, "future");
const std::string Needed = subsection(2, strVec({"libb.so"}));
const std::string Exports = subsection(3, uleb(1) + str("f") + uleb(0));
const std::string Imports = subsection(4, uleb(1) + str("env") + str("g") + uleb(0));

std::string sideModule(const std::string &Subsections) {
  return preamble() + custom("dylink.0", Subsections) + body();
}

TEST(EditTest, SetRPathInsertsAfterImportInfoAndKeepsTheRest) {
  std::string M = sideModule(memInfo() + Needed + Exports + Imports + Unknown);
  std::string Out = edit(M, [](Object &O) {
    return setRPath(O, {"$ORIGIN/../lib", "/a:b"}, RPathPlace::Dylink);
  });
  std::string RuntimePath = subsection(5, strVec({"$ORIGIN/../lib", "/a:b"}));
  // Ascending type order, unknown type 7 after it; every other subsection and
  // section verbatim; no rpath.0 since only dylink was asked for.
  EXPECT_EQ(Out, sideModule(memInfo() + Needed + Exports + Imports +
                            RuntimePath + Unknown));
}

TEST(EditTest, BothPlacesPutRPathSectionRightAfterDylink) {
  std::string M = sideModule(memInfo() + Needed);
  std::string Out = edit(M, [](Object &O) {
    return setRPath(O, {"$ORIGIN"}, RPathPlace::Both);
  });
  EXPECT_EQ(Out, preamble() +
                     custom("dylink.0", memInfo() + Needed +
                                            subsection(5, strVec({"$ORIGIN"}))) +
                     custom("rpath.0", strVec({"$ORIGIN"})) + body());
}

TEST(EditTest, MovedRPathSectionIsReplacedNotDuplicated) {
  // wasm-opt moves custom sections after the code; the next write puts
  // rpath.0 back after dylink.0, once.
  std::string M = preamble() + custom("dylink.0", memInfo()) + body() +
                  custom("rpath.0", strVec({"/old"}));
  std::string Out = edit(M, [](Object &O) {
    return setRPath(O, {"/new"}, RPathPlace::RPathSection);
  });
  EXPECT_EQ(Out, preamble() + custom("dylink.0", memInfo()) +
                     custom("rpath.0", strVec({"/new"})) + body());
}

TEST(EditTest, UnchangedSubsectionsKeepTheirEncoding) {
  // A padded subsection that the edit does not touch stays padded.
  std::string PaddedMem =
      subsection(1, uleb(16) + uleb(2) + uleb(0) + uleb(0), 5);
  std::string M = sideModule(PaddedMem + Needed);
  std::string Out = edit(M, [](Object &O) {
    return addNeeded(O, {"libc.so"});
  });
  EXPECT_EQ(Out, sideModule(PaddedMem +
                            subsection(2, strVec({"libb.so", "libc.so"}))));
}

TEST(EditTest, NoOpEditsMarkNothing) {
  std::string M = sideModule(memInfo() + Needed +
                             subsection(5, strVec({"/x"}))) ;
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(setRPath(*Obj, {"/x"}, RPathPlace::Dylink)));
  ASSERT_TRUE(succeeded(addRPath(*Obj, {"/x"}, RPathPlace::Dylink)));
  ASSERT_TRUE(succeeded(addNeeded(*Obj, {"libb.so"})));
  ASSERT_TRUE(succeeded(removeNeeded(*Obj, {"nothere.so"})));
  ASSERT_TRUE(succeeded(replaceNeeded(*Obj, "nothere.so", "x.so")));
  EXPECT_FALSE(Obj->isModified());
}

TEST(EditTest, EditsThatCancelOutLeaveTheObjectUnmodified) {
  // Regression: each NEEDED step used to mark the list changed on its own,
  // so remove-then-add of the same name rewrote an identical file.
  std::string M = sideModule(memInfo() + Needed);
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(removeNeeded(*Obj, {"libb.so"})));
  ASSERT_TRUE(succeeded(addNeeded(*Obj, {"libb.so"})));
  ASSERT_TRUE(succeeded(setRPath(*Obj, {"/x"}, RPathPlace::Both)));
  ASSERT_TRUE(succeeded(removeRPath(*Obj, RPathPlace::Both)));
  EXPECT_FALSE(Obj->isModified());
}

TEST(EditTest, EditsAreIdempotent) {
  std::string M = sideModule(memInfo() + Needed);
  auto Twice = [](Object &O) -> Error {
    if (Error E = addRPath(O, {"/a", "/b"}, RPathPlace::Both))
      return E;
    return replaceNeeded(O, "libb.so", "libc.so");
  };
  std::string Once = edit(M, Twice);
  EXPECT_EQ(edit(Once, Twice), Once);
  Expected<Object> Obj = readObject(bytes(Once));
  ASSERT_TRUE(succeeded(Obj));
  EXPECT_EQ(getRPath(*Obj, RPathPlace::Both), (Strings{"/a", "/b"}));
  EXPECT_EQ(Obj->Dylink->Needed, Strings{"libc.so"});
}

TEST(EditTest, AddWithBothStartsFromTheEffectivePath) {
  std::string M = sideModule(memInfo() + subsection(5, strVec({"/a"})));
  std::string Out = edit(M, [](Object &O) {
    return addRPath(O, {"/b"}, RPathPlace::Both);
  });
  Expected<Object> Obj = readObject(bytes(Out));
  ASSERT_TRUE(succeeded(Obj));
  EXPECT_EQ(*Obj->Dylink->RuntimePath, (Strings{"/a", "/b"}));
  EXPECT_EQ(*Obj->RPathSection, (Strings{"/a", "/b"}));
  EXPECT_FALSE(describeRPathMismatch(*Obj));
}

TEST(EditTest, RemoveDropsSubsectionAndSection) {
  std::string M = sideModule(memInfo() + Needed + subsection(5, strVec({"/a"})) +
                             Unknown);
  M += custom("rpath.0", strVec({"/a"}));
  std::string Out = edit(M, [](Object &O) {
    return removeRPath(O, RPathPlace::Both);
  });
  EXPECT_EQ(Out, sideModule(memInfo() + Needed + Unknown));
}

TEST(EditTest, RemovingLastNeededDropsTheSubsection) {
  std::string M = sideModule(memInfo() + Needed);
  std::string Out = edit(M, [](Object &O) {
    return removeNeeded(O, {"libb.so"});
  });
  EXPECT_EQ(Out, sideModule(memInfo()));
}

TEST(EditTest, ReplaceNeededOntoExistingNameRenamesInPlace) {
  // As patchelf: the renamed entry keeps its place, the other is untouched
  // (a loader loads a name once, however often it is listed).
  std::string M = sideModule(memInfo() + subsection(2, strVec({"a.so", "b.so"})));
  std::string Out = edit(M, [](Object &O) {
    return replaceNeeded(O, "a.so", "b.so");
  });
  EXPECT_EQ(Out,
            sideModule(memInfo() + subsection(2, strVec({"b.so", "b.so"}))));
}

TEST(EditTest, LegacyDylink) {
  std::string Mem = uleb(16) + uleb(2) + uleb(0) + uleb(0);
  std::string M = preamble() + custom("dylink", Mem + strVec({"a.so"})) + body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  Error E = setRPath(*Obj, {"/x"}, RPathPlace::Both);
  ASSERT_TRUE(bool(E));
  EXPECT_NE(toString(std::move(E)).find("legacy"), std::string::npos);
  EXPECT_FALSE(Obj->isModified());

  std::string Out = edit(M, [](Object &O) -> Error {
    if (Error E = addNeeded(O, {"b.so"}))
      return E;
    if (Error E = removeRPath(O, RPathPlace::Both))
      return E;
    return setRPath(O, {"/x"}, RPathPlace::RPathSection);
  });
  EXPECT_EQ(Out, preamble() + custom("dylink", Mem + strVec({"a.so", "b.so"})) +
                     custom("rpath.0", strVec({"/x"})) + body());
}

TEST(EditTest, NonSharedModulesAreRefused) {
  Expected<Object> Obj = readObject(bytes(preamble() + body()));
  ASSERT_TRUE(succeeded(Obj));
  Error E = setRPath(*Obj, {"/x"}, RPathPlace::Both);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(toString(std::move(E)), "not a shared library: no dylink.0 section");
}

TEST(EditTest, BadEntriesAreRefused) {
  Expected<Object> Obj = readObject(bytes(sideModule(memInfo())));
  ASSERT_TRUE(succeeded(Obj));
  for (std::string Bad : {std::string(""), std::string("a\0b", 3),
                          std::string("\xc3\x28")}) {
    Error E = setRPath(*Obj, {Bad}, RPathPlace::Both);
    EXPECT_TRUE(bool(E));
    consumeError(std::move(E));
    E = addNeeded(*Obj, {Bad});
    EXPECT_TRUE(bool(E));
    consumeError(std::move(E));
  }
  EXPECT_FALSE(Obj->isModified());
}

TEST(EditTest, ShrinkKeepsOriginAndDirectoriesWithNeededModules) {
  std::string M = sideModule(
      memInfo() + subsection(2, strVec({"libb.so", "libc.so"})) +
      subsection(5, strVec({"/empty", "$ORIGIN/../lib", "/has-b", "/has-b-too",
                            "/other/has-c", "rel"})));
  auto Probe = [](StringRef Path) {
    return Path == "/has-b/libb.so" || Path == "/has-b-too/libb.so" ||
           Path == "/other/has-c/libc.so";
  };
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(shrinkRPath(*Obj, RPathPlace::Dylink, {}, Probe)));
  EXPECT_EQ(*Obj->Dylink->RuntimePath,
            (Strings{"$ORIGIN/../lib", "/has-b", "/other/has-c", "rel"}));

  Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(
      succeeded(shrinkRPath(*Obj, RPathPlace::Dylink, {"/has"}, Probe)));
  EXPECT_EQ(*Obj->Dylink->RuntimePath,
            (Strings{"$ORIGIN/../lib", "/has-b", "rel"}));
}

TEST(EditTest, SplitAndJoin) {
  EXPECT_EQ(splitSearchPath("$ORIGIN/../lib::/usr/lib:"),
            (Strings{"$ORIGIN/../lib", "/usr/lib"}));
  EXPECT_EQ(splitSearchPath(""), Strings{});
  EXPECT_EQ(joinSearchPath({"a", "b"}), "a:b");
}

} // namespace

namespace {

// Issue 17 §3: wasm-vips 0.0.19's vips.wasm lists [jxl, resvg, heif, jxl,
// resvg, heif]; replacing heif by jxl used to give [jxl, resvg, resvg]
// (an unrelated jxl dropped). Each occurrence is renamed in place, as
// patchelf does, and nothing else changes.
TEST(EditTest, ReplaceNeededRenamesEachOccurrenceInPlace) {
  Strings Vips = {"jxl", "resvg", "heif", "jxl", "resvg", "heif"};
  std::string M = sideModule(memInfo() + subsection(2, strVec(Vips)));
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(replaceNeeded(*Obj, "heif", "jxl")));
  EXPECT_EQ(Obj->Dylink->Needed,
            (Strings{"jxl", "resvg", "jxl", "jxl", "resvg", "jxl"}));
  // Idempotent: a second run changes nothing.
  std::string Once = write(*Obj);
  Expected<Object> Again = readObject(bytes(Once));
  ASSERT_TRUE(succeeded(Again));
  ASSERT_TRUE(succeeded(replaceNeeded(*Again, "heif", "jxl")));
  EXPECT_FALSE(Again->isModified());
}

TEST(EditTest, ReplaceNeededAppliesRenamesInOrder) {
  std::string M =
      sideModule(memInfo() + subsection(2, strVec({"a", "x", "b", "a"})));
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  std::vector<std::pair<std::string, std::string>> Renames = {
      {"a", "b"}, {"b", "c"}, {"x", "x"}, {"nothere", "y"}, {"c", "d"}};
  ASSERT_TRUE(succeeded(replaceNeeded(*Obj, Renames)));
  EXPECT_EQ(Obj->Dylink->Needed, (Strings{"d", "x", "d", "d"}));
  // A bad new name renames nothing.
  Renames = {{"x", "y"}, {"d", ""}};
  EXPECT_EQ(errorToErrorCode(replaceNeeded(*Obj, Renames)),
            make_error_code(errc::invalid_argument));
  EXPECT_EQ(Obj->Dylink->Needed, (Strings{"d", "x", "d", "d"}));
}

// Issue 17 §3: 10,000 renames of a 10,000-name list (4.1 s when the list
// was rebuilt per rename) give the right list; the cost is checked by the
// structure of the code, not by a clock.
TEST(EditTest, ReplaceNeededManyRenames) {
  Strings Names;
  std::vector<std::pair<std::string, std::string>> Renames;
  for (int I = 0; I < 10000; ++I) {
    Names.push_back("lib" + std::to_string(I) + ".so");
    Renames.emplace_back(Names.back(), "new" + std::to_string(I) + ".so");
  }
  std::string M = sideModule(memInfo() + subsection(2, strVec(Names)));
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(replaceNeeded(*Obj, Renames)));
  ASSERT_EQ(Obj->Dylink->Needed.size(), 10000u);
  EXPECT_EQ(Obj->Dylink->Needed[9999], "new9999.so");
}

class ShrinkFileTest : public ScratchDirTest {};

// Issue 17 §3: a directory that does not exist provides nothing, so no
// name is probed in it (300 x 300 entries used to cost 90,000 probes).
TEST_F(ShrinkFileTest, MissingDirectoriesAreNotProbed) {
  Strings Names, Dirs;
  for (int I = 0; I < 300; ++I) {
    Names.push_back("lib" + std::to_string(I) + ".so");
    Dirs.push_back(path("missing" + std::to_string(I)));
  }
  writeFile(path("file"), "x");
  Dirs.push_back(path("file")); // not a directory
  std::string M = sideModule(memInfo() + subsection(2, strVec(Names)) +
                             subsection(5, strVec(Dirs)));
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  size_t Probes = 0;
  auto Probe = [&](StringRef) {
    ++Probes;
    return false;
  };
  ASSERT_TRUE(succeeded(shrinkRPath(*Obj, RPathPlace::Dylink, {}, Probe)));
  EXPECT_EQ(Probes, 0u);
  EXPECT_FALSE(Obj->Dylink->RuntimePath.has_value());
}

// an rpath.0 with no entries is kept by an edit of NEEDED.
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

// a padded rpath.0 is not re-encoded by an edit of RUNTIME_PATH
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

// a dylink.0 with RUNTIME_PATH before NEEDED keeps that order
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

// --replace-needed on a list that names the old library twice is
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

// a legacy module has no RUNTIME_PATH; setting an empty one, and a
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

// --shrink-rpath with many entries and many NEEDED names makes a
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

} // namespace

