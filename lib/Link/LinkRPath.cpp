//===- LinkRPath.cpp - The run-time path at link time ---------------------===//
//
// Implements writeLinkRPath(): one read-edit-write of the linker's output
// through editModuleFile(), with setRPath() doing the edit, so that the
// layout rules (where RUNTIME_PATH and rpath.0 go) stay in the writer.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/LinkRPath.h"
#include "wasm-rpath/FileIO.h"

using namespace llvm;

namespace wasmrpath {

Expected<LinkOutputKind> writeLinkRPath(StringRef Path,
                                        ArrayRef<std::string> Entries,
                                        RPathPlace Place) {
  LinkOutputKind Kind = LinkOutputKind::SharedLibrary;
  Error E = editModuleFile(Path, [&](Object &Obj) -> Error {
    if (!Obj.isSharedLibrary()) {
      Kind = LinkOutputKind::NoDylinkSection;
      return Error::success();
    }
    // setRPath() with no entries would remove a path; a link without rpath
    // flags must leave the module as the linker wrote it.
    if (Entries.empty())
      return Error::success();
    return setRPath(Obj, Entries, Place);
  });
  if (E)
    return E;
  return Kind;
}

} // namespace wasmrpath
