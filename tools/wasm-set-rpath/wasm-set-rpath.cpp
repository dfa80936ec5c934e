//===- wasm-set-rpath.cpp - Edit the run-time path of wasm side modules ---===//
//
// The patchelf of WebAssembly: prints and edits the run-time path
// (RUNTIME_PATH of dylink.0 and the rpath.0 section) and the NEEDED list of
// Emscripten side modules. This file only parses options and prints; the
// rules live in the wasm-rpath library.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Batch.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/EditPlan.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Version.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/Option.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace llvm::opt;
using namespace wasmrpath;

namespace {

#include "ToolOptTable.h"

StringRef ToolName;

struct Config {
  bool PrintRPath = false;
  bool PrintNeeded = false;
  bool Json = false;
  EditPlan Plan;
  std::string Output;
  bool InPlace = false;
  std::vector<std::string> Inputs;
  unsigned Jobs = 1;
};

Error usageError(const Twine &Msg) {
  return makeError(errc::invalid_argument, Msg);
}

Expected<Config> parseCommandLine(const opt::InputArgList &Args) {
  Config C;
  for (const opt::Arg *A : Args.filtered(OPT_UNKNOWN))
    return usageError("unknown argument '" + A->getAsString(Args) + "'");
  C.PrintRPath = Args.hasArg(OPT_print_rpath);
  C.PrintNeeded = Args.hasArg(OPT_print_needed);
  C.Json = Args.hasArg(OPT_json);

  // The options become an EditPlan, which knows which of them exclude each
  // other; only the spellings are this tool's.
  EditPlan &Plan = C.Plan;
  for (auto [Id, Name, Op] :
       {std::tuple{OPT_set_rpath, "--set-rpath", RPathOp::Set},
        std::tuple{OPT_add_rpath, "--add-rpath", RPathOp::Add},
        std::tuple{OPT_remove_rpath, "--remove-rpath", RPathOp::Remove},
        std::tuple{OPT_shrink_rpath, "--shrink-rpath", RPathOp::Shrink}})
    if (Args.hasArg(Id))
      if (Error E = Plan.addRPathOperation(Op, Name))
        return E;
  // Entries in command-line order, whichever option carried them.
  Plan.addRPathEntries(
      collectSearchEntries(Args, {OPT_set_rpath, OPT_add_rpath},
                           OPT_rpath_entry),
      Args.hasArg(OPT_rpath_entry) ? "--rpath-entry" : "");
  if (const opt::Arg *A = Args.getLastArg(OPT_allowed_rpath_prefixes))
    Plan.setAllowedPrefixes(splitSearchPath(A->getValue()),
                            "--allowed-rpath-prefixes");
  if (const opt::Arg *A = Args.getLastArg(OPT_rpath_section)) {
    std::optional<RPathPlace> P = parseRPathPlace(A->getValue());
    if (!P)
      return usageError("invalid --rpath-section '" + StringRef(A->getValue()) +
                        "' (expected dylink, rpath.0 or both)");
    Plan.setPlace(*P);
  }
  for (const opt::Arg *A : Args.filtered(OPT_add_needed, OPT_remove_needed,
                                         OPT_replace_needed)) {
    if (A->getOption().matches(OPT_add_needed))
      Plan.addNeeded(A->getValue());
    else if (A->getOption().matches(OPT_remove_needed))
      Plan.removeNeeded(A->getValue());
    else
      Plan.replaceNeeded(A->getValue(0), A->getValue(1));
  }
  // Bad values are usage errors, reported once before any file is touched.
  if (Error E = Plan.finalize())
    return E;

  C.Output = Args.getLastArgValue(OPT_output).str();
  C.InPlace = Args.hasArg(OPT_in_place);
  if (const opt::Arg *A = Args.getLastArg(OPT_jobs)) {
    std::optional<unsigned> Jobs = parseJobs(A->getValue());
    if (!Jobs)
      return usageError("invalid number of jobs '" + StringRef(A->getValue()) +
                        "'");
    C.Jobs = *Jobs;
  }
  C.Inputs = Args.getAllArgValues(OPT_INPUT);
  if (Error E = checkOutputOptions(C.Output, C.InPlace, C.Inputs.size()))
    return E;
  if (Plan.empty() && !C.PrintRPath && !C.PrintNeeded && !C.Json)
    return usageError("nothing to do: give an operation (see --help)");
  return C;
}

json::Value stringArray(ArrayRef<std::string> Strings) {
  json::Array A;
  for (const std::string &S : Strings)
    A.push_back(S);
  return A;
}

json::Value optionalStringArray(const std::optional<std::vector<std::string>> &S) {
  return S ? stringArray(*S) : json::Value(nullptr);
}

json::Object describe(StringRef File, const Object &Obj) {
  const DylinkInfo &Info = *Obj.Dylink;
  return json::Object{
      {"file", File},
      {"dylink_section", Info.IsLegacy ? "dylink" : "dylink.0"},
      {"needed", stringArray(Info.Needed)},
      {"runtime_path", optionalStringArray(Info.RuntimePath)},
      {"rpath.0", optionalStringArray(Obj.RPathSection)},
  };
}

/// Processes one input. It may run on a worker thread (-j), so it prints
/// only to \p Out and \p Err and stores its JSON object in \p Json.
Error processFile(const Config &C, StringRef File, bool Prefix,
                  raw_ostream &Out, raw_ostream &Err,
                  std::optional<json::Value> &Json) {
  return editModuleFile(
      File,
      [&](Object &Obj) -> Error {
        if (!Obj.isSharedLibrary())
          return makeNotSharedLibraryError();
        // As patchelf does, printing shows the module as it was read.
        // Names and entries come from the module, which may be hostile:
        // shown escaped (Display.h), so that they can neither drive the
        // terminal nor forge lines. --json escapes in its own way.
        if (C.PrintRPath) {
          if (std::optional<std::string> Mismatch = describeRPathMismatch(Obj);
              Mismatch && C.Plan.place() == RPathPlace::Both)
            WithColor::warning(Err, ToolName)
                << "'" << escapeForDisplay(File)
                << "': " << escapeForDisplay(*Mismatch) << "\n";
          if (Prefix)
            Out << escapeForDisplay(File) << ": ";
          Out << escapeForDisplay(joinSearchPath(getRPath(Obj, C.Plan.place())))
              << "\n";
        }
        if (C.PrintNeeded)
          for (const std::string &Name : Obj.Dylink->Needed) {
            if (Prefix)
              Out << escapeForDisplay(File) << ": ";
            Out << escapeForDisplay(Name) << "\n";
          }
        if (C.Json)
          Json = describe(File, Obj);
        return C.Plan.apply(Obj, isWasmModuleFile);
      },
      C.Output, C.InPlace ? WriteMode::InPlace : WriteMode::Replace);
}

} // namespace

