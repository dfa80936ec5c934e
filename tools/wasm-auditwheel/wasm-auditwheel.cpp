//===- wasm-auditwheel.cpp - The auditwheel of Pyodide wheels -------------===//
//
// `show` prints what the side modules of a wheel need once it is installed
// in Pyodide and what `repair` would do; `repair` vendors the libraries the
// wheel lacks, renames them, sets run-time paths and rewrites RECORD, into a
// new wheel. The rules are the library's (WheelRepair.h); this file parses
// options and prints.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/CommandLine.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Json.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/ToolProcess.h"
#include "wasm-rpath/Version.h"
#include "wasm-rpath/WheelRepair.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/Option.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include <map>

using namespace llvm;
using namespace llvm::opt;
using namespace wasmrpath;

namespace {

#include "ToolOptTable.h"

StringRef ToolName;

std::string printable(StringRef S) { return escapeForDisplay(S); }

Error usageError(const Twine &Msg) {
  return makeError(errc::invalid_argument, Msg);
}

struct Config {
  bool Repair = false;
  bool Json = false;
  std::string WheelDir = "wheelhouse";
  RepairOptions Opts;
  std::vector<std::string> Wheels;
};

Expected<Config> parseCommandLine(const opt::InputArgList &Args) {
  Config C;
  std::vector<std::string> Inputs = Args.getAllArgValues(OPT_INPUT);
  if (Inputs.empty())
    return usageError("no command: give 'show' or 'repair' (see --help)");
  if (Inputs[0] == "repair")
    C.Repair = true;
  else if (Inputs[0] != "show")
    return usageError("unknown command '" + Inputs[0] +
                      "' (expected show or repair)");
  C.Wheels.assign(Inputs.begin() + 1, Inputs.end());
  if (C.Wheels.empty())
    return usageError("no wheels given");
  C.Json = Args.hasArg(OPT_json);
  if (const opt::Arg *A = Args.getLastArg(OPT_wheel_dir, OPT_output_dir))
    C.WheelDir = A->getValue();
  RepairOptions &O = C.Opts;
  O.LibDirs = Args.getAllArgValues(OPT_libdir);
  // pyodide-build's name for its library directory, used when no --libdir
  // is given.
  if (O.LibDirs.empty())
    if (std::optional<std::string> D =
            sys::Process::GetEnv("WASM_LIBRARY_DIR"); D && !D->empty())
      O.LibDirs.push_back(*D);
  O.Exclude = Args.getAllArgValues(OPT_exclude);
  O.NoMangle = Args.getAllArgValues(OPT_no_mangle);
  O.NoMangleAll = Args.hasArg(OPT_no_mangle_all);
  O.LibSdir = Args.getLastArgValue(OPT_lib_sdir, O.LibSdir).str();
  O.MainModule = Args.getLastArgValue(OPT_main_module).str();
  if (const opt::Arg *A = Args.getLastArg(OPT_rpath_section)) {
    std::optional<RPathPlace> P = parseRPathPlace(A->getValue());
    if (!P)
      return usageError("invalid --rpath-section '" + StringRef(A->getValue()) +
                        "' (expected dylink, rpath.0 or both)");
    O.Place = *P;
  }
  if (const opt::Arg *A = Args.getLastArg(OPT_record_check)) {
    StringRef V = A->getValue();
    if (V != "full" && V != "changed" && V != "structural")
      return usageError("invalid --record-check '" + V +
                        "' (expected structural, changed or full)");
    O.CheckAllHashes = V == "full";
  }
  if (Args.hasArg(OPT_strip))
    O.Strip = StripLevel::All;
  O.KeepSections = Args.getAllArgValues(OPT_keep_section);
  if (const opt::Arg *A = Args.getLastArg(OPT_zip_compression_level)) {
    if (StringRef(A->getValue()).getAsInteger(10, O.Level))
      return usageError("invalid compression level '" +
                        StringRef(A->getValue()) + "' (expected 0-9)");
  }
  // As Python's wheel and pip tools read it: seconds since the epoch.
  if (std::optional<std::string> E =
          sys::Process::GetEnv("SOURCE_DATE_EPOCH")) {
    int64_t T;
    if (StringRef(*E).trim().getAsInteger(10, T))
      return usageError("invalid SOURCE_DATE_EPOCH '" + *E + "'");
    O.SourceDateEpoch = T;
  }
  // The library's checks name the value; the option is named here.
  auto Named = [](StringRef Option, Error E) -> Error {
    if (!E)
      return Error::success();
    return usageError(Option + ": " + toString(std::move(E)));
  };
  if (Error E = Named("--lib-sdir", checkLibSdir(O.LibSdir)))
    return E;
  if (Error E = checkCompressionLevel(O.Level))
    return E;
  if (Error E = Named("--exclude", checkGlobs(O.Exclude)))
    return E;
  if (Error E = Named("--no-mangle", checkGlobs(O.NoMangle)))
    return E;
  if (!O.KeepSections.empty() && O.Strip == StripLevel::None)
    return usageError("--keep-section needs --strip");
  return C;
}

void printStatus(raw_ostream &OS, const RepairPlan &Plan,
                 const NeededStatus &S) {
  OS << "    " << printable(S.Name) << " => ";
  switch (S.Status) {
  case NeededStatus::Found:
    OS << printable(S.LoaderPath)
       << (S.Via == "library_path" ? " (LD_LIBRARY_PATH)" : " (RUNTIME_PATH)");
    break;
  case NeededStatus::InWheel:
    OS << printable(Plan.installedName(S.Member))
       << " (in the wheel, not on the search path)";
    break;
  case NeededStatus::Vendor:
    OS << "vendor as " << printable(Plan.installedName(S.Member));
    break;
  case NeededStatus::Excluded:
    OS << "excluded (left to the runtime)";
    break;
  case NeededStatus::NotFound:
    OS << "not found";
    break;
  }
  OS << "\n";
}

void printPlan(raw_ostream &OS, const RepairPlan &Plan) {
  OS << printable(Plan.Wheel) << "\n";
  for (const ModulePlan &M : Plan.Modules) {
    OS << "  " << printable(Plan.installedName(M.Member));
    if (M.Vendored)
      OS << " (vendored from " << printable(M.SourcePath) << ")";
    OS << "\n";
    for (const NeededStatus &S : M.Resolution)
      printStatus(OS, Plan, S);
    for (const auto &[Old, New] : M.Renames)
      OS << "    NEEDED " << printable(Old) << " -> " << printable(New)
         << "\n";
    auto Shown = [](const std::vector<std::string> &P) {
      return P.empty() ? std::string("(none)") : printable(joinSearchPath(P));
    };
    if (M.StrippedBytes)
      OS << "    strip: " << M.StrippedBytes << " bytes\n";
    if (M.NewRunPath)
      OS << "    run-time path: "
         << Shown(M.RuntimePath.value_or(std::vector<std::string>())) << " -> "
         << Shown(*M.NewRunPath) << "\n";
  }
}

/// The last line of show: how many NEEDED entries fare which way.
void printSummary(raw_ostream &OS, const RepairPlan &Plan) {
  size_t Count[5] = {};
  for (const ModulePlan &M : Plan.Modules)
    for (const NeededStatus &S : M.Resolution)
      ++Count[S.Status];
  OS << "  summary: " << Count[NeededStatus::Found] << " found, "
     << Count[NeededStatus::InWheel] << " in the wheel off the search path, "
     << Count[NeededStatus::Vendor] << " to vendor, "
     << Count[NeededStatus::Excluded] << " excluded, "
     << Count[NeededStatus::NotFound] << " not found\n";
}

/// What --strip saved: the sections' bytes (uncompressed, as installed),
/// and the wheel's size before and after (where the sections were
/// compressed, and which vendoring also changes).
void printStripSummary(raw_ostream &OS, const RepairPlan &Plan,
                       uint64_t InSize, StringRef Out) {
  size_t Modules = count_if(Plan.Modules, [](const ModulePlan &M) {
    return M.StrippedBytes != 0;
  });
  OS << "stripped: " << Plan.strippedBytes() << " bytes from " << Modules
     << (Modules == 1 ? " side module" : " side modules");
  uint64_t OutSize;
  if (!sys::fs::file_size(Out, OutSize))
    OS << " (wheel: " << InSize << " -> " << OutSize << " bytes)";
  OS << "\n";
}

void printDiagnostics(const RepairPlan &Plan) {
  for (const std::string &W : Plan.Warnings)
    WithColor::warning(errs(), ToolName)
        << "'" << printable(Plan.Wheel) << "': " << printable(W) << "\n";
  // One warning per vendored library and rival, naming a few symbols: a
  // library built with its own copy of common code may share hundreds.
  std::vector<std::pair<std::string, std::string>> Pairs;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>>
      Symbols;
  for (const VendoredSymbolClash &C : Plan.Clashes) {
    auto Key = std::make_pair(Plan.installedName(C.Library).str(),
                              Plan.installedName(C.Other).str());
    if (!Symbols.count(Key))
      Pairs.push_back(Key);
    Symbols[Key].push_back(C.Symbol);
  }
  for (const auto &Key : Pairs) {
    const std::vector<std::string> &Names = Symbols[Key];
    std::string List;
    for (size_t I = 0; I < Names.size() && I < 5; ++I)
      List += (I ? ", '" : "'") + Names[I] + "'";
    if (Names.size() > 5)
      List += " and " + std::to_string(Names.size() - 5) + " more";
    WithColor::warning(errs(), ToolName)
        << "'" << printable(Plan.Wheel) << "': '" << printable(Key.first)
        << "' exports " << printable(List) << ", as does "
        << (Key.second == "main module" ? std::string("the main module")
                                        : "'" + printable(Key.second) + "'")
        << ": whichever loads first binds "
        << (Names.size() == 1 ? "it" : "them") << " for every module\n";
  }
}

/// Shows or repairs one wheel; \p Json receives its JSON object.
/// \p Outputs holds the wheels written so far, which a later wheel of the
/// same file name must not replace.
Error processWheel(const Config &C, StringRef Path,
                   std::optional<json::Value> &Json, StringSet<> &Outputs,
                   bool &Missing) {
  SmallString<256> Out(C.WheelDir);
  sys::path::append(Out, sys::path::filename(Path));
  // The input is never modified: an output that is the input is refused
  // before any work.
  if (C.Repair && sys::fs::equivalent(Path, Out))
    return createFileError(Path,
                           usageError("the output would replace the input; "
                                      "choose another --wheel-dir"));
  if (C.Repair && !Outputs.insert(Out).second)
    return createFileError(Path,
                           usageError("another wheel of this call was "
                                      "written to '" + Out + "' already"));
  Expected<std::unique_ptr<WheelFile>> W = WheelFile::open(Path);
  if (!W)
    return W.takeError();
  if (C.Repair)
    // 0755 as auditwheel makes it (LLVM's default is 0770), umask aside.
    if (std::error_code EC = sys::fs::create_directories(
            C.WheelDir, /*IgnoreExisting=*/true,
            sys::fs::perms(sys::fs::all_read | sys::fs::all_exe |
                           sys::fs::owner_write)))
      return createFileError(C.WheelDir, EC);
  Expected<RepairPlan> Plan = C.Repair ? repairWheel(**W, C.Opts, Out)
                                       : analyzeWheel(**W, C.Opts);
  if (!Plan)
    return Plan.takeError();
  if (!C.Json) {
    printPlan(outs(), *Plan);
    if (!C.Repair)
      printSummary(outs(), *Plan);
  }
  outs().flush();
  printDiagnostics(*Plan);
  bool Changes = C.Repair && Plan->changesWheel(**W);
  if (C.Repair && !C.Json) {
    outs() << (Changes ? "repaired: " : "unchanged (nothing to repair): ")
           << printable(Out) << "\n";
    if (C.Opts.Strip != StripLevel::None)
      printStripSummary(outs(), *Plan, (*W)->file().size(), Out);
  }
  // show fails when a library is found nowhere, as repair would: a script
  // can gate on it. Everything is still printed.
  if (!C.Repair && Plan->hasMissing())
    Missing = true;
  if (C.Json) {
    json::Value Result = toJSON(*Plan);
    if (C.Repair) {
      Result.getAsObject()->try_emplace("output", jsonString(Out));
      Result.getAsObject()->try_emplace("changed", Changes);
    }
    Json = std::move(Result);
  }
  return Error::success();
}

} // namespace

