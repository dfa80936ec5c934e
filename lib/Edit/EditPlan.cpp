//===- EditPlan.cpp - A whole edit, its rules and its targets -------------===//
//
// The rules of EditPlan.h. They were the option parsing of wasm-set-rpath;
// they live here so that every front end (a tool, the wheel repairer, a
// library user) checks and orders edits the same way. Their messages name
// the parts of a plan, never a tool's options: a tool words a
// PlanConflictError in its own spellings.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/EditPlan.h"
#include "Edit/Strip.h"
#include "Object/Writer.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/Reader.h"

using namespace llvm;

namespace wasmrpath {

char PlanConflictError::ID = 0;

StringRef describePlanPart(PlanPart P) {
  switch (P) {
  case PlanPart::SetRPath:
    return "setting the run-time path";
  case PlanPart::AddRPath:
    return "adding run-time path entries";
  case PlanPart::RemoveRPath:
    return "removing the run-time path";
  case PlanPart::ShrinkRPath:
    return "shrinking the run-time path";
  case PlanPart::RPathEntries:
    return "verbatim run-time path entries";
  case PlanPart::AllowedPrefixes:
    return "allowed run-time path prefixes";
  case PlanPart::Strip:
    return "stripping";
  case PlanPart::KeepSections:
    return "kept sections";
  }
  return "an edit";
}

void PlanConflictError::log(raw_ostream &OS) const {
  if (K == Kind::Requires)
    OS << describePlanPart(First) << " apply only when "
       << describePlanPart(Second);
  else
    OS << describePlanPart(First) << " and " << describePlanPart(Second)
       << " cannot be combined";
}

std::error_code PlanConflictError::convertToErrorCode() const {
  return make_error_code(errc::invalid_argument);
}

namespace {

PlanPart partOf(RPathOp Op) {
  switch (Op) {
  case RPathOp::Set:
  case RPathOp::None:
    return PlanPart::SetRPath;
  case RPathOp::Add:
    return PlanPart::AddRPath;
  case RPathOp::Remove:
    return PlanPart::RemoveRPath;
  case RPathOp::Shrink:
    return PlanPart::ShrinkRPath;
  }
  return PlanPart::SetRPath;
}

} // namespace

Error EditPlan::recordOperation(RPathOp NewOp) {
  if (Op != RPathOp::None && Op != NewOp)
    return make_error<PlanConflictError>(PlanConflictError::Kind::Exclusive,
                                         partOf(Op), partOf(NewOp));
  Op = NewOp;
  return Error::success();
}

Error EditPlan::setRPath(ArrayRef<std::string> New) {
  if (Error E = recordOperation(RPathOp::Set))
    return E;
  Entries.insert(Entries.end(), New.begin(), New.end());
  return Error::success();
}

Error EditPlan::addRPath(ArrayRef<std::string> New) {
  if (Error E = recordOperation(RPathOp::Add))
    return E;
  Entries.insert(Entries.end(), New.begin(), New.end());
  return Error::success();
}

Error EditPlan::removeRPath() { return recordOperation(RPathOp::Remove); }

Error EditPlan::shrinkRPath() { return recordOperation(RPathOp::Shrink); }

void EditPlan::addRPathEntries(ArrayRef<std::string> New) {
  Entries.insert(Entries.end(), New.begin(), New.end());
  HasLooseEntries = true;
}

void EditPlan::setAllowedPrefixes(std::vector<std::string> Prefixes) {
  AllowedPrefixes = std::move(Prefixes);
  HasPrefixes = true;
}

Error EditPlan::finalize() {
  if (HasLooseEntries) {
    // Loose entries feed a set or an add; on their own they set.
    if (Op == RPathOp::Remove || Op == RPathOp::Shrink)
      return make_error<PlanConflictError>(PlanConflictError::Kind::Exclusive,
                                           PlanPart::RPathEntries, partOf(Op));
    if (Op == RPathOp::None)
      Op = RPathOp::Set;
  }
  if (HasPrefixes && Op != RPathOp::Shrink)
    return make_error<PlanConflictError>(PlanConflictError::Kind::Requires,
                                         PlanPart::AllowedPrefixes,
                                         PlanPart::ShrinkRPath);
  if (!Keep.empty() && Strip == StripLevel::None)
    return make_error<PlanConflictError>(PlanConflictError::Kind::Requires,
                                         PlanPart::KeepSections,
                                         PlanPart::Strip);
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
    E = wasmrpath::setRPath(Obj, Entries, Place);
    break;
  case RPathOp::Add:
    E = wasmrpath::addRPath(Obj, Entries, Place);
    break;
  case RPathOp::Remove:
    E = wasmrpath::removeRPath(Obj, Place);
    break;
  case RPathOp::Shrink:
    E = wasmrpath::shrinkRPath(Obj, Place, AllowedPrefixes, IsWasmModule);
    break;
  }
  if (E)
    return E;
  if (!RemoveNeeded.empty())
    if (Error E = wasmrpath::removeNeeded(Obj, RemoveNeeded))
      return E;
  if (!ReplaceNeeded.empty())
    if (Error E = wasmrpath::replaceNeeded(Obj, ReplaceNeeded))
      return E;
  if (!AddNeeded.empty())
    if (Error E = wasmrpath::addNeeded(Obj, AddNeeded))
      return E;
  stripSections(Obj, Strip, Keep);
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
  if (Error E = writeObject(*Obj, OS))
    return std::move(E);
  return Obj->isModified();
}

} // namespace wasmrpath
