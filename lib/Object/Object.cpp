//===- Object.cpp - Section-level model of a wasm module ------------------===//
//
// Names of the model, and how the run-time path is read through an
// RPathPlace (the edits that write it are in RPathEdit.cpp).
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Object.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace wasmrpath {

StringRef dylinkSubsectionName(uint8_t Type) {
  switch (Type) {
  case DylinkMemInfo:
    return "MEM_INFO";
  case DylinkNeeded:
    return "NEEDED";
  case DylinkExportInfo:
    return "EXPORT_INFO";
  case DylinkImportInfo:
    return "IMPORT_INFO";
  case DylinkRuntimePath:
    return "RUNTIME_PATH";
  default:
    return "";
  }
}

std::optional<RPathPlace> parseRPathPlace(StringRef Name) {
  if (Name == "dylink" || Name == DylinkSectionName)
    return RPathPlace::Dylink;
  if (Name == RPathSectionName)
    return RPathPlace::RPathSection;
  if (Name == "both")
    return RPathPlace::Both;
  return std::nullopt;
}

std::vector<std::string> splitSearchPath(StringRef Path) {
  SmallVector<StringRef, 8> Pieces;
  Path.split(Pieces, ':', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  std::vector<std::string> Result;
  for (StringRef P : Pieces)
    Result.push_back(P.str());
  return Result;
}

std::string joinSearchPath(ArrayRef<std::string> Entries) {
  return join(Entries, ":");
}

std::vector<std::string> getRPath(const Object &Obj, RPathPlace Place) {
  if (includesDylink(Place) && Obj.Dylink && Obj.Dylink->RuntimePath)
    return *Obj.Dylink->RuntimePath;
  if (includesRPathSection(Place) && Obj.RPathSection)
    return *Obj.RPathSection;
  return {};
}

std::optional<std::string> describeRPathMismatch(const Object &Obj) {
  return describeRPathMismatch(
      Obj.Dylink ? Obj.Dylink->RuntimePath : std::nullopt, Obj.RPathSection);
}

std::optional<std::string> describeRPathMismatch(
    const std::optional<std::vector<std::string>> &RuntimePath,
    const std::optional<std::vector<std::string>> &RPathSection) {
  if (!RPathSection)
    return std::nullopt;
  if (!RuntimePath)
    return std::string("rpath.0 holds a run-time path but dylink.0 has no "
                       "RUNTIME_PATH; released loaders read only RUNTIME_PATH");
  if (*RuntimePath != *RPathSection)
    return "rpath.0 ('" + joinSearchPath(*RPathSection) +
           "') differs from RUNTIME_PATH ('" + joinSearchPath(*RuntimePath) +
           "')";
  return std::nullopt;
}

} // namespace wasmrpath
