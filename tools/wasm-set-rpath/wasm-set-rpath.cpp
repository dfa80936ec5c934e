//===- wasm-set-rpath.cpp - Edit the run-time path of wasm side modules ---===//
//
// The patchelf of WebAssembly: prints and edits the run-time path
// (RUNTIME_PATH of dylink.0 and the rpath.0 section) and the NEEDED list of
// Emscripten side modules. This file only parses options and prints; the
// rules live in the wasm-rpath library.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/CommandLine.h"
#include "wasm-rpath/Batch.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/EditPlan.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Json.h"
#include "wasm-rpath/ModuleJson.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Symbols.h"
#include "wasm-rpath/ToolProcess.h"
#include "wasm-rpath/Version.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/Option.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
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
  bool Debug = false;
  EditPlan Plan;
  std::string Output;
  bool InPlace = false;
  std::vector<std::string> Inputs;
  unsigned Jobs = 1;
};

Error usageError(const Twine &Msg) {
  return makeError(errc::invalid_argument, Msg);
}

/// The option that gives a part of an EditPlan, for messages.
StringRef optionOf(PlanPart P) {
  switch (P) {
  case PlanPart::SetRPath:
    return "--set-rpath";
  case PlanPart::AddRPath:
    return "--add-rpath";
  case PlanPart::RemoveRPath:
    return "--remove-rpath";
  case PlanPart::ShrinkRPath:
    return "--shrink-rpath";
  case PlanPart::RPathEntries:
    return "--rpath-entry";
  case PlanPart::AllowedPrefixes:
    return "--allowed-rpath-prefixes";
  case PlanPart::Strip:
    return "--strip-debug or --strip-all";
  case PlanPart::KeepSections:
    return "--keep-section";
  }
  return "an option";
}

/// Words a broken plan rule in this tool's options; other errors pass.
Error planError(Error E) {
  return handleErrors(std::move(E), [](const PlanConflictError &C) {
    if (C.kind() == PlanConflictError::Kind::Requires)
      return usageError(optionOf(C.first()) + " requires " +
                        optionOf(C.second()));
    if (C.first() == PlanPart::RPathEntries)
      return usageError(optionOf(C.first()) + " cannot be used with " +
                        optionOf(C.second()));
    return usageError(optionOf(C.first()) + " and " + optionOf(C.second()) +
                      " cannot be used together");
  });
}

