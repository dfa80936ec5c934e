//===- ToolOptTable.h - The option table of one tool, from its Opts.td ----===//
//
// Every tool describes its command line in an Opts.td that tablegen turns
// into Opts.inc in the tool's build directory (add_wasm_rpath_tool()). This
// header expands that file into the option IDs (OPT_*) and a ToolOptTable
// class, the way LLVM's binary utilities do, so that each driver includes it
// instead of repeating the expansion; it also gathers search-path entries
// from options the way every tool takes them. Include it inside the driver's
// anonymous namespace, after `using namespace llvm;` and the includes of
// llvm/Option/ArgList.h, llvm/Support/StringSaver.h, llvm/Support/WithColor.h
// and wasm-rpath/{CommandLine,Display,RPathEdit}.h. parseToolCommandLine()
// is the common start of the drivers' main().
//
//===----------------------------------------------------------------------===//

// No include guard: each tool includes this once, for its own Opts.inc.

enum ID {
  OPT_INVALID = 0,
#define OPTION(...) LLVM_MAKE_OPT_ID(__VA_ARGS__),
#include "Opts.inc"
#undef OPTION
};

#define PREFIX(NAME, VALUE)                                                    \
  static constexpr StringLiteral NAME##_init[] = VALUE;                        \
  static constexpr ArrayRef<StringLiteral> NAME(NAME##_init,                   \
                                                std::size(NAME##_init) - 1);
#include "Opts.inc"
#undef PREFIX

static constexpr opt::OptTable::Info InfoTable[] = {
#define OPTION(...) LLVM_CONSTRUCT_OPT_INFO(__VA_ARGS__),
#include "Opts.inc"
#undef OPTION
};

class ToolOptTable : public opt::GenericOptTable {
public:
  ToolOptTable() : GenericOptTable(InfoTable) {}
};

/// The entries given by search-path options, in command-line order: each
/// \p Split option's value is ':'-separated (a piece per entry, as patchelf
/// and LD_LIBRARY_PATH have it), each \p Verbatim option's value is one
/// entry, which may contain ':'.
inline std::vector<std::string>
collectSearchEntries(const opt::InputArgList &Args,
                     std::initializer_list<opt::OptSpecifier> Split,
                     opt::OptSpecifier Verbatim) {
  std::vector<std::string> Entries;
  for (const opt::Arg *A : Args) {
    if (A->getOption().matches(Verbatim)) {
      Entries.push_back(A->getValue());
      continue;
    }
    for (opt::OptSpecifier Id : Split)
      if (A->getOption().matches(Id))
        for (std::string &E : wasmrpath::splitSearchPath(A->getValue()))
          Entries.push_back(std::move(E));
  }
  return Entries;
}

/// The start of every driver's main(): expands @FILE arguments
/// (wasmrpath::expandResponseFiles) and parses the command line. A bad
/// response file, an option without its value or an unknown option (with
/// the nearest known spelling, as LLVM's tools suggest it) is reported as
/// one error line, and the result is then std::nullopt: exit with 1.
/// \p Saver must outlive the result, which points into it.
inline std::optional<opt::InputArgList>
parseToolCommandLine(const ToolOptTable &T, int Argc, char **Argv,
                     StringSaver &Saver, StringRef ToolName) {
  auto Fail = [&](const Twine &Msg) -> std::optional<opt::InputArgList> {
    WithColor::error(errs(), ToolName)
        << wasmrpath::escapeForDisplay(Msg.str()) << "\n";
    return std::nullopt;
  };
  SmallVector<const char *, 0> ArgvVec(Argv + 1, Argv + Argc);
  if (Error E = wasmrpath::expandResponseFiles(ArgvVec, Saver))
    return Fail(toString(std::move(E)));
  unsigned MissingIndex, MissingCount;
  opt::InputArgList Args = T.ParseArgs(ArgvVec, MissingIndex, MissingCount);
  if (MissingCount)
    return Fail("missing argument to '" +
                StringRef(Args.getArgString(MissingIndex)) + "'");
  for (const opt::Arg *A : Args.filtered(OPT_UNKNOWN)) {
    std::string Arg = A->getAsString(Args), Nearest;
    if (T.findNearest(Arg, Nearest) <= 2)
      return Fail("unknown argument '" + Arg + "'; did you mean '" + Nearest +
                  "'?");
    return Fail("unknown argument '" + Arg + "'");
  }
  return Args;
}
