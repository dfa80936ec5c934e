//===- InstalledWheelTest.cpp - The one model of an installed wheel -------===//
//
// Where members land (Pyodide's rule and pip's, on request), which modules
// are preloaded, that nothing is extracted before it is read, and that the
// bytes held by read() buffers stay within the budget.
//
//===----------------------------------------------------------------------===//

#include "ModuleBuilder.h"
#include "Pyodide/InstalledWheel.h"
#include "ZipHelpers.h"
#include "wasm-rpath/Zip.h"
#include "gtest/gtest.h"

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

using Strings = std::vector<std::string>;

/// A zip archive of \p Members, kept with the bytes it reads.
struct TestWheel {
  std::string Bytes;
  std::optional<zip::Archive> A;
  explicit TestWheel(ArrayRef<std::pair<std::string, std::string>> Members) {
    zip::Writer W;
    for (const auto &[Name, Content] : Members)
      EXPECT_FALSE(errorToBool(W.addEntry(Name, arrayRefFromStringRef(Content))));
    Bytes = materialize(W.finish(), {});
    Expected<zip::Archive> R = zip::Archive::read(arrayRefFromStringRef(Bytes));
    EXPECT_TRUE(bool(R)) << toString(R.takeError());
    A.emplace(std::move(*R));
  }
};

std::string sideModule(size_t Pad = 0) {
  return preamble() + custom("dylink.0", memInfo()) + std::string(Pad, '\0');
}

const std::string SP = "/lib/python3.14/site-packages";

TEST(InstalledWheelTest, DataDirStaysInPlaceAsPyodideDoes) {
  TestWheel T({{"foo/_ext.so", sideModule()},
               {"foo-1.0.data/platlib/libb.so", sideModule()},
               {"foo-1.0.data/scripts/tool", "#!/bin/sh\n"},
               {"foo-1.0.dist-info/RECORD", ""}});
  InstalledWheel W;
  Expected<Strings> Preload = W.install(*T.A, "foo.whl");
  ASSERT_TRUE(bool(Preload));
  EXPECT_EQ(*Preload, Strings({SP + "/foo/_ext.so",
                               SP + "/foo-1.0.data/platlib/libb.so"}));
  EXPECT_TRUE(W.isFile(SP + "/foo-1.0.data/platlib/libb.so"));
  EXPECT_FALSE(W.isFile(SP + "/libb.so"));
  EXPECT_EQ(W.memberOf(SP + "/foo-1.0.data/scripts/tool"),
            "foo-1.0.data/scripts/tool");
  // Pyodide's LD_LIBRARY_PATH has site-packages, not the .data directory.
  EXPECT_EQ(W.resolve("libb.so", SP + "/foo/_ext.so", {}).Via,
            FoundVia::NotFound);
  EXPECT_TRUE(W.isWheelDirectory(SP + "/foo"));
  EXPECT_FALSE(W.isWheelDirectory(SP));
}

TEST(InstalledWheelTest, PipMappingOnlyOnRequest) {
  TestWheel T({{"foo/_ext.so", sideModule()},
               {"foo-1.0.data/platlib/libb.so", sideModule()},
               {"foo-1.0.data/scripts/tool", "#!/bin/sh\n"},
               {"foo-1.0.dist-info/RECORD", ""}});
  InstallOptions O;
  O.DataDir = DataDirPolicy::MapLikePip;
  InstalledWheel W(O);
  Expected<Strings> Preload = W.install(*T.A, "foo.whl");
  ASSERT_TRUE(bool(Preload));
  EXPECT_EQ(*Preload, Strings({SP + "/foo/_ext.so", SP + "/libb.so"}));
  EXPECT_EQ(W.memberOf(SP + "/libb.so"), "foo-1.0.data/platlib/libb.so");
  EXPECT_EQ(W.files().size(), 3u); // scripts/tool is not in site-packages.
  Resolution R = W.resolve("libb.so", SP + "/foo/_ext.so", {});
  EXPECT_EQ(R.Via, FoundVia::LibraryPath);
  EXPECT_EQ(R.Path, SP + "/libb.so");
}

