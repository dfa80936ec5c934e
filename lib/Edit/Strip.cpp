//===- Strip.cpp - Stripping that keeps a module loadable -----------------===//
//
// The rule of Strip.h: which custom sections a strip removes. The sections
// stay in the model, marked; the writer leaves them out.
//
//===----------------------------------------------------------------------===//

#include "Edit/Strip.h"
#include "llvm/ADT/STLExtras.h"

using namespace llvm;

namespace wasmrpath {

bool isStrippedSection(StringRef Name, StripLevel Level,
                       ArrayRef<std::string> Keep) {
  if (Level == StripLevel::None)
    return false;
  // What the loaders need is kept whatever is asked.
  if (Name == DylinkSectionName || Name == LegacyDylinkSectionName ||
      Name == RPathSectionName || is_contained(Keep, Name))
    return false;
  // llvm-objcopy's isDebugSection() (".debug" prefix), and the two
  // sections that point a debugger elsewhere.
  if (Name.starts_with(".debug") || Name == "external_debug_info" ||
      Name == "sourceMappingURL")
    return true;
  if (Level != StripLevel::All)
    return false;
  // llvm-strip --strip-all: also the name, producers (comment) and linker
  // sections.
  return Name == "name" || Name == "producers" || Name == "linking" ||
         Name.starts_with("reloc.");
}

uint64_t stripSections(Object &Obj, StripLevel Level,
                       ArrayRef<std::string> Keep) {
  uint64_t Bytes = 0;
  for (Section &Sec : Obj.Sections) {
    if (!Sec.isCustom() || Sec.Removed ||
        !isStrippedSection(Sec.Name, Level, Keep))
      continue;
    Sec.Removed = true;
    Bytes += Sec.size();
  }
  Obj.RemovedBytes += Bytes;
  return Bytes;
}

} // namespace wasmrpath
