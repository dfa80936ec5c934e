//===- Glob.cpp - Lists of shell patterns for names -----------------------===//
//
// GlobList: compiling once, matching many names.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Glob.h"

#include "wasm-rpath/Error.h"
#include "llvm/ADT/STLExtras.h"

using namespace llvm;

namespace wasmrpath {

Expected<GlobList> GlobList::create(ArrayRef<std::string> Patterns) {
  auto C = std::make_shared<Compiled>();
  // The text is in place before compiling: the patterns refer to it, and
  // the vector must not grow under them.
  C->Text.assign(Patterns.begin(), Patterns.end());
  C->Patterns.reserve(C->Text.size());
  for (const std::string &P : C->Text) {
    Expected<GlobPattern> G = GlobPattern::create(P);
    if (!G)
      return makeError(errc::invalid_argument, "invalid pattern '" + P +
                                                   "': " +
                                                   toString(G.takeError()));
    C->Patterns.push_back(std::move(*G));
  }
  GlobList L;
  L.State = std::move(C);
  return L;
}

bool GlobList::match(StringRef Name) const {
  return State && any_of(State->Patterns,
                         [&](const GlobPattern &G) { return G.match(Name); });
}

} // namespace wasmrpath
