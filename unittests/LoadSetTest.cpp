//===- LoadSetTest.cpp - wasm-ldd's analysis as a library call ------------===//
//
// The rules of LoadSet.h that need no module: the "[NAME=]FILE" spelling of
// a preload, which wasm-ldd --preload and the Python ldd(preload=) share.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/LoadSet.h"
#include "wasm-rpath/Error.h"
#include "gtest/gtest.h"

using namespace llvm;
using namespace wasmrpath;

namespace {

std::pair<std::string, std::string> parsed(StringRef Spec) {
  Expected<PreloadSpec> S = parsePreloadSpec(Spec);
  if (!S) {
    ADD_FAILURE() << Spec.str() << ": " << toString(S.takeError());
    return {};
  }
  return {S->Name, S->File};
}

TEST(PreloadSpecTest, NameAndFile) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(parsed("libb.so=pre/libb.so"), P("libb.so", "pre/libb.so"));
  // Without a name, the file's own name.
  EXPECT_EQ(parsed("pre/libb.so"), P("libb.so", "pre/libb.so"));
  EXPECT_EQ(parsed("libb.so"), P("libb.so", "libb.so"));
  // Only the first '=' separates: FILE may hold more.
  EXPECT_EQ(parsed("x.so=a=b.so"), P("x.so", "a=b.so"));
  // A '/' before the '=' is a directory of FILE, not a name.
  EXPECT_EQ(parsed("a/dir=1/libb.so"), P("libb.so", "a/dir=1/libb.so"));
  // Nothing after the '=': the whole text is FILE.
  EXPECT_EQ(parsed("pre/libb.so="), P("libb.so=", "pre/libb.so="));
}

TEST(PreloadSpecTest, EmptyNameIsAnError) {
  // A FILE with no file name (found by the adversarial pass: "x/" was
  // registered under "").
  for (StringRef Spec : {"=pre/libb.so", "=libb.so", "", "x/", "pre/..", "."}) {
    Expected<PreloadSpec> S = parsePreloadSpec(Spec);
    ASSERT_FALSE(bool(S)) << Spec.str();
    std::string Msg;
    std::error_code EC;
    handleAllErrors(S.takeError(), [&](const ErrorInfoBase &E) {
      Msg = E.message();
      EC = E.convertToErrorCode();
    });
    EXPECT_EQ(EC, make_error_code(errc::invalid_argument)) << Spec.str();
    EXPECT_EQ(Msg, "'" + Spec.str() +
                       "': the name is empty (expected [NAME=]FILE)");
  }
}

TEST(PreloadSpecTest, PathAloneKeepsItsEquals) {
  // A path given as a path (Python's bytes and os.PathLike) is never split
  // at '='.
  Expected<PreloadSpec> S = preloadSpecForFile("libx=1.so");
  ASSERT_TRUE(bool(S)) << toString(S.takeError());
  EXPECT_EQ(S->Name, "libx=1.so");
  EXPECT_EQ(S->File, "libx=1.so");
  EXPECT_FALSE(bool(preloadSpecForFile("lib/"))) << "no file name";
  consumeError(preloadSpecForFile("lib/").takeError());
}

} // namespace
