//===- ScratchDir.h - A temporary directory for file-level unit tests -----===//
//
// The file-level tests (file layer, link-time writes, reliability) each need
// a fresh directory and a few helpers to put bytes in and read them back;
// this is the one place they come from.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_UNITTESTS_SCRATCHDIR_H
#define WASM_RPATH_UNITTESTS_SCRATCHDIR_H

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"
#include <string>
#include <vector>

namespace wasmrpath {
namespace testing {

/// A test fixture owning a unique directory, removed after the test.
class ScratchDirTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("wasm-rpath-test", Dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(Dir); }

  std::string path(llvm::StringRef Name) {
    llvm::SmallString<256> P(Dir);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }
  void writeFile(llvm::StringRef Path, llvm::StringRef Data) {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC);
    ASSERT_FALSE(EC);
    OS << Data;
  }
  std::string readFile(llvm::StringRef Path) {
    auto Buf = llvm::MemoryBuffer::getFile(Path);
    return Buf ? (*Buf)->getBuffer().str() : "<missing>";
  }
  /// The names in the directory, sorted.
  std::vector<std::string> listDir() {
    std::vector<std::string> Names;
    std::error_code EC;
    for (llvm::sys::fs::directory_iterator I(Dir, EC), E; I != E && !EC;
         I.increment(EC))
      Names.push_back(llvm::sys::path::filename(I->path()).str());
    llvm::sort(Names);
    return Names;
  }

  llvm::SmallString<256> Dir;
};

} // namespace testing
} // namespace wasmrpath

#endif
