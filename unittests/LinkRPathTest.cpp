//===- LinkRPathTest.cpp - writeLinkRPath() on linker-shaped modules ------===//
//
// The modules here are shaped like wasm-ld's output (all four dylink.0
// subsections that precede RUNTIME_PATH), so that the expected bytes are
// exactly what wasm-ld 21 writes for the same -rpath flags.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/LinkRPath.h"
#include "ModuleBuilder.h"
#include "ScratchDir.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

using Strings = std::vector<std::string>;

const std::string Needed = subsection(2, strVec({"libb.so"}));
const std::string Exports = subsection(3, uleb(1) + str("f") + uleb(0));
const std::string Imports =
    subsection(4, uleb(1) + str("env") + str("g") + uleb(0));
const std::string Linked = memInfo() + Needed + Exports + Imports;

class LinkRPathTest : public ScratchDirTest {
protected:
  void SetUp() override {
    ScratchDirTest::SetUp();
    File = path("out.so");
  }

  void writeFile(StringRef Data) { ScratchDirTest::writeFile(File, Data); }
  std::string readFile() { return ScratchDirTest::readFile(File); }
  sys::fs::UniqueID fileID() {
    sys::fs::UniqueID ID;
    EXPECT_FALSE(sys::fs::getUniqueID(File, ID));
    return ID;
  }

  /// Runs writeLinkRPath() and expects it to succeed.
  void link(ArrayRef<std::string> Entries, RPathPlace Place) {
    Expected<LinkOutputKind> K = writeLinkRPath(File, Entries, Place);
    ASSERT_TRUE(succeeded(K));
    EXPECT_EQ(*K, LinkOutputKind::SharedLibrary);
  }

  std::string File;
};

TEST_F(LinkRPathTest, AppendsRuntimePathLastAsWasmLd21Does) {
  writeFile(preamble() + custom("dylink.0", Linked) + body());
  Expected<LinkOutputKind> K =
      writeLinkRPath(File, {"$ORIGIN/../lib", "/a:/b"}, RPathPlace::Dylink);
  ASSERT_TRUE(succeeded(K));
  EXPECT_EQ(*K, LinkOutputKind::SharedLibrary);
  // One entry per flag, in order; ':' is not a separator at link time.
  EXPECT_EQ(
      readFile(),
      preamble() +
          custom("dylink.0",
                 Linked + subsection(5, strVec({"$ORIGIN/../lib", "/a:/b"}))) +
          body());
}

TEST_F(LinkRPathTest, KeepsDuplicatesAndOrder) {
  writeFile(preamble() + custom("dylink.0", Linked) + body());
  Strings E = {"/b", "/a", "/b"};
  link(E, RPathPlace::Dylink);
  EXPECT_EQ(readFile(),
            preamble() + custom("dylink.0", Linked + subsection(5, strVec(E))) +
                body());
}

TEST_F(LinkRPathTest, BothAddsRPathSectionAfterDylink) {
  writeFile(preamble() + custom("dylink.0", Linked) + body());
  link({"$ORIGIN"}, RPathPlace::Both);
  EXPECT_EQ(
      readFile(),
      preamble() +
          custom("dylink.0", Linked + subsection(5, strVec({"$ORIGIN"}))) +
          custom("rpath.0", strVec({"$ORIGIN"})) + body());
}

TEST_F(LinkRPathTest, RPathSectionOnlyLeavesDylinkAlone) {
  writeFile(preamble() + custom("dylink.0", Linked) + body());
  link({"$ORIGIN"}, RPathPlace::RPathSection);
  EXPECT_EQ(readFile(), preamble() + custom("dylink.0", Linked) +
                            custom("rpath.0", strVec({"$ORIGIN"})) + body());
}

TEST_F(LinkRPathTest, PathWrittenByTheLinkerIsNotRewritten) {
  // What wasm-ld 21 writes for the same flags, with a padded size so that a
  // re-encoding would show.
  std::string M =
      preamble() +
      custom("dylink.0", Linked + subsection(5, strVec({"$ORIGIN"}), 3)) +
      body();
  writeFile(M);
  sys::fs::UniqueID Before = fileID();
  link({"$ORIGIN"}, RPathPlace::Dylink);
  EXPECT_EQ(readFile(), M);
  // Not even replaced by an identical copy.
  EXPECT_EQ(fileID(), Before);
}

TEST_F(LinkRPathTest, FlagsReplaceAPathAlreadyThere) {
  writeFile(preamble() +
            custom("dylink.0", Linked + subsection(5, strVec({"/old"}))) +
            body());
  link({"/new"}, RPathPlace::Dylink);
  EXPECT_EQ(readFile(),
            preamble() +
                custom("dylink.0", Linked + subsection(5, strVec({"/new"}))) +
                body());
}

TEST_F(LinkRPathTest, NoEntriesWritesNothing) {
  std::string M = preamble() +
                  custom("dylink.0", Linked + subsection(5, strVec({"/x"}))) +
                  body();
  writeFile(M);
  Expected<LinkOutputKind> K = writeLinkRPath(File, {}, RPathPlace::Both);
  ASSERT_TRUE(succeeded(K));
  EXPECT_EQ(*K, LinkOutputKind::SharedLibrary);
  EXPECT_EQ(readFile(), M);
}

TEST_F(LinkRPathTest, ModuleWithoutDylinkIsLeftAlone) {
  std::string M = preamble() + body();
  writeFile(M);
  Expected<LinkOutputKind> K =
      writeLinkRPath(File, {"$ORIGIN"}, RPathPlace::Both);
  ASSERT_TRUE(succeeded(K));
  EXPECT_EQ(*K, LinkOutputKind::NoDylinkSection);
  EXPECT_EQ(readFile(), M);
}

TEST_F(LinkRPathTest, BadEntryIsAnErrorAndWritesNothing) {
  std::string M = preamble() + custom("dylink.0", Linked) + body();
  writeFile(M);
  Expected<LinkOutputKind> K =
      writeLinkRPath(File, {"/ok", ""}, RPathPlace::Both);
  ASSERT_FALSE(bool(K));
  EXPECT_NE(toString(K.takeError()).find("empty"), std::string::npos);
  EXPECT_EQ(readFile(), M);
}

TEST_F(LinkRPathTest, MissingOrInvalidOutputIsAnError) {
  Expected<LinkOutputKind> Missing =
      writeLinkRPath(File, {"$ORIGIN"}, RPathPlace::Both);
  ASSERT_FALSE(bool(Missing));
  consumeError(Missing.takeError());

  writeFile("#!/bin/sh\n");
  Expected<LinkOutputKind> NotWasm =
      writeLinkRPath(File, {"$ORIGIN"}, RPathPlace::Both);
  ASSERT_FALSE(bool(NotWasm));
  consumeError(NotWasm.takeError());
  EXPECT_EQ(readFile(), "#!/bin/sh\n");
}

} // namespace
