//===- FileIOTest.cpp - Atomic output and kernel copies -------------------===//

#include "IO/OutputFile.h"
#include "ModuleBuilder.h"
#include "Object/Writer.h"
#include "ScratchDir.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Reader.h"
#include "gtest/gtest.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <sys/stat.h>

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

class FileIOTest : public ScratchDirTest {
protected:
  size_t countFiles() { return listDir().size(); }
};

TEST_F(FileIOTest, RewritesInPlaceKeepingModeAndLeavingNoTemporary) {
  // Big enough that the tail goes through the kernel copy path in pieces.
  std::string Tail = custom("big", std::string(3 << 20, 'x'));
  std::string M = preamble() + custom("dylink.0", memInfo()) + Tail;
  std::string File = path("m.so");
  writeFile(File, M);
  ASSERT_EQ(::chmod(File.c_str(), 0751), 0);

  auto In = InputFile::open(File);
  ASSERT_TRUE(succeeded(In));
  Expected<Object> Obj = readObject((*In)->data());
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(setRPath(*Obj, {"$ORIGIN"}, RPathPlace::Dylink)));
  ASSERT_TRUE(succeeded(writeOutputFile(**In, layoutObject(*Obj), File)));

  EXPECT_EQ(readFile(File),
            preamble() +
                custom("dylink.0",
                       memInfo() + subsection(5, strVec({"$ORIGIN"}))) +
                Tail);
  struct stat St;
  ASSERT_EQ(::stat(File.c_str(), &St), 0);
  EXPECT_EQ(St.st_mode & 07777, 0751u);
  EXPECT_EQ(countFiles(), 1u);
}

TEST_F(FileIOTest, WritesThroughSymlinks) {
  std::string M = preamble() + custom("dylink.0", memInfo());
  std::string Target = path("real.so"), Link = path("link.so");
  writeFile(Target, M);
  ASSERT_FALSE(sys::fs::create_link("real.so", Link));

  auto In = InputFile::open(Link);
  ASSERT_TRUE(succeeded(In));
  Expected<Object> Obj = readObject((*In)->data());
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(addNeeded(*Obj, {"x.so"})));
  ASSERT_TRUE(succeeded(writeOutputFile(**In, layoutObject(*Obj), Link)));

  EXPECT_TRUE(sys::fs::is_symlink_file(Link));
  EXPECT_EQ(readFile(Target),
            preamble() + custom("dylink.0", memInfo() +
                                                subsection(2, strVec({"x.so"}))));
}

TEST_F(FileIOTest, FailedWriteLeavesOriginalAndNoTemporary) {
  std::string M = preamble() + custom("dylink.0", memInfo());
  std::string File = path("m.so");
  writeFile(File, M);
  auto In = InputFile::open(File);
  ASSERT_TRUE(succeeded(In));
  // An output in a directory that does not exist cannot be created.
  Error E = writeOutputFile(**In, {}, path("missing/out.so"));
  EXPECT_TRUE(bool(E));
  consumeError(std::move(E));
  EXPECT_EQ(readFile(File), M);
  EXPECT_EQ(countFiles(), 1u);
}

TEST_F(FileIOTest, OpenErrors) {
  auto Missing = InputFile::open(path("nope.so"));
  ASSERT_FALSE(bool(Missing));
  EXPECT_NE(toString(Missing.takeError()).find("No such file"),
            std::string::npos);
  auto IsDir = InputFile::open(Dir);
  ASSERT_FALSE(bool(IsDir));
  EXPECT_NE(toString(IsDir.takeError()).find("directory"), std::string::npos);
}

TEST_F(FileIOTest, IsWasmModuleFile) {
  writeFile(path("w.so"), preamble());
  writeFile(path("t.so"), "not wasm");
  EXPECT_TRUE(isWasmModuleFile(path("w.so")));
  EXPECT_FALSE(isWasmModuleFile(path("t.so")));
  EXPECT_FALSE(isWasmModuleFile(path("none.so")));
}

} // namespace