TEST(InstalledWheelTest, RefusesMembersThatLeaveOrCollide) {
  TestWheel Out({{"../x.so", sideModule()}});
  InstalledWheel W;
  EXPECT_TRUE(errorToBool(W.install(*Out.A, "a.whl").takeError()));
  TestWheel Twice({{"pkg/x.so", sideModule()}, {"pkg/./x.so", sideModule()}});
  Expected<Strings> R = W.install(*Twice.A, "b.whl");
  ASSERT_FALSE(bool(R));
  // wheel::checkMemberPaths() refuses it first.
  EXPECT_EQ(toString(R.takeError()),
            "member 'pkg/./x.so' has a '.' component in its path (it would be "
            "installed as another member's file)");
  EXPECT_TRUE(W.files().empty()); // Nothing installed on error.
}

TEST(InstalledWheelTest, ReadsOnDemandWithinTheBudget) {
  TestWheel T({{"p/a.so", sideModule(600)},
               {"p/b.so", sideModule(600)},
               {"p/big.so", sideModule(5000)},
               {"p/text.so", std::string(5000, 'x')}});
  InstallOptions O;
  O.MemoryBudget = 1000;
  InstalledWheel W(O);
  ASSERT_FALSE(errorToBool(W.install(*T.A, "p.whl").takeError()));
  EXPECT_EQ(W.bytesHeld(), 0u); // Installing extracts nothing.
  {
    auto A = W.read(SP + "/p/a.so");
    ASSERT_TRUE(bool(A));
    EXPECT_EQ((*A)->getBufferSize(), sideModule(600).size());
    EXPECT_EQ(W.bytesHeld(), sideModule(600).size());
    // A second module would pass the budget while the first is held.
    auto B = W.read(SP + "/p/b.so");
    ASSERT_FALSE(bool(B));
    EXPECT_EQ(errorToErrorCode(B.takeError()), std::errc::file_too_large);
  }
  EXPECT_EQ(W.bytesHeld(), 0u);
  EXPECT_FALSE(errorToBool(W.read(SP + "/p/b.so").takeError()));
  Expected<std::unique_ptr<MemoryBuffer>> Big = W.read(SP + "/p/big.so");
  ASSERT_FALSE(bool(Big));
  EXPECT_EQ(toString(Big.takeError()),
            "module of " + std::to_string(sideModule(5000).size()) +
                " bytes exceeds the memory budget (1000 bytes, 0 already "
                "held)");
  // Not a module: its head is all a loader reads to refuse it.
  auto Text = W.read(SP + "/p/text.so");
  ASSERT_TRUE(bool(Text));
  EXPECT_EQ((*Text)->getBufferSize(), 8u);
  EXPECT_EQ(W.locate(SP + "/p/text.so"), "p.whl:p/text.so");
}

TEST(InstalledWheelTest, LaterInstallsReplaceAndPlannedFilesAreFound) {
  TestWheel A({{"p/x.so", sideModule()}}), B({{"p/x.so", sideModule(10)}});
  InstalledWheel W;
  ASSERT_FALSE(errorToBool(W.install(*A.A, "a.whl").takeError()));
  ASSERT_FALSE(errorToBool(W.install(*B.A, "b.whl").takeError()));
  EXPECT_EQ(W.files().size(), 1u);
  EXPECT_EQ(W.locate(SP + "/p/x.so"), "b.whl:p/x.so");
  W.addPlannedFile(SP + "/p.libs/libz-1234.so", "p.libs/libz-1234.so");
  Resolution R = W.resolve("libz-1234.so", SP + "/p/x.so", {"$ORIGIN/../p.libs"});
  EXPECT_EQ(R.Path, SP + "/p.libs/libz-1234.so");
  EXPECT_EQ(W.memberOf(R.Path), "p.libs/libz-1234.so");
  EXPECT_TRUE(errorToBool(W.read(R.Path).takeError()));
}

} // namespace
