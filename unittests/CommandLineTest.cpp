//===- CommandLineTest.cpp - Response files (@FILE) ------------------------===//
//
// expandResponseFiles(), which every tool runs on its arguments: nesting,
// a missing file kept as an argument (as LLVM's tools do), and the inputs
// that must be one-line errors, not a cut argument or an endless read.
//
//===----------------------------------------------------------------------===//

#include "ModuleBuilder.h"
#include "ScratchDir.h"
#include "wasm-rpath/CommandLine.h"
#include "gtest/gtest.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/StringSaver.h"

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

class ResponseFileTest : public ScratchDirTest {};

// a NUL byte in a response file is an error, not a cut argument.
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

// @/dev/zero fails at once instead of exhausting memory.
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