Expected<Config> parseCommandLine(const opt::InputArgList &Args) {
  Config C;
  C.PrintRPath = Args.hasArg(OPT_print_rpath);
  C.PrintNeeded = Args.hasArg(OPT_print_needed);
  C.Json = Args.hasArg(OPT_json);
  C.Debug = Args.hasArg(OPT_debug);
  // --force-rpath is read and ignored (see Opts.td).

  // The options become an EditPlan, which knows which of them exclude each
  // other (see planError() for the words); only the spellings are this
  // tool's. Entries come in command-line order, whichever option carried
  // them; with --rpath-entry they are the plan's loose entries.
  EditPlan &Plan = C.Plan;
  std::vector<std::string> Entries = collectSearchEntries(
      Args, {OPT_set_rpath, OPT_add_rpath}, OPT_rpath_entry);
  bool Loose = Args.hasArg(OPT_rpath_entry);
  ArrayRef<std::string> OpEntries =
      Loose ? ArrayRef<std::string>() : ArrayRef(Entries);
  if (Args.hasArg(OPT_set_rpath))
    if (Error E = Plan.setRPath(OpEntries))
      return planError(std::move(E));
  if (Args.hasArg(OPT_add_rpath))
    if (Error E = Plan.addRPath(OpEntries))
      return planError(std::move(E));
  if (Args.hasArg(OPT_remove_rpath))
    if (Error E = Plan.removeRPath())
      return planError(std::move(E));
  if (Args.hasArg(OPT_shrink_rpath))
    if (Error E = Plan.shrinkRPath())
      return planError(std::move(E));
  if (Loose)
    Plan.addRPathEntries(Entries);
  if (const opt::Arg *A = Args.getLastArg(OPT_allowed_rpath_prefixes))
    Plan.setAllowedPrefixes(splitSearchPath(A->getValue()));
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
  if (Args.hasArg(OPT_strip_debug))
    Plan.setStrip(StripLevel::Debug);
  if (Args.hasArg(OPT_strip_all))
    Plan.setStrip(StripLevel::All);
  for (const opt::Arg *A : Args.filtered(OPT_keep_section))
    Plan.keepSection(A->getValue());
  // Bad values are usage errors, reported once before any file is touched.
  if (Error E = Plan.finalize())
    return planError(std::move(E));

  C.Output = Args.getLastArgValue(OPT_output).str();
  // An empty --output (a script's unset $OUT) would mean "no output" and
  // edit the input in place of the file the user asked for.
  if (Args.hasArg(OPT_output) && C.Output.empty())
    return usageError("--output needs a file name (it is empty)");
  C.InPlace = Args.hasArg(OPT_in_place);
  if (const opt::Arg *A = Args.getLastArg(OPT_jobs)) {
    std::optional<unsigned> Jobs = parseJobs(A->getValue());
    if (!Jobs)
      return usageError("invalid number of jobs '" + StringRef(A->getValue()) +
                        "'");
    C.Jobs = *Jobs;
  }
  C.Inputs = Args.getAllArgValues(OPT_INPUT);
  // Where the results go: --in-place and --output exclude each other, and
  // --output names one file, so it needs exactly one input.
  if (C.InPlace && !C.Output.empty())
    return usageError("--in-place cannot be used with --output");
  if (C.Inputs.empty())
    return usageError("no input files");
  if (!C.Output.empty() && C.Inputs.size() != 1)
    return usageError("--output requires exactly one input file");
  if (Plan.empty() && !C.PrintRPath && !C.PrintNeeded && !C.Json)
    return usageError("nothing to do: give an operation (see --help)");
  return C;
}

/// --debug: what the edit of \p File changed, on \p Err, as patchelf
/// reports its work there. Strings from the module are escaped (Display.h).
void debugEdit(raw_ostream &Err, StringRef File, const Object &Obj,
               StringRef OldPath, ArrayRef<std::string> OldNeeded,
               const Config &C) {
  auto Line = [&]() -> raw_ostream & {
    return Err << ToolName << ": debug: '" << escapeForDisplay(File) << "': ";
  };
  auto List = [](ArrayRef<std::string> Names) {
    std::string Out;
    for (const std::string &N : Names)
      Out += (Out.empty() ? "" : " ") + escapeForDisplay(N);
    return "[" + Out + "]";
  };
  bool Changed = Obj.isModified();
  if (C.Plan.operation() != RPathOp::None) {
    std::string NewPath = joinSearchPath(getRPath(Obj, C.Plan.place()));
    if (NewPath == OldPath)
      Line() << "run-time path '" << escapeForDisplay(OldPath)
             << "' unchanged\n";
    else
      Line() << "run-time path '" << escapeForDisplay(OldPath) << "' -> '"
             << escapeForDisplay(NewPath) << "'\n";
  }
  if (ArrayRef<std::string>(Obj.Dylink->Needed) != OldNeeded)
    Line() << "NEEDED " << List(OldNeeded) << " -> "
           << List(Obj.Dylink->Needed) << "\n";
  if (C.Plan.empty())
    return;
  if (!C.Output.empty())
    Line() << "writing '" << escapeForDisplay(C.Output) << "'\n";
  else if (!Changed)
    Line() << "no change; not written\n";
  else
    Line() << (C.InPlace ? "writing in place\n"
                         : "writing (a new file renamed over it)\n");
}

