//===- EditPlan.cpp - A whole edit, its rules and its targets -------------===//
//
// The rules of EditPlan.h. They were the option parsing of wasm-set-rpath;
// they live here so that every front end (a tool, the wheel repairer, a
// library user) checks and orders edits the same way.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/EditPlan.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/Reader.h"
#include "wasm-rpath/Writer.h"

using namespace llvm;

namespace wasmrpath {

Error EditPlan::addRPathOperation(RPathOp NewOp, StringRef Option) {
  if (Op != RPathOp::None && Op != NewOp)
    return makeError(errc::invalid_argument,
                     OpOption + " and " + Option + " cannot be used together");
  if (Op == RPathOp::None) {
    Op = NewOp;
    OpOption = Option.str();
  }
  return Error::success();
}

void EditPlan::addRPathEntries(ArrayRef<std::string> New,
                               StringRef Verbatim) {
  Entries.insert(Entries.end(), New.begin(), New.end());
  if (!Verbatim.empty() && VerbatimOption.empty())
    VerbatimOption = Verbatim.str();
}

void EditPlan::setAllowedPrefixes(std::vector<std::string> Prefixes,
                                  StringRef Option) {
  AllowedPrefixes = std::move(Prefixes);
  PrefixesOption = Option.str();
}

Error EditPlan::finalize() {
  if (!VerbatimOption.empty()) {
    // Verbatim entries feed --set-rpath/--add-rpath; on their own they set.
    if (Op == RPathOp::Remove || Op == RPathOp::Shrink)
      return makeError(errc::invalid_argument, VerbatimOption +
                                                   " cannot be used with " +
                                                   OpOption);
    if (Op == RPathOp::None) {
      Op = RPathOp::Set;
      OpOption = VerbatimOption;
    }
  }
  if (!PrefixesOption.empty() && Op != RPathOp::Shrink)
    return makeError(errc::invalid_argument,
                     PrefixesOption + " requires --shrink-rpath");
  for (const std::string &E : Entries)
    if (Error Err = checkEntry(E, "run-time path entry"))
      return Err;
  for (const std::string &N : AddNeeded)
    if (Error Err = checkEntry(N, "NEEDED name"))
      return Err;
  for (const auto &Rename : ReplaceNeeded)
    if (Error Err = checkEntry(Rename.second, "NEEDED name"))
      return Err;
  return Error::success();
}

Error EditPlan::apply(Object &Obj, WasmFileProbe IsWasmModule) const {
  if (!Obj.isSharedLibrary())
    return makeNotSharedLibraryError();
  Error E = Error::success();
  switch (Op) {
  case RPathOp::None:
    break;
  case RPathOp::Set:
    E = setRPath(Obj, Entries, Place);
    break;
  case RPathOp::Add:
    E = addRPath(Obj, Entries, Place);
    break;
  case RPathOp::Remove:
    E = removeRPath(Obj, Place);
    break;
  case RPathOp::Shrink:
    E = shrinkRPath(Obj, Place, AllowedPrefixes, IsWasmModule);
    break;
  }
  if (E)
    return E;
  if (!RemoveNeeded.empty())
    if (Error E = wasmrpath::removeNeeded(Obj, RemoveNeeded))
      return E;
  for (const auto &[Old, New] : ReplaceNeeded)
    if (Error E = wasmrpath::replaceNeeded(Obj, Old, New))
      return E;
  if (!AddNeeded.empty())
    if (Error E = wasmrpath::addNeeded(Obj, AddNeeded))
      return E;
  return Error::success();
}

Error checkOutputOptions(StringRef Output, bool InPlace, size_t NumInputs) {
  if (InPlace && !Output.empty())
    return makeError(errc::invalid_argument,
                     "--in-place cannot be used with --output");
  if (NumInputs == 0)
    return makeError(errc::invalid_argument, "no input files");
  if (!Output.empty() && NumInputs != 1)
    return makeError(errc::invalid_argument,
                     "--output requires exactly one input file");
  return Error::success();
}

Expected<bool> editModuleBuffer(ArrayRef<uint8_t> In,
                                function_ref<Error(Object &)> Edit,
                                raw_ostream &OS) {
  Expected<Object> Obj = readObject(In);
  if (!Obj)
    return Obj.takeError();
  if (Error E = Edit(*Obj))
    return E;
  writeObject(*Obj, OS);
  return Obj->isModified();
}

} // namespace wasmrpath
