//===- ToolProcessTest.cpp - The library as a guest in its process --------===//
//
// Without a ToolProcess (ToolProcess.h) the library must leave the process
// as it found it: no signal disposition changed by a write, no state kept
// from one call to the next that a long-lived host would see go stale, and
// every entry point usable from several threads at once. These run in the
// test binary, which, like the Python module's host, has no ToolProcess.
//
//===----------------------------------------------------------------------===//

#include "ModuleBuilder.h"
#include "ScratchDir.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/ToolProcess.h"
#include "gtest/gtest.h"
#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

class GuestTest : public ScratchDirTest {
protected:
  std::string module() {
    return preamble() + custom("dylink.0", memInfo()) + body();
  }
  std::string edited(StringRef Entry) {
    return preamble() +
           custom("dylink.0",
                  memInfo() + subsection(5, strVec({Entry.str()}))) +
           body();
  }
  Error edit(StringRef File, StringRef Entry) {
    return editModuleFile(File, [&](Object &Obj) {
      return setRPath(Obj, {Entry.str()}, RPathPlace::Dylink);
    });
  }
};

void hostHandler(int) {}

bool hasHostHandler(int Sig) {
  struct sigaction A;
  return ::sigaction(Sig, nullptr, &A) == 0 && !(A.sa_flags & SA_SIGINFO) &&
         A.sa_handler == hostHandler;
}

// A write registers its temporary file with LLVM's signal handlers only in a
// tool: in a host, the host's handlers (Python's SIGINT handler) must stay.
// Before ToolProcess, the first write installed LLVM's handlers over them.
TEST_F(GuestTest, WritesLeaveTheHostsSignalHandlers) {
  ASSERT_FALSE(ToolProcess::active());
  const int Signals[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR2, SIGXFSZ, SIGSEGV};
  struct sigaction Saved[std::size(Signals)];
  for (size_t I = 0; I < std::size(Signals); ++I) {
    struct sigaction A = {};
    A.sa_handler = hostHandler;
    sigemptyset(&A.sa_mask);
    ASSERT_EQ(::sigaction(Signals[I], &A, &Saved[I]), 0);
  }
  std::string File = path("m.so");
  writeFile(File, module());
  ASSERT_TRUE(succeeded(edit(File, "/x")));
  ASSERT_TRUE(succeeded(edit(File, "/y")));
  EXPECT_EQ(readFile(File), edited("/y"));
  for (size_t I = 0; I < std::size(Signals); ++I) {
    EXPECT_TRUE(hasHostHandler(Signals[I])) << "signal " << Signals[I];
    ::sigaction(Signals[I], &Saved[I], nullptr);
  }
}

// A host keeps the library for hours: a temporary left by a killed writer
// after the library's first write in a directory is still removed by a
// later write there. (A tool reads a directory once per process, which is
// right for a process that ends with its batch.)
TEST_F(GuestTest, StaleTemporariesAreFoundOnEveryWrite) {
  std::string File = path("m.so");
  writeFile(File, module());
  ASSERT_TRUE(succeeded(edit(File, "/x")));
  writeFile(path(".m.so.wasm-rpath-0a1b2c.tmp"), "left by a killed run");
  ASSERT_TRUE(succeeded(edit(File, "/y")));
  EXPECT_EQ(listDir(), (std::vector<std::string>{"m.so"}));
}

// Several threads of a host edit files at once, some of them in the same
// directory and one file from several threads: every call succeeds or
// fails cleanly, and every file ends as one whole result.
TEST_F(GuestTest, EntryPointsFromSeveralThreads) {
  constexpr unsigned Threads = 8, Rounds = 25;
  for (unsigned T = 0; T < Threads; ++T)
    writeFile(path("m" + std::to_string(T) + ".so"), module());
  writeFile(path("shared.so"), module());
  std::atomic<unsigned> Failures{0};
  std::vector<std::thread> Pool;
  for (unsigned T = 0; T < Threads; ++T)
    Pool.emplace_back([&, T] {
      std::string Own = path("m" + std::to_string(T) + ".so");
      for (unsigned R = 0; R < Rounds; ++R) {
        std::string Entry = "/t" + std::to_string(T) + "r" + std::to_string(R);
        if (Error E = edit(Own, Entry)) {
          consumeError(std::move(E));
          ++Failures;
        }
        // On the shared file a concurrent writer may change the input under
        // another (input_changed): a clean error, never a torn file.
        if (Error E = edit(path("shared.so"), "/t" + std::to_string(T)))
          consumeError(std::move(E));
      }
    });
  for (std::thread &T : Pool)
    T.join();
  EXPECT_EQ(Failures.load(), 0u);
  for (unsigned T = 0; T < Threads; ++T)
    EXPECT_EQ(readFile(path("m" + std::to_string(T) + ".so")),
              edited("/t" + std::to_string(T) + "r" +
                     std::to_string(Rounds - 1)));
  std::string Shared = readFile(path("shared.so"));
  bool Whole = false;
  for (unsigned T = 0; T < Threads; ++T)
    Whole |= Shared == edited("/t" + std::to_string(T));
  EXPECT_TRUE(Whole) << "shared.so is none of the results";
  // No temporary file is left by any of them.
  std::vector<std::string> Names = listDir();
  EXPECT_EQ(Names.size(), Threads + 1);
}

} // namespace
