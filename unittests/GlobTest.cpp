//===- GlobTest.cpp - GlobList ---------------------------------------------===//
//
// The one compiler of name patterns (--exclude, --no-mangle,
// --allow-duplicate): matching any pattern, the error for a bad one, and
// that a copy outlives the strings it was made from (GlobPattern refers to
// its text, so the list must own it).
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Glob.h"

#include "wasm-rpath/Error.h"
#include "gtest/gtest.h"

using namespace llvm;
using namespace wasmrpath;

namespace {

TEST(GlobListTest, MatchesAnyPattern) {
  Expected<GlobList> L = GlobList::create({"libz*", "libpng1[0-9].so"});
  ASSERT_TRUE(bool(L)) << toString(L.takeError());
  EXPECT_FALSE(L->empty());
  EXPECT_TRUE(L->match("libz.so"));
  EXPECT_TRUE(L->match("libpng16.so"));
  EXPECT_FALSE(L->match("libpng1.so"));
  EXPECT_FALSE(L->match("liba.so"));
}

TEST(GlobListTest, EmptyMatchesNothing) {
  GlobList None;
  EXPECT_TRUE(None.empty());
  EXPECT_FALSE(None.match(""));
  Expected<GlobList> L = GlobList::create({});
  ASSERT_TRUE(bool(L));
  EXPECT_TRUE(L->empty());
  EXPECT_FALSE(L->match("x"));
}

TEST(GlobListTest, BadPatternIsAnInvalidArgument) {
  Expected<GlobList> L = GlobList::create({"ok*", "["});
  ASSERT_FALSE(bool(L));
  std::error_code EC;
  std::string Msg;
  handleAllErrors(L.takeError(), [&](const ErrorInfoBase &E) {
    EC = E.convertToErrorCode();
    Msg = E.message();
  });
  EXPECT_EQ(EC, make_error_code(errc::invalid_argument));
  EXPECT_EQ(Msg.rfind("invalid pattern '[': ", 0), 0u) << Msg;
}

TEST(GlobListTest, OutlivesItsInputStrings) {
  GlobList Copy;
  {
    std::vector<std::string> Patterns{std::string(64, 'a') + "*"};
    Expected<GlobList> L = GlobList::create(Patterns);
    ASSERT_TRUE(bool(L));
    Copy = *L;
    Patterns[0].assign(64, 'z');
  }
  EXPECT_TRUE(Copy.match(std::string(64, 'a') + "b"));
  EXPECT_FALSE(Copy.match(std::string(64, 'z')));
}

} // namespace
