//===- EditRoundTripFuzzer.cpp - libFuzzer target: read, edit, write, re-read -===//
//
// Feeds arbitrary bytes through the whole library path and checks, inside
// the target, the invariants the tools promise:
//  * the reader never crashes and never accepts what it then cannot write;
//  * the output of an edit parses again, and reads back what was set;
//  * every section other than dylink.0 is byte-identical and in the same
//    order, rpath.0 included unless the edit changed it (an empty or padded
//    rpath.0 too); a present rpath.0 with no entries is not an absent one;
//  * every dylink.0 subsection that the edit did not change is
//    byte-identical (unknown types included), and the subsections kept come
//    out in the input's order, whatever that order is;
//  * applying the same edit again changes nothing.
// The input is a module; the edit is derived from its last bytes.
//
//===----------------------------------------------------------------------===//

#include "Object/Writer.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Reader.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdlib>

using namespace llvm;
using namespace wasmrpath;

namespace {

void check(bool Cond, const char *What) {
  if (!Cond) {
    errs() << "invariant violated: " << What << "\n";
    abort();
  }
}

std::string write(const Object &Obj) {
  std::string Out;
  raw_string_ostream OS(Out);
  cantFail(writeObject(Obj, OS));
  return Out;
}

/// The sections that must be copied verbatim: all but dylink.0, and but
/// rpath.0 if \p SkipRPath (the edit changed it).
std::vector<ArrayRef<uint8_t>> keptSections(const Object &Obj,
                                            bool SkipRPath) {
  std::vector<ArrayRef<uint8_t>> Result;
  for (size_t I = 0; I < Obj.Sections.size(); ++I)
    if (I != Obj.DylinkIndex && !(SkipRPath && I == Obj.RPathIndex))
      Result.push_back(
          Obj.Data.slice(Obj.Sections[I].Offset, Obj.Sections[I].size()));
  return Result;
}

/// The raw subsections other than those of the types in \p Changed.
std::vector<ArrayRef<uint8_t>>
keptSubsections(const Object &Obj, ArrayRef<uint8_t> Changed) {
  std::vector<ArrayRef<uint8_t>> Result;
  for (const DylinkSubsection &S : Obj.Dylink->Subsections)
    if (!is_contained(Changed, S.Type))
      Result.push_back(S.Raw);
  return Result;
}

/// The subsection types of \p Obj, in file order, that \p Other has too.
std::vector<uint8_t> sharedTypeOrder(const Object &Obj, const Object &Other) {
  std::vector<uint8_t> Result;
  for (const DylinkSubsection &S : Obj.Dylink->Subsections)
    if (any_of(Other.Dylink->Subsections,
               [&](const DylinkSubsection &O) { return O.Type == S.Type; }))
      Result.push_back(S.Type);
  return Result;
}

/// One edit, chosen by a selector byte.
Error applyEdit(Object &Obj, uint8_t Selector) {
  static const std::vector<std::string> Paths = {"$ORIGIN/../lib", "/usr/lib",
                                                 "C:/x:y"};
  RPathPlace Place = static_cast<RPathPlace>((Selector >> 4) % 3);
  switch (Selector % 7) {
  case 0:
    return setRPath(Obj, Paths, Place);
  case 1:
    return addRPath(Obj, {Paths[1]}, Place);
  case 2:
    return removeRPath(Obj, Place);
  case 3:
    return addNeeded(Obj, {"libfuzz.so"});
  case 4:
    return removeNeeded(Obj, {"libb.so"});
  case 5:
    return replaceNeeded(Obj, "libb.so", "libc.so");
  default:
    // No file system: nothing is found, and nothing is listed.
    return shrinkRPath(
        Obj, Place, {}, [](StringRef) { return false; },
        [](StringRef) { return std::optional<StringSet<>>(); });
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size == 0)
    return 0;
  uint8_t Selector = Data[Size - 1];
  ArrayRef<uint8_t> Input(Data, Size - 1);

  Expected<Object> Obj = readObject(Input);
  if (!Obj) {
    consumeError(Obj.takeError());
    return 0;
  }
  // Unmodified output is the input.
  check(write(*Obj) == toStringRef(Input), "unedited output differs");
  if (!Obj->isSharedLibrary())
    return 0;

  if (Error E = applyEdit(*Obj, Selector)) {
    consumeError(std::move(E));
    check(!Obj->isModified(), "failed edit modified the object");
    return 0;
  }
  std::string Out = write(*Obj);
  Expected<Object> Again = readObject(arrayRefFromStringRef(Out));
  check(bool(Again), "output does not parse");
  if (!Again) {
    consumeError(Again.takeError());
    return 0;
  }
  check(Again->Sections.size() >= 1 && Again->DylinkIndex == 0u,
        "dylink section not first");
  bool RPathChanged = Obj->rpathSectionChanged();
  check(keptSections(*Obj, RPathChanged) == keptSections(*Again, RPathChanged),
        "an untouched section changed or moved");
  std::vector<uint8_t> Changed;
  if (Obj->Dylink->neededChanged())
    Changed.push_back(DylinkNeeded);
  if (Obj->Dylink->runtimePathChanged())
    Changed.push_back(DylinkRuntimePath);
  check(keptSubsections(*Obj, Changed) == keptSubsections(*Again, Changed),
        "an untouched subsection changed");
  check(sharedTypeOrder(*Obj, *Again) == sharedTypeOrder(*Again, *Obj),
        "dylink.0 subsections reordered");
  check(Again->Dylink->Needed == Obj->Dylink->Needed, "NEEDED not kept");
  check(Again->Dylink->RuntimePath == Obj->Dylink->RuntimePath,
        "RUNTIME_PATH not kept");
  // Absent and empty are different things: an empty rpath.0 that the edit
  // did not touch is still there.
  check(Again->RPathSection == Obj->RPathSection, "rpath.0 not kept");
  // A changed rpath.0 is written right after dylink.0; an unchanged one
  // stays where it was.
  if (RPathChanged && Again->RPathIndex)
    check(*Again->RPathIndex == 1, "rpath.0 not right after dylink.0");
  if (!RPathChanged && Obj->RPathIndex)
    check(Again->RPathIndex && Again->Sections[*Again->RPathIndex].Offset ==
                                   Obj->Sections[*Obj->RPathIndex].Offset +
                                       (Again->Sections[0].End -
                                        Obj->Sections[0].End),
          "an untouched rpath.0 moved");

  // Idempotence: the same edit on the output changes nothing.
  Error E = applyEdit(*Again, Selector);
  check(!E, "second application failed");
  consumeError(std::move(E));
  check(!Again->isModified(), "edit is not idempotent");
  return 0;
}
