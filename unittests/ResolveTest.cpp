//===- ResolveTest.cpp - Loader resolution rules --------------------------===//

#include "wasm-rpath/Resolve.h"
#include "llvm/ADT/StringSet.h"
#include "gtest/gtest.h"

using namespace llvm;
using namespace wasmrpath;

namespace {

using Strings = std::vector<std::string>;

struct FakeFS {
  StringSet<> Files;
  bool operator()(StringRef P) const { return Files.contains(P); }
};

Resolution resolve(StringRef Loader, StringRef Name, StringRef Module,
                   const Strings &RunPath, const FakeFS &FS,
                   const Strings &LibraryPath = {}) {
  const LoaderRules *Rules = getLoaderRules(Loader);
  EXPECT_NE(Rules, nullptr);
  return resolveNeeded(Name, Module, RunPath, LibraryPath, Rules->DefaultCwd,
                       *Rules, FS);
}

TEST(ResolveTest, NormalizeNeverLeavesTheRoot) {
  EXPECT_EQ(normalizeLoaderPath("/a/./b//../c"), "/a/c");
  EXPECT_EQ(normalizeLoaderPath("/../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(normalizeLoaderPath("/"), "/");
  EXPECT_EQ(loaderDirName("/pkg/_ext.so"), "/pkg");
  EXPECT_EQ(loaderDirName("/top.so"), "/");
}

TEST(ResolveTest, OriginUpAndDown) {
  FakeFS FS{{"/w/lib/libb.so", "/w/bin/sub/libc.so"}};
  Resolution R = resolve("emscripten", "libb.so", "/w/bin/liba.so",
                         {"$ORIGIN/../lib"}, FS);
  EXPECT_EQ(R.Path, "/w/lib/libb.so");
  EXPECT_EQ(R.Via, FoundVia::RuntimePath);
  EXPECT_EQ(R.Entry, "$ORIGIN/../lib");
  R = resolve("emscripten", "libc.so", "/w/bin/liba.so", {"$ORIGIN/sub"}, FS);
  EXPECT_EQ(R.Path, "/w/bin/sub/libc.so");
}

TEST(ResolveTest, FirstExistingEntryWins) {
  FakeFS FS{{"/b/libx.so", "/c/libx.so"}};
  Resolution R =
      resolve("emscripten", "libx.so", "/m.so", {"/a", "/b", "/c"}, FS);
  EXPECT_EQ(R.Path, "/b/libx.so");
  EXPECT_EQ(R.Tried, (Strings{"/a/libx.so", "/b/libx.so"}));
}

TEST(ResolveTest, LibraryPathComesFirst) {
  FakeFS FS{{"/ld/libx.so", "/rp/libx.so"}};
  Resolution R =
      resolve("emscripten", "libx.so", "/m.so", {"/rp"}, FS, {"/ld"});
  EXPECT_EQ(R.Path, "/ld/libx.so");
  EXPECT_EQ(R.Via, FoundVia::LibraryPath);
}

TEST(ResolveTest, BracedOriginOnlyForWasmer) {
  FakeFS FS{{"/w/lib/libb.so"}};
  EXPECT_EQ(resolve("emscripten", "libb.so", "/w/bin/a.so",
                    {"${ORIGIN}/../lib"}, FS)
                .Via,
            FoundVia::NotFound);
  EXPECT_EQ(
      resolve("wasmer", "libb.so", "/w/bin/a.so", {"${ORIGIN}/../lib"}, FS)
          .Path,
      "/w/lib/libb.so");
}

TEST(ResolveTest, OnlyLeadingOriginIsExpanded) {
  FakeFS FS{{"/x/$ORIGIN/libb.so"}};
  // Not at the start: taken literally.
  EXPECT_EQ(
      resolve("emscripten", "libb.so", "/w/a.so", {"/x/$ORIGIN"}, FS).Path,
      "/x/$ORIGIN/libb.so");
}

TEST(ResolveTest, ColonInsideAnEntry) {
  FakeFS FS{{"/w/lib/libx.so"}};
  EXPECT_EQ(
      resolve("emscripten", "libx.so", "/m.so", {"/nope:/w/lib"}, FS).Path,
      "/w/lib/libx.so");
  EXPECT_EQ(resolve("wasmer", "libx.so", "/m.so", {"/nope:/w/lib"}, FS).Via,
            FoundVia::NotFound);
}

TEST(ResolveTest, NamesWithASlashAreNotSearched) {
  FakeFS FS{{"/abs/libx.so", "/rp/abs/libx.so"}};
  Resolution R =
      resolve("emscripten", "/abs/libx.so", "/m.so", {"/rp"}, FS);
  EXPECT_EQ(R.Via, FoundVia::Path);
  EXPECT_EQ(R.Path, "/abs/libx.so");
  // A relative one is taken from the working directory (Pyodide's).
  R = resolve("emscripten", "abs/libx.so", "/m.so", {"/rp"}, FS);
  EXPECT_EQ(R.Tried, Strings{"/home/pyodide/abs/libx.so"});
}

TEST(ResolveTest, WasmerDefaultsAndWasmRetry) {
  FakeFS FS{{"/usr/lib/libd.so", "/w/libe.wasm"}};
  Resolution R = resolve("wasmer", "libd.so", "/m.so", {}, FS);
  EXPECT_EQ(R.Via, FoundVia::DefaultDir);
  EXPECT_EQ(R.Path, "/usr/lib/libd.so");
  EXPECT_EQ(resolve("emscripten", "libd.so", "/m.so", {}, FS).Via,
            FoundVia::NotFound);
  R = resolve("wasmer", "libe.so", "/m.so", {"/w"}, FS);
  EXPECT_EQ(R.Path, "/w/libe.wasm");
}

TEST(ResolveTest, RelativeEntriesUseTheWorkingDirectory) {
  FakeFS FS{{"/home/pyodide/lib/libx.so"}};
  EXPECT_EQ(resolve("emscripten", "libx.so", "/w/a.so", {"lib"}, FS).Path,
            "/home/pyodide/lib/libx.so");
}

} // namespace
