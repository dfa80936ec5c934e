//===- BatchTest.cpp - Worker threads, output in input order --------------===//

#include "wasm-rpath/Batch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "gtest/gtest.h"
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

using namespace llvm;
using namespace wasmrpath;

namespace {

/// Runs a batch over \p Inputs in which input I prints "out I" and "err I"
/// (the latter only for odd I, which fail), the early ones slowest so that
/// they finish last; returns stdout and stderr.
std::pair<std::string, std::string> run(ArrayRef<std::string> Inputs,
                                        unsigned Jobs, bool &AllOk) {
  std::string Out, Err;
  raw_string_ostream OutS(Out), ErrS(Err);
  AllOk = processInputsInOrder(
      Inputs, Jobs,
      [&](size_t I, raw_ostream &O, raw_ostream &E) {
        if (I < 4)
          std::this_thread::sleep_for(std::chrono::milliseconds(20 - 5 * I));
        O << "out " << I << "\n";
        if (I % 2) {
          E << "err " << I << "\n";
          return false;
        }
        return true;
      },
      OutS, ErrS);
  return {Out, Err};
}

std::vector<std::string> names(size_t N) {
  std::vector<std::string> V;
  for (size_t I = 0; I < N; ++I)
    V.push_back("no-such-dir/input-" + std::to_string(I));
  return V;
}

TEST(BatchTest, OutputInInputOrderWhateverTheThreads) {
  std::vector<std::string> Inputs = names(200);
  bool Ok1, Ok4;
  auto One = run(Inputs, 1, Ok1);
  auto Four = run(Inputs, 4, Ok4);
  EXPECT_FALSE(Ok1);
  EXPECT_FALSE(Ok4);
  EXPECT_EQ(One, Four);
  EXPECT_EQ(One.first.substr(0, 12), "out 0\nout 1\n");
  EXPECT_EQ(One.second.substr(0, 12), "err 1\nerr 3\n");
}

TEST(BatchTest, AllSucceed) {
  bool Ok;
  std::vector<std::string> Inputs = {"a", "c"}; // Indices 0 and 1...
  std::string Out, Err;
  raw_string_ostream OutS(Out), ErrS(Err);
  Ok = processInputsInOrder(
      Inputs, 2, [](size_t, raw_ostream &, raw_ostream &) { return true; },
      OutS, ErrS);
  EXPECT_TRUE(Ok);
  EXPECT_EQ(Out, "");
  EXPECT_EQ(Err, "");
}

TEST(BatchTest, SameFileIsProcessedInOrderByOneThread) {
  SmallString<128> Dir;
  ASSERT_FALSE(sys::fs::createUniqueDirectory("wasm-rpath-batch", Dir));
  std::string File = (Dir + "/f").str(), Link = (Dir + "/l").str();
  {
    std::error_code EC;
    raw_fd_ostream OS(File, EC);
    ASSERT_FALSE(EC);
  }
  ASSERT_FALSE(sys::fs::create_link("f", Link));
  // The same file three times (by name, again, and through the link)
  // among others: those three must never overlap, and run in order.
  std::vector<std::string> Inputs = names(50);
  Inputs[3] = File;
  Inputs[20] = Link;
  Inputs[40] = File;
  std::mutex M;
  std::vector<size_t> Order;
  std::atomic<int> Inside{0};
  bool Overlap = false;
  std::string Out, Err;
  raw_string_ostream OutS(Out), ErrS(Err);
  processInputsInOrder(
      Inputs, 4,
      [&](size_t I, raw_ostream &, raw_ostream &) {
        if (I != 3 && I != 20 && I != 40)
          return true;
        if (Inside.fetch_add(1) != 0)
          Overlap = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        {
          std::lock_guard<std::mutex> Lock(M);
          Order.push_back(I);
        }
        Inside.fetch_sub(1);
        return true;
      },
      OutS, ErrS);
  EXPECT_FALSE(Overlap);
  EXPECT_EQ(Order, (std::vector<size_t>{3, 20, 40}));
  sys::fs::remove_directories(Dir);
}

TEST(BatchTest, BufferedOutputKeepsColours) {
  BufferedOutput Plain(false), Coloured(true);
  WithColor::error(Plain, "tool") << "x\n";
  WithColor::error(Coloured, "tool") << "x\n";
  EXPECT_EQ(Plain.text(), "tool: error: x\n");
  EXPECT_NE(Coloured.text().find("\x1b["), std::string::npos);
}

TEST(BatchTest, ParseJobs) {
  EXPECT_EQ(parseJobs("0"), 0u);
  EXPECT_EQ(parseJobs("8"), 8u);
  EXPECT_EQ(parseJobs(""), std::nullopt);
  EXPECT_EQ(parseJobs("-1"), std::nullopt);
  EXPECT_EQ(parseJobs("2x"), std::nullopt);
}

} // namespace
