//===- FileCopyTest.cpp - Chunked output through each copy path -----------===//
//
// Every copy path (clone, copy_file_range, splice, the buffer) must write the
// same bytes for every layout: ranges at the same offset in both files
// (cloneable), shifted ones, short ones written with the new bytes, and more
// pieces than one writev() takes.
//
//===----------------------------------------------------------------------===//

#include "IO/FileCopy.h"
#include "gtest/gtest.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <climits>
#include <fcntl.h>
#include <unistd.h>

using namespace llvm;
using namespace wasmrpath;

namespace {

OutputChunk bytes(std::string B) {
  OutputChunk C;
  C.Bytes = std::move(B);
  return C;
}

OutputChunk range(uint64_t Offset, uint64_t Size) {
  OutputChunk C;
  C.InputOffset = Offset;
  C.Size = Size;
  return C;
}

class FileCopyTest : public ::testing::TestWithParam<CopyMethod> {
protected:
  void SetUp() override {
    ASSERT_FALSE(sys::fs::createUniqueDirectory("wasm-rpath-filecopy", Dir));
    // 3 MiB + a bit: several splice round trips, and no two blocks alike.
    Input.resize((3 << 20) + 1234);
    for (size_t I = 0; I < Input.size(); ++I)
      Input[I] = static_cast<char>((I * 7 + I / 4096) & 0xff);
    InPath = path("in");
    int FD = ::open(InPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(FD, 0);
    ASSERT_EQ(::write(FD, Input.data(), Input.size()),
              static_cast<ssize_t>(Input.size()));
    ::close(FD);
    InFD = ::open(InPath.c_str(), O_RDONLY);
    ASSERT_GE(InFD, 0);
  }
  void TearDown() override {
    ::close(InFD);
    sys::fs::remove_directories(Dir);
  }

  std::string path(StringRef Name) {
    SmallString<256> P(Dir);
    sys::path::append(P, Name);
    return std::string(P);
  }

  /// What the chunks should produce.
  std::string expected(ArrayRef<OutputChunk> Chunks) {
    std::string Out;
    for (const OutputChunk &C : Chunks)
      Out += C.isInputRange() ? Input.substr(C.InputOffset, C.Size) : C.Bytes;
    return Out;
  }

  /// Writes the chunks to a new file with the method under test, once with
  /// the input in memory and once without, and returns the two outputs.
  std::pair<std::string, std::string> write(ArrayRef<OutputChunk> Chunks) {
    std::string Results[2];
    for (int InMemory = 0; InMemory < 2; ++InMemory) {
      std::string Out = path("out");
      ::unlink(Out.c_str());
      int FD = ::open(Out.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
      EXPECT_GE(FD, 0);
      ArrayRef<uint8_t> Memory;
      if (InMemory)
        Memory = arrayRefFromStringRef(Input);
      Error E = writeOutputChunks(FD, InFD, Input.size(), Memory, Chunks,
                                  GetParam());
      EXPECT_FALSE(bool(E)) << toString(std::move(E));
      std::string &R = Results[InMemory];
      R.resize(::lseek(FD, 0, SEEK_END));
      EXPECT_EQ(::pread(FD, R.data(), R.size(), 0),
                static_cast<ssize_t>(R.size()));
      ::close(FD);
    }
    return {Results[0], Results[1]};
  }

  SmallString<256> Dir;
  std::string Input, InPath;
  int InFD = -1;
};

TEST_P(FileCopyTest, SizeChangingEdit) {
  // A new head longer than the old one: the tail moves by 18 bytes.
  std::vector<OutputChunk> Chunks = {range(0, 8), bytes(std::string(36, 'h')),
                                     range(26, Input.size() - 26)};
  auto [Read, Memory] = write(Chunks);
  EXPECT_TRUE(Read == expected(Chunks));
  EXPECT_TRUE(Memory == expected(Chunks));
}

TEST_P(FileCopyTest, SameSizeEdit) {
  // The tail stays at its offset: the aligned (cloneable) path.
  std::vector<OutputChunk> Chunks = {range(0, 8), bytes(std::string(18, 'h')),
                                     range(26, Input.size() - 26)};
  auto [Read, Memory] = write(Chunks);
  EXPECT_TRUE(Read == expected(Chunks));
  EXPECT_TRUE(Memory == expected(Chunks));
}

TEST_P(FileCopyTest, RangesInTheMiddleAndOutOfOrder) {
  std::vector<OutputChunk> Chunks = {
      range(1 << 20, 1 << 20), bytes("x"), range(4096, 8192), range(0, 100),
      range(100, 200000), bytes(""), range(Input.size() - 1, 1)};
  auto [Read, Memory] = write(Chunks);
  EXPECT_TRUE(Read == expected(Chunks));
  EXPECT_TRUE(Memory == expected(Chunks));
}

TEST_P(FileCopyTest, MorePiecesThanOneWritevTakes) {
  std::vector<OutputChunk> Chunks;
  for (int I = 0; I < IOV_MAX + 100; ++I) {
    Chunks.push_back(bytes(std::to_string(I)));
    Chunks.push_back(range(I * 3, 5));
  }
  auto [Read, Memory] = write(Chunks);
  EXPECT_TRUE(Read == expected(Chunks));
  EXPECT_TRUE(Memory == expected(Chunks));
}

TEST_P(FileCopyTest, RangePastTheEndOfTheInput) {
  int FD = ::open(path("out").c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(FD, 0);
  Error E = writeOutputChunks(FD, InFD, Input.size(), {},
                              {range(Input.size() - 10, 11)}, GetParam());
  ::close(FD);
  ASSERT_TRUE(bool(E));
  EXPECT_NE(toString(std::move(E)).find("changed size"), std::string::npos);
}

TEST_P(FileCopyTest, InputShrunkDuringTheCopy) {
  // The caller's size is stale: the file is shorter now.
  ASSERT_EQ(::truncate(InPath.c_str(), 1 << 20), 0);
  int FD = ::open(path("out").c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(FD, 0);
  Error E = writeOutputChunks(FD, InFD, Input.size(), {},
                              {bytes("h"), range(10, Input.size() - 10)},
                              GetParam());
  ::close(FD);
  ASSERT_TRUE(bool(E));
  EXPECT_NE(toString(std::move(E)).find("changed size"), std::string::npos);
}

TEST_P(FileCopyTest, OutputThatCannotBeWritten) {
  int FD = ::open(InPath.c_str(), O_RDONLY);
  ASSERT_GE(FD, 0);
  Error E = writeOutputChunks(FD, InFD, Input.size(), {},
                              {bytes("h"), range(0, Input.size())},
                              GetParam());
  ::close(FD);
  ASSERT_TRUE(bool(E));
  EXPECT_NE(toString(std::move(E)).find("cannot write output"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Methods, FileCopyTest,
                         ::testing::Values(CopyMethod::Auto,
                                           CopyMethod::CopyFileRange,
                                           CopyMethod::Splice,
                                           CopyMethod::ReadWrite),
                         [](const auto &Info) {
                           switch (Info.param) {
                           case CopyMethod::Auto:
                             return "Auto";
                           case CopyMethod::CopyFileRange:
                             return "CopyFileRange";
                           case CopyMethod::Splice:
                             return "Splice";
                           case CopyMethod::ReadWrite:
                             return "ReadWrite";
                           }
                           return "";
                         });

} // namespace
