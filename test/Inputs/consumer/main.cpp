// rpath-info: print the NEEDED libraries and the run-time path of side
// modules; with --set PATH, first give them that run-time path.
//
//   rpath-info [--set PATH] FILE...

#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Reader.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace wasmrpath;

// Reads a module without changing it: open (a mapping), parse, look.
static Error show(StringRef Path) {
  Expected<std::unique_ptr<InputFile>> In = InputFile::open(Path);
  if (!In)
    return createFileError(Path, In.takeError());
  Expected<Object> Obj = readObject((*In)->data());
  if (!Obj)
    return createFileError(Path, Obj.takeError());
  if (!Obj->isSharedLibrary())
    return createFileError(Path, createStringError(inconvertibleErrorCode(),
                                                   "not a side module"));
  outs() << Path << ": needs";
  for (const std::string &Name : Obj->Dylink->Needed)
    outs() << ' ' << Name;
  // RUNTIME_PATH, what the loaders read.
  outs() << "; run-time path '"
         << joinSearchPath(getRPath(*Obj, RPathPlace::Dylink)) << "'\n";
  return Error::success();
}

int main(int argc, char **argv) {
  ExitOnError Check("rpath-info: ");
  int First = 1;
  if (argc > 2 && StringRef(argv[1]) == "--set") {
    std::vector<std::string> Entries = splitSearchPath(argv[2]);
    First = 3;
    // Read, edit, and write back atomically (only if something changed).
    for (int I = First; I < argc; ++I)
      Check(editModuleFile(argv[I], [&](Object &Obj) {
        return setRPath(Obj, Entries, RPathPlace::Both);
      }));
  }
  for (int I = First; I < argc; ++I)
    Check(show(argv[I]));
  return 0;
}