int main(int Argc, char **Argv) {
  ToolProcess X(Argc, Argv);
  ToolName = sys::path::filename(Argv[0]);
  ToolOptTable T;
  BumpPtrAllocator Alloc;
  StringSaver Saver(Alloc);
  std::optional<opt::InputArgList> ParsedArgs =
      parseToolCommandLine(T, Argc, Argv, Saver, ToolName);
  // Usage errors exit 2, as argparse's do (auditwheel's users script
  // against it); a wheel that cannot be shown or repaired exits 1.
  if (!ParsedArgs)
    return 2;
  opt::InputArgList &Args = *ParsedArgs;
  auto Fail = [&](const Twine &Msg) {
    WithColor::error(errs(), ToolName) << printable(Msg.str()) << "\n";
    return 2;
  };
  // auditwheel's platform options have no meaning here: say why, once.
  for (const opt::Arg *A : Args.filtered(OPT_plat, OPT_only_plat))
    WithColor::warning(errs(), ToolName)
        << A->getSpelling()
        << " ignored: a Pyodide wheel's platform is the ABI it was built for "
           "(its tag), which repair keeps\n";
  if (Args.hasArg(OPT_help)) {
    std::vector<std::string> In = Args.getAllArgValues(OPT_INPUT);
    std::string Sub = !In.empty() && (In[0] == "show" || In[0] == "repair")
                          ? In[0]
                          : "show|repair";
    T.printHelp(outs(),
                (ToolName + " " + Sub + " [options] <wheel>...").str().c_str(),
                "wasm-auditwheel: make Pyodide wheels self-contained (vendor "
                "the side-module libraries they need, renamed, with run-time "
                "paths and RECORD updated)",
                /*ShowHidden=*/false, /*ShowAllAliases=*/false);
    outs() << "\nshow prints, for every side module, how each NEEDED library "
              "resolves once the wheel\nis installed in Pyodide, and what "
              "repair would do. repair writes the repaired\nwheel to "
              "--wheel-dir; the input is never modified.\n";
    return 0;
  }
  if (Args.hasArg(OPT_version)) {
    outs() << ToolName << " (wasm-rpath) " << WASM_RPATH_VERSION << "\n";
    return 0;
  }
  Expected<Config> C = parseCommandLine(Args);
  if (!C)
    return Fail(toString(C.takeError()));
  // The analysis and repair of small wheels hold a few times their size
  // (modules, plans, new members), allocated little at a time: that much
  // of the heap is faulted in at once (a repair of 500 small modules took
  // 650 page faults, then 120). Larger wheels' time is in copying, and
  // glibc's adaptive thresholds serve their large buffers better.
  uint64_t InputBytes = 0;
  for (const std::string &Wheel : C->Wheels) {
    sys::fs::file_status St;
    if (!sys::fs::status(Wheel, St))
      InputBytes += St.getSize();
  }
  if (InputBytes <= (4 << 20))
    X.reserveHeap(std::max<uint64_t>(16 * InputBytes, 1 << 20));

  bool AllOk = true;
  json::Array JsonOut;
  StringSet<> Outputs;
  for (const std::string &Wheel : C->Wheels) {
    std::optional<json::Value> Json;
    bool Missing = false;
    if (Error E = processWheel(*C, Wheel, Json, Outputs, Missing)) {
      outs().flush();
      // One line per error, each escaped whole: a newline in a member
      // name prints as \x0A and cannot forge a line of its own.
      std::string Msg;
      bool Missing = false;
      handleAllErrors(std::move(E), [&](const ErrorInfoBase &EI) {
        std::string M = EI.message();
        WithColor::error(errs(), ToolName) << printable(M) << "\n";
        // Only a library that is found nowhere carries not_found.
        Missing |= EI.convertToErrorCode() == errc::not_found;
        Msg += (Msg.empty() ? "" : "\n") + M;
      });
      if (Missing)
        WithColor::note(errs(), ToolName)
            << "give the directories that hold them with --libdir\n";
      if (C->Json)
        JsonOut.push_back(json::Object{{"wheel", jsonString(Wheel)},
                                       {"error", jsonString(Msg)}});
      AllOk = false;
      continue;
    }
    if (Missing)
      AllOk = false;
    if (C->Json)
      JsonOut.push_back(std::move(*Json));
  }
  if (C->Json)
    outs() << formatv("{0:2}", json::Value(std::move(JsonOut))) << "\n";
  return flushStandardOutput(ToolName) && AllOk ? 0 : 1;
}
