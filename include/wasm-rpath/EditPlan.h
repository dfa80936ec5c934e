//===- wasm-rpath/EditPlan.h - A whole edit, its rules and its targets -*- C++ -*-===//
//
// An EditPlan is everything one invocation asks of a module: at most one
// run-time path operation and any number of NEEDED edits, given through
// typed setters (no option strings). It owns the rules that every front end
// follows (which operations exclude each other, which parts need which;
// broken ones are reported as a PlanConflictError that the front end words
// in its own terms) and the order in which the edits apply
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

/// How much a strip removes (EditPlan::setStrip(); what each level removes
/// is the edit layer's rule, lib/Edit/Strip.h): llvm-strip's --strip-debug
/// and --strip-all.
enum class StripLevel { None, Debug, All };

/// The run-time path operations. Each defines the whole new path, so a plan
/// holds at most one.
enum class RPathOp { None, Set, Add, Remove, Shrink };

/// The parts of a plan that the rules relate, so that a front end can name
/// them in its own terms (a tool by its option spelling) when a rule is
/// broken.
enum class PlanPart {
  SetRPath,        ///< EditPlan::setRPath()
  AddRPath,        ///< EditPlan::addRPath()
  RemoveRPath,     ///< EditPlan::removeRPath()
  ShrinkRPath,     ///< EditPlan::shrinkRPath()
  RPathEntries,    ///< EditPlan::addRPathEntries()
  AllowedPrefixes, ///< EditPlan::setAllowedPrefixes()
  Strip,           ///< EditPlan::setStrip()
  KeepSections,    ///< EditPlan::keepSection()
};

/// A broken plan rule: \p First and \p Second exclude each other
/// (Kind::Exclusive), or \p First is meaningful only with \p Second
/// (Kind::Requires). The message uses the library's words; a tool maps the
/// parts to its option names (see wasm-set-rpath). Code:
/// errc::invalid_argument.
class PlanConflictError : public llvm::ErrorInfo<PlanConflictError> {
public:
  enum class Kind { Exclusive, Requires };
  static char ID;
  PlanConflictError(Kind K, PlanPart First, PlanPart Second)
      : K(K), First(First), Second(Second) {}
  void log(llvm::raw_ostream &OS) const override;
  std::error_code convertToErrorCode() const override;
  Kind kind() const { return K; }
  PlanPart first() const { return First; }
  PlanPart second() const { return Second; }

private:
  Kind K;
  PlanPart First, Second;
};

/// Describes \p P in words ("setting the run-time path"), for messages.
llvm::StringRef describePlanPart(PlanPart P);

class EditPlan {
public:
  /// The run-time path operations, typed. Each records its operation; a
  /// second, different operation is a PlanConflictError (the first one
  /// recorded is named first). Giving the same operation again adds its
  /// entries after the earlier ones. Entries are stored verbatim: split a
  /// patchelf-style path with splitSearchPath() first.
  llvm::Error setRPath(llvm::ArrayRef<std::string> Entries);
  llvm::Error addRPath(llvm::ArrayRef<std::string> Entries);
  llvm::Error removeRPath();
  llvm::Error shrinkRPath();

  /// Entries that carry no operation of their own (patchelf's verbatim
  /// entries): they join those of setRPath() or addRPath(), in call order;
  /// with no operation they set the path; with removeRPath() or
  /// shrinkRPath(), finalize() refuses them.
  void addRPathEntries(llvm::ArrayRef<std::string> Entries);

  /// Only absolute entries starting with one of \p Prefixes survive a
  /// shrink; meaningful only with shrinkRPath() (see finalize()).
  void setAllowedPrefixes(std::vector<std::string> Prefixes);

  /// Where the run-time path is read and written (default: Both).
  void setPlace(RPathPlace P) { Place = P; }

  /// NEEDED edits, applied after the run-time path: removals, then renames
  /// (every occurrence of \p Old; see wasmrpath::replaceNeeded()), then
  /// additions, as patchelf orders them.
  void addNeeded(llvm::StringRef Name) { AddNeeded.push_back(Name.str()); }
  void removeNeeded(llvm::StringRef Name) {
    RemoveNeeded.push_back(Name.str());
  }
  void replaceNeeded(llvm::StringRef Old, llvm::StringRef New) {
    ReplaceNeeded.emplace_back(Old.str(), New.str());
  }

  /// Strips custom sections (Strip.h: dylink.0, RUNTIME_PATH and rpath.0
  /// are always kept), after the other edits. The strongest level given
  /// wins, as when llvm-strip is given both options.
  void setStrip(StripLevel Level) {
    if (Level > Strip)
      Strip = Level;
  }
  /// Keeps the custom section \p Name from the strip; meaningful only with
  /// setStrip() (see finalize()).
  void keepSection(llvm::StringRef Name) { Keep.push_back(Name.str()); }

  /// Checks the rules that involve several parts, and every value, once,
  /// before any file is touched: loose entries with Remove or Shrink,
  /// allowed prefixes without Shrink, kept sections without a strip
  /// (PlanConflictError), entries and
  /// NEEDED names that cannot be stored (checkEntry()). Every error has
  /// the code errc::invalid_argument.
  llvm::Error finalize();

  /// Applies the plan to \p Obj in patchelf's order, then the strip. \p IsWasmModule answers
  /// Shrink's question about host files. On error \p Obj may be partly
  /// edited; callers discard it (nothing has been written).
  llvm::Error apply(Object &Obj, WasmFileProbe IsWasmModule) const;

  /// True if the plan changes nothing whatever the module.
  bool empty() const {
    return Op == RPathOp::None && AddNeeded.empty() && RemoveNeeded.empty() &&
           ReplaceNeeded.empty() && Strip == StripLevel::None;
  }

  RPathOp operation() const { return Op; }
  RPathPlace place() const { return Place; }
  StripLevel strip() const { return Strip; }
  llvm::ArrayRef<std::string> rpathEntries() const { return Entries; }

private:
  llvm::Error recordOperation(RPathOp NewOp);

  RPathOp Op = RPathOp::None;
  bool HasLooseEntries = false;
  bool HasPrefixes = false;
  std::vector<std::string> Entries;
  std::vector<std::string> AllowedPrefixes;
  RPathPlace Place = RPathPlace::Both;
  std::vector<std::string> AddNeeded;
  std::vector<std::string> RemoveNeeded;
  std::vector<std::pair<std::string, std::string>> ReplaceNeeded;
  StripLevel Strip = StripLevel::None;
  std::vector<std::string> Keep;
};

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
