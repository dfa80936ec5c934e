//===- wasm-rpath/EditPlan.h - A whole edit, its rules and its targets -*- C++ -*-===//
//
// An EditPlan is everything one invocation asks of a module: at most one
// run-time path operation and any number of NEEDED edits. It owns the rules
// that a command line must follow (which operations exclude each other,
// which options need which) and the order in which the edits apply
// (patchelf's: the run-time path first, then NEEDED removals, renames and
// additions), so that every tool and the wheel repairer behave alike.
//
// A plan is applied to the object model (apply()), and through it to a
// module in memory (editModuleBuffer(), for modules read out of an archive)
// or to a file (editModuleFile() in FileIO.h, with apply() as its edit).
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_EDITPLAN_H
#define WASM_RPATH_EDITPLAN_H

#include "wasm-rpath/RPathEdit.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <utility>
#include <vector>

namespace wasmrpath {

/// The run-time path operations. Each defines the whole new path, so a plan
/// holds at most one.
enum class RPathOp { None, Set, Add, Remove, Shrink };

class EditPlan {
public:
  /// Records the run-time path operation \p Op, given as \p Option (its
  /// spelling, for messages). A second, different operation is an error:
  /// "--set-rpath and --add-rpath cannot be used together".
  llvm::Error addRPathOperation(RPathOp Op, llvm::StringRef Option);

  /// Records the entries of the operation, in command-line order, and
  /// whether some of them came from a verbatim-entry option (\p Verbatim,
  /// "--rpath-entry"), which makes a plan with no operation a Set.
  void addRPathEntries(llvm::ArrayRef<std::string> Entries,
                       llvm::StringRef VerbatimOption = "");

  /// --allowed-rpath-prefixes: only meaningful with Shrink (see finalize()).
  void setAllowedPrefixes(std::vector<std::string> Prefixes,
                          llvm::StringRef Option);

  void setPlace(RPathPlace P) { Place = P; }
  void addNeeded(llvm::StringRef Name) { AddNeeded.push_back(Name.str()); }
  void removeNeeded(llvm::StringRef Name) {
    RemoveNeeded.push_back(Name.str());
  }
  void replaceNeeded(llvm::StringRef Old, llvm::StringRef New) {
    ReplaceNeeded.emplace_back(Old.str(), New.str());
  }

  /// Checks the rules that involve several options, and every value, once,
  /// before any file is touched: verbatim entries with Remove or Shrink,
  /// allowed prefixes without Shrink, entries and NEEDED names that cannot
  /// be stored (checkEntry()). Errors are usage errors (errc::invalid_argument).
  llvm::Error finalize();

  /// Applies the plan to \p Obj in patchelf's order. \p IsWasmModule answers
  /// Shrink's question about host files. On error \p Obj may be partly
  /// edited; callers discard it (nothing has been written).
  llvm::Error apply(Object &Obj, WasmFileProbe IsWasmModule) const;

  /// True if the plan changes nothing whatever the module.
  bool empty() const {
    return Op == RPathOp::None && AddNeeded.empty() && RemoveNeeded.empty() &&
           ReplaceNeeded.empty();
  }

  RPathOp operation() const { return Op; }
  RPathPlace place() const { return Place; }
  llvm::ArrayRef<std::string> rpathEntries() const { return Entries; }

private:
  RPathOp Op = RPathOp::None;
  std::string OpOption;
  std::string VerbatimOption;
  std::string PrefixesOption;
  std::vector<std::string> Entries;
  std::vector<std::string> AllowedPrefixes;
  RPathPlace Place = RPathPlace::Both;
  std::vector<std::string> AddNeeded;
  std::vector<std::string> RemoveNeeded;
  std::vector<std::pair<std::string, std::string>> ReplaceNeeded;
};

/// The rule for where an edit's result goes: --in-place and --output exclude
/// each other, and --output names one file, so it needs exactly one input.
/// \p NumInputs == 0 is "no input files".
llvm::Error checkOutputOptions(llvm::StringRef Output, bool InPlace,
                               size_t NumInputs);

/// Edits a module held in memory: parses \p In, applies \p Edit and writes
/// the resulting module to \p OS. Returns whether the edit changed anything;
/// if it did not, the input bytes are written unchanged (so \p OS always
/// receives the module). Errors (malformed input, not a side module, the
/// edit's) do not name the module: callers do, as for files. Nothing is
/// written to \p OS on error.
llvm::Expected<bool>
editModuleBuffer(llvm::ArrayRef<uint8_t> In,
                 llvm::function_ref<llvm::Error(Object &)> Edit,
                 llvm::raw_ostream &OS);

} // namespace wasmrpath

#endif // WASM_RPATH_EDITPLAN_H
