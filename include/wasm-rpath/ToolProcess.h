//===- wasm-rpath/ToolProcess.h - What a tool may do to its process -*- C++ -*-===//
//
// The library is a guest in the process that calls it: a long-lived host
// (the Python module inside pyodide-build, a build system) keeps its own
// signal dispositions, limits and caches, and the library changes none of
// them. A tool owns its process and wants more, and says so by constructing
// a ToolProcess first thing in main(), in place of llvm::InitLLVM:
//
//   - LLVM's handlers for fatal and interrupt signals, so that a temporary
//     file of an atomic write is removed when the process is ended;
//   - interrupt signals that the process started with ignored (nohup, `&`
//     in a script) stay ignored, instead of reaching LLVM's handler, which
//     would remove the temporary file and let the run go on to fail;
//   - SIGXFSZ ignored, so that a write past RLIMIT_FSIZE (ulimit -f) is an
//     EFBIG error rather than the end of the process in the middle of it;
//   - stale temporary files are looked for once per directory and process
//     (a batch of thousands of files in one directory reads it once).
//
// Without a ToolProcess the library installs no handler and reads the
// directory at each write; a host that ignores SIGXFSZ (CPython does) gets
// EFBIG too.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_TOOLPROCESS_H
#define WASM_RPATH_TOOLPROCESS_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/InitLLVM.h"
#include <optional>

namespace wasmrpath {

class ToolProcess {
public:
  /// Sets up the process as described above, with llvm::InitLLVM (stack
  /// traces on crashes, argument conversion) as part of it. Only one may
  /// exist, in main().
  ToolProcess(int &Argc, const char **&Argv);
  ToolProcess(int &Argc, char **&Argv)
      : ToolProcess(Argc, const_cast<const char **&>(Argv)) {}
  ~ToolProcess();
  ToolProcess(const ToolProcess &) = delete;
  ToolProcess &operator=(const ToolProcess &) = delete;

  /// True while a ToolProcess exists: the library may then register files
  /// for removal on signals and cache per-process state.
  static bool active();

  /// Makes the heap \p Bytes larger at once and faults its pages in with
  /// one system call, and keeps that much when memory is freed: a tool
  /// that will use about that much memory then takes no page fault for
  /// it. Touched one at a time, on the virtual machines measured, a page
  /// costs 13 us; faulted in together, 0.9 us (docs/performance.md). For
  /// a short run that allocates little at a time: it fixes glibc's mmap
  /// threshold, which otherwise adapts to large blocks. Changes nothing
  /// under an address-space or data limit, or where the C library (not
  /// glibc) or the kernel (before Linux 5.14) cannot do this.
  void reserveHeap(size_t Bytes);

private:
  std::optional<llvm::InitLLVM> Init;
};

/// Runs \p F, which may register a file for removal on signals (and so
/// install LLVM's handlers), with the interrupt signals blocked in this
/// thread, and gives the signals that were ignored when the ToolProcess was
/// made their SIG_IGN back before unblocking them: one that arrives
/// meanwhile stays pending and is discarded, instead of reaching LLVM's
/// handler. Outside a ToolProcess it just runs \p F.
void withInterruptsHeld(llvm::function_ref<void()> F);

} // namespace wasmrpath

#endif // WASM_RPATH_TOOLPROCESS_H
