//===- ToolProcess.cpp - What a tool may do to its process ----------------===//
//
// See ToolProcess.h. The library's file layer asks ToolProcess::active()
// before it touches anything that belongs to the whole process.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/ToolProcess.h"
#include <atomic>
#include <cassert>
#include <csignal>
#include <pthread.h>

using namespace llvm;

namespace wasmrpath {

namespace {

std::atomic<bool> Active{false};

/// The signals on which LLVM's handler removes the files registered with
/// sys::RemoveFileOnSignal() and then re-raises the signal.
constexpr int InterruptSignals[] = {SIGHUP, SIGINT, SIGTERM, SIGUSR2};

/// The interrupt signals that were ignored when the ToolProcess was made;
/// written once, before any other thread exists.
sigset_t IgnoredAtStart;

sigset_t interruptSignals() {
  sigset_t Set;
  sigemptyset(&Set);
  for (int Sig : InterruptSignals)
    sigaddset(&Set, Sig);
  return Set;
}

/// Gives the interrupt signals ignored at start their SIG_IGN back, over
/// LLVM's handler. That handler is installed with SA_RESETHAND: a second
/// signal arriving while it runs, before it puts the old disposition
/// back, would find SIG_DFL and end the process. So an ignored signal must
/// never reach it, not even once.
void restoreIgnoredSignals() {
  for (int Sig : InterruptSignals)
    if (sigismember(&IgnoredAtStart, Sig) == 1)
      ::signal(Sig, SIG_IGN);
}

} // namespace

ToolProcess::ToolProcess(int &Argc, const char **&Argv) {
  assert(!Active && "only one ToolProcess, in main()");
  // Interrupts are held back while LLVM's handlers go in and the ignored
  // ones are put back: one that arrives meanwhile stays pending, and is
  // discarded when its disposition becomes SIG_IGN again.
  sigset_t Block = interruptSignals(), Old;
  ::pthread_sigmask(SIG_BLOCK, &Block, &Old);
  sigemptyset(&IgnoredAtStart);
  for (int Sig : InterruptSignals) {
    struct sigaction Action;
    if (::sigaction(Sig, nullptr, &Action) == 0 &&
        !(Action.sa_flags & SA_SIGINFO) && Action.sa_handler == SIG_IGN)
      sigaddset(&IgnoredAtStart, Sig);
  }
  Init.emplace(Argc, Argv);
  restoreIgnoredSignals();
#ifdef SIGXFSZ
  // Past RLIMIT_FSIZE, a write fails with EFBIG and is reported like a
  // full disk; the default action (and LLVM's handler, which re-raises)
  // would end the process in the middle of a write.
  ::signal(SIGXFSZ, SIG_IGN);
#endif
  Active = true;
  ::pthread_sigmask(SIG_SETMASK, &Old, nullptr);
}

ToolProcess::~ToolProcess() { Active = false; }

bool ToolProcess::active() { return Active; }

void withInterruptsHeld(function_ref<void()> F) {
  if (!Active) {
    F();
    return;
  }
  sigset_t Block = interruptSignals(), Old;
  ::pthread_sigmask(SIG_BLOCK, &Block, &Old);
  F();
  restoreIgnoredSignals();
  ::pthread_sigmask(SIG_SETMASK, &Old, nullptr);
}

} // namespace wasmrpath
