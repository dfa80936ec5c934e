//===- EditRoundTripFuzzer.cpp - libFuzzer target: read, edit, write, re-read -===//
//
// Feeds arbitrary bytes through the whole library path and checks, inside
// the target, the invariants the tools promise:
//  * the reader never crashes and never accepts what it then cannot write;
//  * the output of an edit parses again, and reads back what was set;
//  * every section other than dylink.0/rpath.0 is byte-identical and in the
//    same order, and every dylink.0 subsection other than NEEDED and
//    RUNTIME_PATH is byte-identical (unknown types included);
//  * applying the same edit again changes nothing.
// The input is a module; the edit is derived from its last bytes.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/Writer.h"
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
  writeObject(Obj, OS);
  return Out;
}

std::vector<ArrayRef<uint8_t>> otherSections(const Object &Obj) {
  std::vector<ArrayRef<uint8_t>> Result;
  for (size_t I = 0; I < Obj.Sections.size(); ++I)
    if (I != Obj.DylinkIndex && I != Obj.RPathIndex)
      Result.push_back(
          Obj.Data.slice(Obj.Sections[I].Offset, Obj.Sections[I].size()));
  return Result;
}

std::vector<ArrayRef<uint8_t>> otherSubsections(const Object &Obj) {
  std::vector<ArrayRef<uint8_t>> Result;
  for (const DylinkSubsection &S : Obj.Dylink->Subsections)
    if (S.Type != DylinkNeeded && S.Type != DylinkRuntimePath)
      Result.push_back(S.Raw);
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
    return shrinkRPath(Obj, Place, {}, [](StringRef) { return false; });
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
  check(otherSections(*Obj) == otherSections(*Again),
        "an untouched section changed");
  check(otherSubsections(*Obj) == otherSubsections(*Again),
        "an untouched subsection changed");
  check(Again->Dylink->Needed == Obj->Dylink->Needed, "NEEDED not kept");
  check(Again->Dylink->RuntimePath.value_or(std::vector<std::string>()) ==
            Obj->Dylink->RuntimePath.value_or(std::vector<std::string>()),
        "RUNTIME_PATH not kept");
  check(Again->RPathSection.value_or(std::vector<std::string>()) ==
            Obj->RPathSection.value_or(std::vector<std::string>()),
        "rpath.0 not kept");
  // A written module has rpath.0 right after dylink.0; an unmodified one is
  // an exact copy and keeps it wherever it was.
  if (Obj->isModified() && Again->RPathIndex)
    check(*Again->RPathIndex == 1, "rpath.0 not right after dylink.0");

  // Idempotence: the same edit on the output changes nothing.
  Error E = applyEdit(*Again, Selector);
  check(!E, "second application failed");
  consumeError(std::move(E));
  check(!Again->isModified(), "edit is not idempotent");
  return 0;
}
