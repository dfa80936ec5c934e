//===- WheelRepairTest.cpp - Tests of the wheel repair layer --------------===//
//
// What the lit tests of wasm-auditwheel cannot see from outside: that the
// library leaves no thread of its own running once a call returns (threads
// alive at exit raced OpenSSL's atexit cleanup: a double free at exit).
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/WheelRepair.h"
#include "ScratchDir.h"
#include "ZipHelpers.h"
#include "wasm-rpath/Wheel.h"
#include "llvm/Support/FileSystem.h"
#include "gtest/gtest.h"
#include <atomic>
#include <chrono>
#include <dirent.h>
#include <thread>
#include <unistd.h>

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

/// The threads of this process, as the kernel lists them.
size_t countThreads() {
  size_t N = 0;
  if (DIR *D = opendir("/proc/self/task")) {
    while (dirent *E = readdir(D))
      if (E->d_name[0] != '.')
        ++N;
    closedir(D);
  }
  return N;
}

/// True once the process has no more threads than \p Limit. A joined
/// thread may stay listed for a moment after pthread_join returns, so this
/// waits for it (a thread that is still running never leaves); the wait
/// only bounds a failing run.
bool threadsDropTo(size_t Limit) {
  for (int I = 0; I < 2000; ++I) {
    if (countThreads() <= Limit)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

class WheelRepairThreadsTest : public ScratchDirTest {};

// Runs in a process of its own (the death-test child, re-executed), so that
// no earlier test has started threads: the count before is the baseline.
TEST_F(WheelRepairThreadsTest, VerifyRecordJoinsItsThreads) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // A wheel of many members, so that the check runs on several threads.
  zip::Writer W;
  wheel::Record R;
  for (int I = 0; I < 64; ++I) {
    std::string Name = "pkg/m" + std::to_string(I) + ".py";
    std::string Content(4096, char('a' + I % 26));
    ASSERT_FALSE(W.addEntry(Name, bytes(Content)));
    R.Rows.push_back(wheel::makeRecordRow(Name, bytes(Content)));
  }
  R.Rows.push_back({"pkg-1.0.dist-info/RECORD", "", ""});
  ASSERT_FALSE(W.addEntry("pkg-1.0.dist-info/WHEEL", bytes("Wheel-Version: 1.0\n")));
  R.Rows.insert(R.Rows.end() - 1,
                wheel::makeRecordRow("pkg-1.0.dist-info/WHEEL",
                                     bytes("Wheel-Version: 1.0\n")));
  ASSERT_FALSE(W.addEntry("pkg-1.0.dist-info/RECORD", bytes(R.serialize())));
  std::string Path = path("pkg-1.0-py3-none-any.whl");
  writeFile(Path, materialize(W.finish()));

  EXPECT_EXIT(
      {
        size_t Before = countThreads();
        auto WF = WheelFile::open(Path);
        if (!WF) {
          consumeError(WF.takeError());
          _exit(2);
        }
        if (Error E = (*WF)->verifyRecord(/*AllHashes=*/true)) {
          consumeError(std::move(E));
          _exit(3);
        }
        _exit(threadsDropTo(Before) ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(ForEachIndexJoinedTest, EveryIndexOnceAndNoThreadLeft) {
  size_t Before = countThreads();
  std::vector<std::atomic<int>> Seen(1000);
  // Work enough for a thread per core.
  forEachIndexJoined(Seen.size(), uint64_t(64) * BytesPerThread,
                     [&](size_t I) { ++Seen[I]; });
  for (size_t I = 0; I < Seen.size(); ++I)
    EXPECT_EQ(Seen[I].load(), 1) << I;
  EXPECT_TRUE(threadsDropTo(Before));
  forEachIndexJoined(0, uint64_t(64) * BytesPerThread,
                     [&](size_t) { ADD_FAILURE(); });
}

TEST(ForEachIndexJoinedTest, LittleWorkStartsNoThread) {
  // Less than BytesPerThread in all: every call on the calling thread.
  std::thread::id Caller = std::this_thread::get_id();
  std::vector<std::atomic<int>> Seen(1000);
  std::atomic<int> Elsewhere{0};
  forEachIndexJoined(Seen.size(), BytesPerThread - 1, [&](size_t I) {
    ++Seen[I];
    if (std::this_thread::get_id() != Caller)
      ++Elsewhere;
  });
  for (size_t I = 0; I < Seen.size(); ++I)
    EXPECT_EQ(Seen[I].load(), 1) << I;
  EXPECT_EQ(Elsewhere.load(), 0);
}

TEST(RepairOptionsTest, KeptSectionsNeedAStrip) {
  RepairOptions Opts;
  Opts.KeepSections = {"name"};
  Error E = checkRepairOptions(Opts);
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(toString(std::move(E)),
            "sections to keep given, but nothing is stripped");
  Opts.Strip = StripLevel::All;
  EXPECT_FALSE(bool(checkRepairOptions(Opts)));
}

} // namespace
