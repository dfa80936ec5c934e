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
  EXPECT_EQ(loaderDirName("top.so"), "/");
  EXPECT_EQ(loaderDirName("/a//b/../c/x.so"), "/a/c");
}

TEST(ResolveTest, NormalPathsAreThoseNormalizeKeeps) {
  // isNormalLoaderPath() is the fast path of normalizeLoaderPath(): true
  // exactly where normalizing changes nothing.
  for (StringRef P :
       {"/", "/a", "/a/b.so", "/a.b/..c/.d", "/...", "", "a", "a/b", "//",
        "/a/", "/a//b", "/./a", "/a/.", "/a/..", "/../a", "/a/../b", "/.",
        "/..", "/a/b/", "/a/./b", "/ a/b", "/a/b..", "/a/.b/c"})
    EXPECT_EQ(isNormalLoaderPath(P), normalizeLoaderPath(P) == P) << P.str();
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
  // Emscripten never loads a relative one; wasmer opens it from its cwd.
  FakeFS Rel{{"/home/pyodide/abs/libx.so", "/abs/libx.so"}};
  R = resolve("emscripten", "abs/libx.so", "/m.so", {"/rp"}, Rel);
  EXPECT_EQ(R.Via, FoundVia::NotFound);
  EXPECT_TRUE(R.Tried.empty());
  EXPECT_EQ(resolve("wasmer", "abs/libx.so", "/m.so", {}, Rel).Path,
            "/abs/libx.so");
}

// The rules below were each observed in Pyodide 314.0.7 (see
// test/vectors/README.md) or read from wasmer's sources.

TEST(ResolveTest, NewlinesSplitEntriesForEmscripten) {
  FakeFS FS{{"/w/lib/libx.so"}};
  EXPECT_EQ(
      resolve("emscripten", "libx.so", "/m.so", {"/nope\n/w/lib"}, FS).Path,
      "/w/lib/libx.so");
  EXPECT_EQ(resolve("emscripten", "libx.so", "/m.so", {}, FS,
                    {"/nope\n/w/lib"})
                .Path,
            "/w/lib/libx.so");
}

TEST(ResolveTest, LongCandidatesAreSkippedByEmscripten) {
  // "<dir>/<name>" must be shorter than 512 bytes.
  std::string Dir511 = "/" + std::string(510 - 8, 'd');      // 503 bytes
  std::string Dir512 = "/" + std::string(511 - 8, 'd');      // 504 bytes
  FakeFS FS{{Dir511 + "/libx.so", Dir512 + "/libx.so"}};
  EXPECT_EQ(resolve("emscripten", "libx.so", "/m.so", {Dir511}, FS).Path,
            Dir511 + "/libx.so");
  EXPECT_EQ(resolve("emscripten", "libx.so", "/m.so", {Dir512}, FS).Via,
            FoundVia::NotFound);
  EXPECT_EQ(resolve("wasmer", "libx.so", "/m.so", {Dir512}, FS).Path,
            Dir512 + "/libx.so");
}

TEST(ResolveTest, DotDotNeedsAnExistingDirectoryForEmscripten) {
  FakeFS FS{{"/w/lib/libb.so"}};
  StringSet<> Dirs{{"/", "/w", "/w/bin", "/w/lib"}};
  auto IsDir = [&](StringRef P) { return Dirs.contains(P); };
  const LoaderRules &Em = *getLoaderRules("emscripten");
  Resolution R = resolveNeeded("libb.so", "/w/bin/a.so",
                               {"$ORIGIN/nope/../../lib"}, {}, "/", Em, FS,
                               IsDir);
  EXPECT_EQ(R.Via, FoundVia::NotFound);
  R = resolveNeeded("libb.so", "/w/bin/a.so", {"$ORIGIN/../lib"}, {}, "/", Em,
                    FS, IsDir);
  EXPECT_EQ(R.Path, "/w/lib/libb.so");
  // Without a directory probe, '..' is lexical.
  R = resolveNeeded("libb.so", "/w/bin/a.so", {"$ORIGIN/nope/../../lib"}, {},
                    "/", Em, FS);
  EXPECT_EQ(R.Path, "/w/lib/libb.so");
}

TEST(ResolveTest, OriginExpansionStyles) {
  // Emscripten: text replacement; wasmer: a path join.
  FakeFS FS{{"/w/binAL/libb.so", "/w/bin/AL/libb.so"}};
  EXPECT_EQ(
      resolve("emscripten", "libb.so", "/w/bin/a.so", {"$ORIGINAL"}, FS).Path,
      "/w/binAL/libb.so");
  EXPECT_EQ(resolve("wasmer", "libb.so", "/w/bin/a.so", {"$ORIGINAL"}, FS).Path,
            "/w/bin/AL/libb.so");
  // JavaScript replacement patterns in the directory: "$&" is the match.
  FakeFS Pattern{{"/d$ORIGIN/lib/libb.so", "/d$&/lib/libb.so"}};
  EXPECT_EQ(resolve("emscripten", "libb.so", "/d$&/a.so", {"$ORIGIN/lib"},
                    Pattern)
                .Path,
            "/d$ORIGIN/lib/libb.so");
  EXPECT_EQ(
      resolve("wasmer", "libb.so", "/d$&/a.so", {"$ORIGIN/lib"}, Pattern).Path,
      "/d$&/lib/libb.so");
}

TEST(ResolveTest, WasmerRetriesWasmPerDirectory) {
  FakeFS FS{{"/ld/libb.wasm", "/lib2/libb.so"}};
  Resolution R = resolve("wasmer", "libb.so", "/m.so", {"/lib2"}, FS, {"/ld"});
  EXPECT_EQ(R.Path, "/ld/libb.wasm");
  EXPECT_EQ(resolve("emscripten", "libb.so", "/m.so", {"/lib2"}, FS, {"/ld"})
                .Path,
            "/lib2/libb.so");
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
  EXPECT_EQ(R.Tried, (Strings{"/w/libe.so", "/w/libe.wasm"}));
}

TEST(ResolveTest, RelativeEntriesUseTheWorkingDirectory) {
  FakeFS FS{{"/home/pyodide/lib/libx.so", "/w/lib/libx.so"}};
  // wasmer loads what it finds from its working directory ("/").
  FakeFS Home{{"/lib/libx.so"}};
  Resolution R = resolve("wasmer", "libx.so", "/w/a.so", {"lib"}, Home);
  EXPECT_EQ(R.Path, "/lib/libx.so");
  EXPECT_EQ(R.Via, FoundVia::RuntimePath);
  // Emscripten looks there too, but the file found stops its search and
  // cannot be loaded (a relative path), even though the next entry has it.
  R = resolve("emscripten", "libx.so", "/w/a.so", {"lib", "/w/lib"}, FS);
  EXPECT_EQ(R.Via, FoundVia::NotFound);
  EXPECT_EQ(R.Path, "");
  EXPECT_EQ(R.Entry, "lib");
  EXPECT_EQ(R.Tried, (Strings{"/home/pyodide/lib/libx.so"}));
}

} // namespace
