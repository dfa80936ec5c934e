//===- wasm-ld-rpath.cpp - A wasm-ld that honours -rpath on any LLVM ------===//
//
// A drop-in wrapper around the real wasm-ld, usable under the name wasm-ld.
// It forwards every argument, and gives the output the run-time path of the
// link's rpath flags whatever the linker's version: a linker that
// understands -rpath (wasm-ld >= 21) gets the flags and writes RUNTIME_PATH
// itself; an older one never sees them (it would reject them) and the
// wrapper writes the same bytes into its output afterwards. In both cases
// the wrapper can add the rpath.0 section for JavaScript loaders.
//
// This file is process plumbing only: finding the real linker, reading the
// command line as wasm-ld reads it (response files included), running the
// linker. What a run-time path looks like in the module is decided by the
// library (writeLinkRPath()).
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/CommandLine.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/LinkRPath.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/ToolProcess.h"
#include "wasm-rpath/Version.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Option/Option.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/StringSaver.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include <cstdlib>
#include <optional>

using namespace llvm;
using namespace llvm::opt;
using namespace wasmrpath;

namespace {

#include "ToolOptTable.h"

StringRef ToolName;

/// Set in the linker's environment. A wrapper that starts with it set was
/// started by a wrapper as "the real linker": a lookup went round in a
/// circle (two copies of the wrapper on PATH, or an override naming a
/// wrapper), and running on would never end.
constexpr StringLiteral ActiveEnvVar = "WASM_LD_RPATH_ACTIVE";
constexpr StringLiteral LinkerEnvVar = "WASM_RPATH_LINKER";
constexpr StringLiteral SectionEnvVar = "WASM_RPATH_SECTION";

Error makeError(const Twine &Msg) {
  return wasmrpath::makeError(errc::invalid_argument, Msg);
}

std::string realPath(StringRef Path) {
  SmallString<256> Real;
  if (sys::fs::real_path(Path, Real))
    return "";
  return std::string(Real);
}

bool isExecutableFile(StringRef Path) {
  return sys::fs::exists(Path) && !sys::fs::is_directory(Path) &&
         sys::fs::can_execute(Path);
}

//===----------------------------------------------------------------------===//
// Finding the real linker
//===----------------------------------------------------------------------===//

/// The name to look for on PATH: the wrapper's own when it runs as wasm-ld
/// or wasm-ld-<N> (so that a link named wasm-ld-14 in a directory that
/// emcc uses forwards to wasm-ld-14), else wasm-ld.
bool isLinkerName(StringRef Name) {
  StringRef Version = Name;
  return Name == "wasm-ld" || (Version.consume_front("wasm-ld-") &&
                               !Version.empty() && all_of(Version, isDigit));
}

std::string linkerName(StringRef Argv0) {
  StringRef Name = sys::path::filename(Argv0);
  return isLinkerName(Name) ? Name.str() : "wasm-ld";
}

std::vector<std::string> pathDirs() {
  std::vector<std::string> Dirs;
  std::optional<std::string> Path = sys::Process::GetEnv("PATH");
  if (!Path)
    return Dirs;
  SmallVector<StringRef, 16> Pieces;
  StringRef(*Path).split(Pieces, sys::EnvPathSeparator, -1,
                         /*KeepEmpty=*/true);
  for (StringRef P : Pieces)
    Dirs.push_back(P.empty() ? "." : P.str()); // POSIX: empty means cwd.
  return Dirs;
}

/// Index in \p Dirs of the directory the wrapper was started from, if it is
/// on PATH: the search for the real linker starts after it.
std::optional<size_t> ownPathIndex(ArrayRef<std::string> Dirs, StringRef Argv0,
                                   StringRef Self) {
  bool HasDir = Argv0.contains('/');
  std::string OwnDir;
  if (HasDir) {
    StringRef Parent = sys::path::parent_path(Argv0);
    OwnDir = realPath(Parent.empty() ? "." : Parent);
  }
  for (size_t I = 0; I < Dirs.size(); ++I) {
    if (HasDir) {
      if (!OwnDir.empty() && realPath(Dirs[I]) == OwnDir)
        return I;
      continue;
    }
    // Found through PATH by a shell or execvp: the first directory that
    // holds the name we were started as, resolving to this program.
    SmallString<256> Candidate(Dirs[I]);
    sys::path::append(Candidate, Argv0);
    if (isExecutableFile(Candidate) && realPath(Candidate) == Self)
      return I;
  }
  return std::nullopt;
}

/// Searches PATH for \p Name from index \p From, skipping this wrapper
/// wherever it appears (compared by real path, so symlinks to it count).
std::optional<std::string> searchPath(ArrayRef<std::string> Dirs, size_t From,
                                      StringRef Name, StringRef Self) {
  for (size_t I = From; I < Dirs.size(); ++I) {
    SmallString<256> Candidate(Dirs[I]);
    sys::path::append(Candidate, Name);
    if (isExecutableFile(Candidate) && realPath(Candidate) != Self)
      return std::string(Candidate);
  }
  return std::nullopt;
}

/// The linker named by --wasm-rpath-linker or WASM_RPATH_LINKER: a path, or
/// a bare name looked up on PATH.
Expected<std::string> resolveOverride(StringRef Value, StringRef Origin,
                                      StringRef Self) {
  if (Value.contains('/')) {
    if (!isExecutableFile(Value))
      return makeError(Origin + " '" + Value + "' is not an executable file");
    if (realPath(Value) == Self)
      return makeError(Origin + " '" + Value +
                       "' is this wrapper, not the real linker");
    return Value.str();
  }
  if (std::optional<std::string> Found = searchPath(pathDirs(), 0, Value, Self))
    return *Found;
  return makeError(Origin + " '" + Value + "' was not found on PATH");
}

/// The documented order: --wasm-rpath-linker, then $WASM_RPATH_LINKER, then
/// the next program with the wrapper's name on PATH after the wrapper's
/// own directory. Never the wrapper itself.
Expected<std::string> findLinker(StringRef Override, StringRef Argv0,
                                 StringRef Self) {
  if (!Override.empty())
    return resolveOverride(Override, "--wasm-rpath-linker", Self);
  if (std::optional<std::string> Env = sys::Process::GetEnv(LinkerEnvVar);
      Env && !Env->empty())
    return resolveOverride(*Env, LinkerEnvVar, Self);

  std::string Name = linkerName(Argv0);
  std::vector<std::string> Dirs = pathDirs();
  std::optional<size_t> Own = ownPathIndex(Dirs, Argv0, Self);
  if (std::optional<std::string> Found =
          searchPath(Dirs, Own ? *Own + 1 : 0, Name, Self))
    return *Found;
  return makeError("cannot find the real linker: no '" + Name + "' on PATH" +
                   (Own ? " after '" + Dirs[*Own] + "'" : std::string()) +
                   " other than this wrapper; set " + LinkerEnvVar +
                   " or --wasm-rpath-linker");
}

/// Whether \p Linker accepts -rpath. Asked of the linker's --help rather
/// than deduced from --version: the option list is exactly what its parser
/// accepts, whereas version strings differ between vendors and snapshot
/// builds (Emscripten's LLVM is a trunk snapshot) and say nothing about
/// patched or stand-in linkers.
bool linkerSupportsRPath(StringRef Linker) {
  SmallString<128> HelpFile;
  if (sys::fs::createTemporaryFile("wasm-ld-rpath-help", "txt", HelpFile))
    return false;
  FileRemover Remove(HelpFile);
  StringRef Cmd[] = {Linker, "--help"};
  std::optional<StringRef> Redirects[] = {StringRef(""), StringRef(HelpFile),
                                          StringRef("")};
  if (sys::ExecuteAndWait(Linker, Cmd, std::nullopt, Redirects) != 0)
    return false;
  ErrorOr<std::unique_ptr<MemoryBuffer>> Help = MemoryBuffer::getFile(HelpFile);
  if (!Help)
    return false;
  SmallVector<StringRef, 128> Lines;
  (*Help)->getBuffer().split(Lines, '\n');
  for (StringRef Line : Lines) {
    // "  --rpath=<value>   ..." or "  -rpath <dir>": an option line whose
    // name is exactly rpath (not, say, rpath-link).
    Line = Line.ltrim();
    if (!Line.consume_front("-"))
      continue;
    Line.consume_front("-");
    if (Line.consume_front("rpath") &&
        (Line.empty() || Line.front() == '=' || Line.front() == ' ' ||
         Line.front() == '<' || Line.front() == ',' || Line.front() == '\t'))
      return true;
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Reading the command line as wasm-ld does
//===----------------------------------------------------------------------===//

/// The arguments after response-file expansion, each remembering which
/// command-line argument it came from, so that only a response file that
/// needs an edit is rewritten.
struct ExpandedArgs {
  SmallVector<const char *, 64> Args;
  std::vector<size_t> Origin;       ///< Per expanded argument.
  std::vector<bool> IsResponseFile; ///< Per command-line argument.
};

/// wasm-ld's choice of tokenizer: --rsp-quoting, else the host's style.
bool useWindowsQuoting(ArrayRef<const char *> CommandLine) {
  ToolOptTable T;
  unsigned MissingIndex, MissingCount;
  opt::InputArgList Args = T.ParseArgs(CommandLine, MissingIndex, MissingCount);
  if (const opt::Arg *A = Args.getLastArg(OPT_rsp_quoting))
    return StringRef(A->getValue()) == "windows";
  return Triple(sys::getProcessTriple()).isOSWindows();
}

/// Expands @file arguments one command-line argument at a time, as
/// cl::ExpandResponseFiles does for wasm-ld (recursively, names relative to
/// the working directory), with the library's rules (CommandLine.h): a
/// response file with a NUL byte, or too large, is an error, which wasm-ld
/// would not report (it would cut the argument at the NUL).
Expected<ExpandedArgs> expandArguments(ArrayRef<const char *> CommandLine,
                                       bool Windows, BumpPtrAllocator &Alloc) {
  ExpandedArgs Out;
  StringSaver Saver(Alloc);
  for (size_t I = 0; I < CommandLine.size(); ++I) {
    SmallVector<const char *, 16> One = {CommandLine[I]};
    bool Expanded = false;
    if (CommandLine[I][0] == '@') {
      if (Error E = expandResponseFiles(One, Saver,
                                        Windows ? cl::TokenizeWindowsCommandLine
                                                : cl::TokenizeGNUCommandLine))
        return E;
      Expanded = !(One.size() == 1 && One[0] == CommandLine[I]);
    }
    Out.IsResponseFile.push_back(Expanded);
    for (const char *A : One) {
      Out.Args.push_back(A);
      Out.Origin.push_back(I);
    }
  }
  return Out;
}

/// Quotes \p Arg so that wasm-ld's tokenizer reads it back unchanged.
std::string quoteForResponseFile(StringRef Arg, bool Windows) {
  std::string Out = "\"";
  if (!Windows) {
    // GNU: a backslash escapes the next character, inside quotes too.
    for (char C : Arg) {
      if (C == '\\' || C == '"')
        Out += '\\';
      Out += C;
    }
  } else {
    // Windows: backslashes are literal unless they precede a quote.
    size_t Backslashes = 0;
    for (char C : Arg) {
      if (C == '\\') {
        ++Backslashes;
        continue;
      }
      if (C == '"')
        Out.append(2 * Backslashes + 1, '\\');
      else
        Out.append(Backslashes, '\\');
      Out += C;
      Backslashes = 0;
    }
    Out.append(2 * Backslashes, '\\');
  }
  return Out + "\"";
}

//===----------------------------------------------------------------------===//
// The link
//===----------------------------------------------------------------------===//

struct Config {
  std::vector<std::string> RPath; ///< In command-line order.
  RPathPlace Place = RPathPlace::Both;
  std::string Output = "a.out";
  std::string LinkerOverride;
  bool Help = false;
  bool Version = false;
};

/// \p OwnName: the wrapper runs under its own name, not a linker's, so that
/// --help and --version are its own.
Expected<Config> readConfig(const opt::InputArgList &Args, bool OwnName) {
  Config C;
  C.Help = Args.hasArg(OPT_wasm_rpath_help) ||
           (OwnName && Args.hasArg(OPT_help));
  C.Version = OwnName && Args.hasArg(OPT_version);
  for (const opt::Arg *A : Args.filtered(OPT_rpath, OPT_wasm_rpath)) {
    // Checked before linking, so that a bad flag costs no link. wasm-ld 21
    // would store an empty entry; loaders differ on what one means (glibc
    // takes it as the working directory), so it is refused.
    if (Error E = checkEntry(A->getValue(), "run-time path entry"))
      return makeError("'" + A->getAsString(Args) +
                       "': " + toString(std::move(E)));
    C.RPath.push_back(A->getValue());
  }
  // As in wasm-ld: the last one wins.
  if (const opt::Arg *A = Args.getLastArg(OPT_o, OPT_output))
    C.Output = A->getValue();
  C.LinkerOverride = Args.getLastArgValue(OPT_wasm_rpath_linker).str();

  std::string Section = Args.getLastArgValue(OPT_wasm_rpath_section).str();
  StringRef Origin = "--wasm-rpath-section";
  if (!Args.hasArg(OPT_wasm_rpath_section)) {
    Section = sys::Process::GetEnv(SectionEnvVar).value_or("");
    Origin = SectionEnvVar;
  }
  if (!Section.empty()) {
    std::optional<RPathPlace> P = parseRPathPlace(Section);
    if (!P)
      return makeError("invalid " + Origin + " '" + Section +
                       "' (expected dylink, rpath.0 or both)");
    C.Place = *P;
  }
  return C;
}

/// The arguments that reach the linker. Wrapper options are dropped; rpath
/// flags are kept if the linker writes RUNTIME_PATH itself (--wasm-rpath
/// becomes --rpath= then), else dropped. A response file that held any of
/// them is replaced by a temporary copy without them; every other argument
/// is passed exactly as given.
Expected<std::vector<std::string>>
linkerArgs(ArrayRef<const char *> CommandLine, const ExpandedArgs &Exp,
           const opt::InputArgList &Args, bool KeepRPath, bool Windows,
           std::vector<std::unique_ptr<FileRemover>> &TempFiles) {
  // Replacement for each expanded argument; std::nullopt keeps it.
  std::vector<std::optional<std::vector<std::string>>> Edit(Exp.Args.size());
  std::vector<const opt::Arg *> InOrder(Args.begin(), Args.end());
  for (size_t K = 0; K < InOrder.size(); ++K) {
    const opt::Arg *A = InOrder[K];
    std::optional<std::vector<std::string>> New;
    switch (A->getOption().getID()) {
    case OPT_wasm_rpath_linker:
    case OPT_wasm_rpath_section:
    case OPT_wasm_rpath_help:
      New.emplace();
      break;
    case OPT_wasm_rpath:
      New.emplace();
      if (KeepRPath)
        New->push_back("--rpath=" + std::string(A->getValue()));
      break;
    case OPT_rpath:
      if (!KeepRPath)
        New.emplace();
      break;
    default:
      break;
    }
    if (!New)
      continue;
    // The arguments an option took: up to where the next one starts.
    size_t Begin = A->getIndex();
    size_t End =
        K + 1 < InOrder.size() ? InOrder[K + 1]->getIndex() : Exp.Args.size();
    Edit[Begin] = std::move(New);
    for (size_t I = Begin + 1; I < End; ++I)
      Edit[I].emplace();
  }

  std::vector<std::string> Out;
  size_t I = 0;
  for (size_t Arg = 0; Arg < CommandLine.size(); ++Arg) {
    size_t Begin = I;
    while (I < Exp.Args.size() && Exp.Origin[I] == Arg)
      ++I;
    bool Edited = false;
    std::vector<std::string> Kept;
    for (size_t J = Begin; J < I; ++J) {
      if (Edit[J]) {
        Edited = true;
        append_range(Kept, *Edit[J]);
      } else {
        Kept.push_back(Exp.Args[J]);
      }
    }
    if (!Edited) {
      Out.push_back(CommandLine[Arg]);
      continue;
    }
    if (!Exp.IsResponseFile[Arg]) {
      append_range(Out, Kept);
      continue;
    }
    int FD;
    SmallString<128> Path;
    if (std::error_code EC =
            sys::fs::createTemporaryFile("wasm-ld-rpath", "rsp", FD, Path))
      return makeError("cannot create a response file: " + EC.message());
    TempFiles.push_back(std::make_unique<FileRemover>(Path));
    raw_fd_ostream OS(FD, /*shouldClose=*/true);
    for (const std::string &Token : Kept)
      OS << quoteForResponseFile(Token, Windows) << "\n";
    OS.close();
    if (std::error_code EC = OS.error()) {
      OS.clear_error(); // Reported here, not as a fatal error on destruction.
      return makeError("cannot write response file '" + Path +
                       "': " + EC.message());
    }
    Out.push_back(("@" + Path).str());
  }
  return Out;
}

void printHelp(const ToolOptTable &T) {
  T.printHelp(outs(), (ToolName + " [wasm-ld options]").str().c_str(),
              "wasm-ld-rpath: wasm-ld with -rpath on any LLVM version "
              "(wasm-rpath " WASM_RPATH_VERSION ")",
              /*ShowHidden=*/false, /*ShowAllAliases=*/false);
  outs() << R"(
Every other argument goes to the real wasm-ld unchanged. The run-time path
is taken from -rpath <dir>, -rpath=<dir>, --rpath <dir>, --rpath=<dir> and
--wasm-rpath[=]<dir>, also inside @response files: one entry per flag, in
command-line order, never split at ':'. If the linker lists -rpath in its
--help (wasm-ld >= 21) it gets the flags and writes RUNTIME_PATH; otherwise
they are removed and the wrapper writes the same bytes into the output.
--wasm-rpath-section (default both) also gives the output an rpath.0
section, or puts the path only there (then the linker never gets the flags).

The real linker is --wasm-rpath-linker, else $WASM_RPATH_LINKER, else the
next program on PATH, after the wrapper's own directory, named like the
wrapper (wasm-ld or wasm-ld-<N>; wasm-ld when run as wasm-ld-rpath).
The linker's own options: run it with --help.
)";
}

int runLinker(StringRef Linker, ArrayRef<std::string> Args) {
  std::vector<StringRef> Cmd = {Linker};
  append_range(Cmd, Args);
  std::string ErrMsg;
  bool ExecFailed = false;
  int RC = sys::ExecuteAndWait(Linker, Cmd, std::nullopt, {}, 0, 0, &ErrMsg,
                               &ExecFailed);
  if (ExecFailed || RC < 0) {
    WithColor::error(errs(), ToolName)
        << "'" << Linker << "': " << (ErrMsg.empty() ? "failed" : ErrMsg)
        << "\n";
    return 1;
  }
  return RC;
}

} // namespace

int main(int Argc, char **Argv) {
  ToolProcess X(Argc, Argv);
  ToolName = sys::path::filename(Argv[0]);
  ArrayRef<const char *> CommandLine(Argv + 1, Argc - 1);

  if (std::optional<std::string> Active = sys::Process::GetEnv(ActiveEnvVar)) {
    WithColor::error(errs(), ToolName)
        << "the real linker it found is a wasm-ld-rpath wrapper again (started "
           "from '"
        << *Active << "'); set " << LinkerEnvVar
        << " or --wasm-rpath-linker to the real wasm-ld\n";
    return 1;
  }

  // Compared with every candidate, so that the wrapper never runs itself
  // whatever names and symlinks lead to it.
  static int AddressInThisProgram;
  std::string Self =
      realPath(sys::fs::getMainExecutable(Argv[0], &AddressInThisProgram));
  if (Self.empty()) {
    WithColor::error(errs(), ToolName)
        << "cannot find this program's own path\n";
    return 1;
  }

  BumpPtrAllocator Alloc;
  bool Windows = useWindowsQuoting(CommandLine);
  Expected<ExpandedArgs> Expanded = expandArguments(CommandLine, Windows, Alloc);
  if (!Expanded) {
    WithColor::error(errs(), ToolName) << toString(Expanded.takeError()) << "\n";
    return 1;
  }
  ExpandedArgs &Exp = *Expanded;

  ToolOptTable T;
  unsigned MissingIndex, MissingCount;
  opt::InputArgList Args = T.ParseArgs(Exp.Args, MissingIndex, MissingCount);
  Expected<Config> C = readConfig(Args, !isLinkerName(ToolName));
  if (!C) {
    WithColor::error(errs(), ToolName) << toString(C.takeError()) << "\n";
    return 1;
  }
  if (C->Help) {
    printHelp(T);
    return 0;
  }

  Expected<std::string> Linker = findLinker(C->LinkerOverride, Argv[0], Self);
  if (C->Version) {
    // The linker is part of the answer: which one a link would run is the
    // first thing to know when a link does not do what was expected.
    outs() << ToolName << " (wasm-rpath) " << WASM_RPATH_VERSION << "\n";
    if (Linker)
      outs() << "linker: " << *Linker << "\n";
    else
      outs() << "linker: none found (" << toString(Linker.takeError())
             << ")\n";
    return 0;
  }
  if (!Linker) {
    WithColor::error(errs(), ToolName) << toString(Linker.takeError()) << "\n";
    return 1;
  }
  // Our own marker for whatever runs below us (see ActiveEnvVar). POSIX
  // setenv: the wrapper targets the Unix hosts that emcc and wasm-ld run on.
  ::setenv(ActiveEnvVar.data(), Self.c_str(), 1);

  // A value missing at the end: the linker reports it in its own words, and
  // a link that fails is not patched.
  if (MissingCount)
    return runLinker(*Linker, std::vector<std::string>(CommandLine.begin(),
                                                       CommandLine.end()));

  // Only a link that asks for a run-time path in dylink.0 needs to know
  // whether the linker can write it.
  bool KeepRPath = !C->RPath.empty() && C->Place != RPathPlace::RPathSection &&
                   linkerSupportsRPath(*Linker);
  std::vector<std::unique_ptr<FileRemover>> TempFiles;
  Expected<std::vector<std::string>> LinkArgs =
      linkerArgs(CommandLine, Exp, Args, KeepRPath, Windows, TempFiles);
  if (!LinkArgs) {
    WithColor::error(errs(), ToolName)
        << toString(LinkArgs.takeError()) << "\n";
    return 1;
  }

  int RC = runLinker(*Linker, *LinkArgs);
  if (RC != 0 || C->RPath.empty())
    return RC;

  if (!sys::fs::exists(C->Output)) {
    WithColor::warning(errs(), ToolName) << "the linker wrote no '" << C->Output
                                         << "'; the run-time path is ignored\n";
    return 0;
  }
  Expected<LinkOutputKind> Kind = writeLinkRPath(C->Output, C->RPath, C->Place);
  if (!Kind) {
    // The error names the file already (editModuleFile()).
    WithColor::error(errs(), ToolName) << toString(Kind.takeError()) << "\n";
    return 1;
  }
  if (*Kind == LinkOutputKind::NoDylinkSection)
    WithColor::warning(errs(), ToolName)
        << "'" << C->Output
        << "' has no dylink.0 section (it was not linked with -shared or "
           "-pie); the run-time path is ignored\n";
  return 0;
}