/// A hint for an error of \p File, in this tool's options: where a legacy
/// module can keep its path (errc::unsupported), and what --in-place is for:
/// a destination that a rename cannot replace (errc::cannot_replace), or a
/// directory where no new file can be made but whose file is writable.
/// Empty if none applies.
std::string writeHint(const Config &C, StringRef File, std::error_code EC) {
  if (EC == make_error_code(errc::unsupported))
    return " (--rpath-section=rpath.0)";
  if (EC == errc::cannot_replace && !C.InPlace)
    return " (use --in-place to overwrite the file where it is)";
  if (EC != std::errc::permission_denied || C.InPlace || !C.Output.empty())
    return "";
  StringRef Dir = sys::path::parent_path(File);
  if (Dir.empty())
    Dir = ".";
  if (!sys::fs::access(Dir, sys::fs::AccessMode::Write) ||
      sys::fs::access(File, sys::fs::AccessMode::Write))
    return "";
  return " (its directory is not writable; --in-place writes into the "
         "file itself, not atomically)";
}

/// Processes one input. It may run on a worker thread (-j), so it prints
/// only to \p Out and \p Err and stores its JSON object in \p Json.
Error processFile(const Config &C, StringRef File, bool Prefix,
                  raw_ostream &Out, raw_ostream &Err,
                  std::optional<json::Value> &Json) {
  // What a strip saved, reported once the file is written.
  uint64_t InputSize = 0, Removed = 0;
  Error E = editModuleFile(
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
          Json = describeModule(File, Obj);
        // A main module has dylink.0 too, but no loader searches its
        // run-time path: the edit is made, and the warning says it does not
        // change loading. An export section that cannot be decoded does not
        // stop the edit; it only means no warning. The check decodes no
        // symbol (isMainModule()), so it costs an edit next to nothing.
        if (C.Plan.operation() != RPathOp::None && isMainModule(Obj))
          WithColor::warning(Err, ToolName)
              << "'" << escapeForDisplay(File)
              << "': a main module (emcc -sMAIN_MODULE), whose run-time "
                 "path loaders do not search; set it on the side modules "
                 "that need the libraries\n";
        // Only --debug shows the lists as they were: no copy otherwise.
        std::string OldPath;
        std::vector<std::string> OldNeeded;
        if (C.Debug) {
          OldPath = joinSearchPath(getRPath(Obj, C.Plan.place()));
          OldNeeded = Obj.Dylink->Needed;
        }
        if (Error E = C.Plan.apply(Obj, isWasmModuleFile))
          return E;
        InputSize = Obj.InputSize;
        Removed = Obj.RemovedBytes;
        if (C.Debug)
          debugEdit(Err, File, Obj, OldPath, OldNeeded, C);
        return Error::success();
      },
      C.Output, C.InPlace ? WriteMode::InPlace : WriteMode::Replace);
  if (E)
    return E;
  if (C.Plan.strip() != StripLevel::None)
    Out << escapeForDisplay(File) << ": stripped " << Removed << " bytes ("
        << InputSize << " -> " << InputSize - Removed << ")\n";
  return Error::success();
}

} // namespace

int main(int Argc, char **Argv) {
  ToolProcess X(Argc, Argv);
  ToolName = sys::path::filename(Argv[0]);
  ToolOptTable T;
  // @FILE arguments are replaced by the arguments in FILE (GNU quoting), so
  // that thousands of inputs fit in one call.
  BumpPtrAllocator Alloc;
  StringSaver Saver(Alloc);
  std::optional<opt::InputArgList> ParsedArgs =
      parseToolCommandLine(T, Argc, Argv, Saver, ToolName);
  if (!ParsedArgs)
    return 1;
  opt::InputArgList &Args = *ParsedArgs;
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
        std::string Msg;
        std::error_code EC;
        handleAllErrors(std::move(E), [&](const ErrorInfoBase &EI) {
          Msg += (Msg.empty() ? "" : "\n") + EI.message(); // as toString()
          EC = EI.convertToErrorCode();
        });
        // One line whatever the file is called (a glob may pick up a name
        // with a newline or an escape sequence in it).
        WithColor::error(Err, ToolName)
            << escapeForDisplay(Msg) << writeHint(*C, C->Inputs[I], EC)
            << "\n";
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
  return flushStandardOutput(ToolName) && AllOk ? 0 : 1;
}
