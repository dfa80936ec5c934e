//===- ToolOptTable.h - The option table of one tool, from its Opts.td ----===//
//
// Every tool describes its command line in an Opts.td that tablegen turns
// into Opts.inc in the tool's build directory (add_wasm_rpath_tool()). This
// header expands that file into the option IDs (OPT_*) and a ToolOptTable
// class, the way LLVM's binary utilities do, so that each driver includes it
// instead of repeating the expansion. Include it inside the driver's
// anonymous namespace, after `using namespace llvm;`.
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
