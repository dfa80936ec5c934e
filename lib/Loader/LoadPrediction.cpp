//===- LoadPrediction.cpp - What a sequence of loads ends up with ---------===//
//
// Emscripten's loader replayed over a dependency graph: dependencies first,
// each library once, registrations kept after a failed load.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Resolve.h"
#include "llvm/ADT/StringSet.h"

using namespace llvm;

namespace wasmrpath {

StringRef loadStatusName(LoadStatus S) {
  switch (S) {
  case LoadStatus::Loaded:
    return "loaded";
  case LoadStatus::Failed:
    return "failed";
  case LoadStatus::NotAttempted:
    return "not_attempted";
  case LoadStatus::Stale:
    return "stale";
  }
  llvm_unreachable("unknown LoadStatus");
}

LoadPrediction predictLoad(const DependencyGraph &G,
                           ArrayRef<LoadRequest> Requests) {
  // Emscripten registers a library before loading its dependencies, and
  // keeps the registration when the load fails: a later load that reaches
  // it (by path, or by a name that was not found) takes it as loaded.
  enum State : uint8_t { Unseen, InProgress, Done, Broken };
  std::vector<State> States(G.Nodes.size(), Unseen);
  StringSet<> BrokenNames;
  LoadPrediction P;

  // Loads one root depth first with an explicit stack; false and a reason
  // on failure, Stale set if a stale registration was taken for a library.
  auto LoadOne = [&](size_t Root, std::string &Reason, bool &Stale) {
    struct Frame {
      size_t Node;
      size_t Next = 0;
    };
    std::vector<Frame> Stack;
    auto Fail = [&](const Twine &Why) {
      Reason = Why.str();
      for (const Frame &F : Stack)
        States[F.Node] = Broken;
      return false;
    };
    auto Enter = [&](size_t N) {
      switch (States[N]) {
      case Done:
      case InProgress: // A cycle: Emscripten returns the registration.
        return true;
      case Broken:
        Stale = true;
        return true;
      case Unseen:
        break;
      }
      if (!G.Nodes[N].Error.empty()) {
        States[N] = Broken;
        return Fail("'" + G.Nodes[N].LoaderPath +
                    "' cannot be loaded: " + G.Nodes[N].Error);
      }
      States[N] = InProgress;
      Stack.push_back({N});
      return true;
    };
    if (!Enter(Root))
      return false;
    while (!Stack.empty()) {
      Frame &F = Stack.back();
      const LibraryNode &N = G.Nodes[F.Node];
      if (F.Next == N.Needed.size()) {
        States[F.Node] = Done;
        // The main module is no library: its symbols bind before all.
        if (F.Node != G.Main)
          P.LoadOrder.push_back(F.Node);
        Stack.pop_back();
        continue;
      }
      size_t I = F.Next++;
      if (std::optional<size_t> C = N.Children[I]) {
        if (!Enter(*C))
          return false;
        continue;
      }
      const std::string &Name = N.Needed[I].Name;
      if (!BrokenNames.insert(Name).second) {
        Stale = true;
        continue;
      }
      return Fail("NEEDED '" + Name + "' of " + N.LoaderPath + " not found");
    }
    return true;
  };

  for (const LoadRequest &Req : Requests) {
    std::vector<RootOutcome> &Out = P.Outcomes.emplace_back();
    bool Stopped = false;
    for (size_t Root : Req.Roots) {
      RootOutcome O;
      O.Node = Root;
      if (Stopped) {
        O.Status = LoadStatus::NotAttempted;
        O.Reason = "an earlier module of " + Req.Label + " failed to load";
      } else {
        bool Stale = false;
        if (!LoadOne(Root, O.Reason, Stale)) {
          O.Status = LoadStatus::Failed;
          Stopped = Req.StopAtFirstFailure;
        } else if (Stale) {
          O.Status = LoadStatus::Stale;
          O.Reason = "reaches a library that an earlier failed load left "
                     "registered; its first call kills the runtime";
        }
      }
      Out.push_back(std::move(O));
    }
  }
  return P;
}

} // namespace wasmrpath