int main(int Argc, char **Argv) {
  InitLLVM X(Argc, Argv);
  ignoreFileSizeSignal();
  ToolName = sys::path::filename(Argv[0]);
  ToolOptTable T;
  // @FILE arguments are replaced by the arguments in FILE (GNU quoting), so
  // that thousands of inputs fit in one call.
  BumpPtrAllocator Alloc;
  SmallVector<const char *, 0> ArgvVec(Argv + 1, Argv + Argc);
  if (Error E = cl::ExpansionContext(Alloc, cl::TokenizeGNUCommandLine)
                    .expandResponseFiles(ArgvVec)) {
    WithColor::error(errs(), ToolName) << toString(std::move(E)) << "\n";
    return 1;
  }
  unsigned MissingIndex, MissingCount;
  opt::InputArgList Args = T.ParseArgs(ArgvVec, MissingIndex, MissingCount);
  if (MissingCount) {
    WithColor::error(errs(), ToolName)
        << "missing argument to '" << Args.getArgString(MissingIndex) << "'\n";
    return 1;
  }
  if (Args.hasArg(OPT_help)) {
    T.printHelp(
        outs(),
        (ToolName + " [options] <file>...").str().c_str(),
        "wasm-set-rpath: edit the run-time path and NEEDED list of "
        "WebAssembly side modules",
        /*ShowHidden=*/false, /*ShowAllAliases=*/false);
    outs() << "\nOperations apply to every input in place (atomically) unless "
              "--output is given.\nPrints show each input as it was read, "
              "before the edits of the same call.\n";
    outs() << "Arguments are read from FILE where @FILE is given (for many "
              "inputs; GNU quoting).\n";
    return 0;
  }
  if (Args.hasArg(OPT_version)) {
    outs() << ToolName << " (wasm-rpath) " << WASM_RPATH_VERSION << "\n";
    return 0;
  }
  Expected<Config> C = parseCommandLine(Args);
  if (!C) {
    WithColor::error(errs(), ToolName) << toString(C.takeError()) << "\n";
    return 1;
  }

  // With -j, inputs are processed in parallel; what each prints comes out
  // in input order all the same.
  std::vector<std::optional<json::Value>> Json(C->Inputs.size());
  bool AllOk = processInputsInOrder(
      C->Inputs, C->Jobs,
      [&](size_t I, raw_ostream &Out, raw_ostream &Err) {
        Error E = processFile(*C, C->Inputs[I], C->Inputs.size() > 1, Out,
                              Err, Json[I]);
        if (!E)
          return true;
        // One line whatever the file is called (a glob may pick up a name
        // with a newline or an escape sequence in it).
        WithColor::error(Err, ToolName)
            << escapeForDisplay(toString(std::move(E))) << "\n";
        return false;
      },
      outs(), errs());
  if (C->Json) {
    json::Array JsonOut;
    for (std::optional<json::Value> &V : Json)
      if (V)
        JsonOut.push_back(std::move(*V));
    outs() << formatv("{0:2}", json::Value(std::move(JsonOut))) << "\n";
  }
  return AllOk ? 0 : 1;
}
