//===- Batch.cpp - Many inputs on worker threads, output in order ---------===//

#include "wasm-rpath/Batch.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/ThreadPool.h"

#include <atomic>
#include <cassert>
#include <memory>

using namespace llvm;

namespace wasmrpath {

namespace {

/// What one input printed, waiting for its turn.
struct InputResult {
  InputResult(bool OutColors, bool ErrColors) : Out(OutColors), Err(ErrColors) {}
  BufferedOutput Out;
  BufferedOutput Err;
  bool Ok = true;
};

/// Writes one input's output. Standard output is flushed before standard
/// error is written, so that on a terminal (or `2>&1`) each input's lines
/// stay together and in order.
void emit(InputResult &R, raw_ostream &Out, raw_ostream &Err) {
  Out << R.Out.text();
  if (!R.Err.text().empty()) {
    Out.flush();
    Err << R.Err.text();
  }
}

/// Groups the inputs by the file they name, each group in input order and
/// the groups in the order of their first input. A path that cannot be
/// examined (a missing file) is a group of its own.
std::vector<SmallVector<size_t, 1>>
groupBySameFile(ArrayRef<std::string> Inputs) {
  std::vector<SmallVector<size_t, 1>> Groups;
  Groups.reserve(Inputs.size());
  DenseMap<sys::fs::UniqueID, size_t> GroupOf;
  for (size_t I = 0; I < Inputs.size(); ++I) {
    sys::fs::UniqueID ID;
    if (!sys::fs::getUniqueID(Inputs[I], ID)) {
      auto [It, New] = GroupOf.try_emplace(ID, Groups.size());
      if (!New) {
        Groups[It->second].push_back(I);
        continue;
      }
    }
    Groups.emplace_back();
    Groups.back().push_back(I);
  }
  return Groups;
}

} // namespace

bool processInputsInOrder(ArrayRef<std::string> Inputs, unsigned Jobs,
                          ProcessInputFn Process, raw_ostream &Out,
                          raw_ostream &Err) {
  const bool OutColors = Out.has_colors(), ErrColors = Err.has_colors();
  unsigned Threads = hardware_concurrency(Jobs).compute_thread_count();
  if (Threads <= 1 || Inputs.size() <= 1) {
    bool AllOk = true;
    for (size_t I = 0; I < Inputs.size(); ++I) {
      InputResult R(OutColors, ErrColors);
      R.Ok = Process(I, R.Out, R.Err);
      emit(R, Out, Err);
      AllOk &= R.Ok;
    }
    return AllOk;
  }

  std::vector<SmallVector<size_t, 1>> Groups = groupBySameFile(Inputs);
  Threads = std::min<size_t>(Threads, Groups.size());
  std::vector<std::unique_ptr<InputResult>> Results(Inputs.size());
  std::unique_ptr<std::atomic<bool>[]> Done(
      new std::atomic<bool>[Inputs.size()]());
  std::atomic<size_t> NextGroup{0};

  // Takes the next group until none is left. Returns false when there is
  // none, after processing one group otherwise.
  auto WorkOnce = [&]() -> bool {
    size_t G = NextGroup.fetch_add(1);
    if (G >= Groups.size())
      return false;
    for (size_t I : Groups[G]) {
      auto R = std::make_unique<InputResult>(OutColors, ErrColors);
      R->Ok = Process(I, R->Out, R->Err);
      Results[I] = std::move(R);
      Done[I].store(true, std::memory_order_release);
    }
    return true;
  };

  // The calling thread is one of the workers. Between its own inputs it
  // writes out every finished input that is next in order, so output
  // streams without the workers ever having to wake it; what is left when
  // the work runs out is written once all workers are done.
  bool AllOk = true;
  size_t NextOut = 0;
  auto EmitReady = [&] {
    for (; NextOut < Inputs.size() &&
           Done[NextOut].load(std::memory_order_acquire);
         ++NextOut) {
      emit(*Results[NextOut], Out, Err);
      AllOk &= Results[NextOut]->Ok;
      Results[NextOut].reset();
    }
  };
  DefaultThreadPool Pool(hardware_concurrency(Threads - 1));
  for (unsigned T = 1; T < Threads; ++T)
    Pool.async([&] {
      while (WorkOnce())
        ;
    });
  while (WorkOnce())
    EmitReady();
  Pool.wait();
  EmitReady();
  assert(NextOut == Inputs.size() && "an input was not processed");
  return AllOk;
}

std::optional<unsigned> parseJobs(StringRef Value) {
  unsigned N;
  if (Value.getAsInteger(10, N))
    return std::nullopt;
  return N;
}

} // namespace wasmrpath
