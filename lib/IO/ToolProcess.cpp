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
#include <climits>
#include <cstdint>
#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

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

void ToolProcess::reserveHeap(size_t Bytes) {
#if defined(__GLIBC__) && defined(MADV_POPULATE_WRITE)
  // Nothing is changed unless the kernel can fault pages in this way
  // (Linux 5.14; an unknown advice is EINVAL before the empty range is
  // looked at), nor under a memory limit: the padding below stays for the
  // whole process, and would make every later growth ask for Bytes more.
  uintptr_t Page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  uintptr_t End = reinterpret_cast<uintptr_t>(::sbrk(0));
  if (::madvise(reinterpret_cast<void *>(End & ~(Page - 1)), 0,
                MADV_POPULATE_WRITE) != 0)
    return;
  for (int Resource : {RLIMIT_AS, RLIMIT_DATA}) {
    struct rlimit Limit;
    if (::getrlimit(Resource, &Limit) != 0 || Limit.rlim_cur != RLIM_INFINITY)
      return;
  }
  // The heap grows, and is trimmed, Bytes at a time from now on (which
  // also fixes glibc's mmap threshold at its default). Blocks below that
  // threshold (128 KiB) are taken until the heap has grown (its first
  // growth adds Bytes), then given back; the whole heap is then faulted
  // in with one call.
  if (::mallopt(M_TOP_PAD,
                static_cast<int>(std::min<size_t>(Bytes, INT_MAX))) != 1)
    return;
  size_t Before = ::mallinfo2().arena;
  void *Blocks[64];
  size_t N = 0;
  while (N < 64 && ::mallinfo2().arena == Before)
    if (!(Blocks[N++] = ::malloc(64 * 1024)))
      break;
  for (size_t I = 0; I < N; ++I)
    ::free(Blocks[I]);
  End = reinterpret_cast<uintptr_t>(::sbrk(0));
  uintptr_t Start = (End - ::mallinfo2().arena + Page - 1) & ~(Page - 1);
  if (Start < End)
    ::madvise(reinterpret_cast<void *>(Start), End - Start,
              MADV_POPULATE_WRITE);
#else
  (void)Bytes;
#endif
}

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
