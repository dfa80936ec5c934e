//===- Object.cpp - Section-level model of a wasm module ------------------===//

#include "wasm-rpath/Object.h"

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

} // namespace wasmrpath
