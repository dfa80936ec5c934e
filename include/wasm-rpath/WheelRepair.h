//===- wasm-rpath/WheelRepair.h - Make a Pyodide wheel self-contained -*- C++ -*-===//
//
// The rules of `wasm-auditwheel`: what the side modules of a wheel need once
// the wheel is installed in Pyodide, where each NEEDED name will be found,
// and how to make every one of them found without anything outside the
// wheel: copy ("vendor") the missing libraries into `<dist>.libs/`, rename
// them so that no other library of the same name can shadow them, rewrite
// the NEEDED entries that name them, and set run-time paths.
//
// Why rename: Pyodide searches a bare NEEDED name in LD_LIBRARY_PATH
// (/usr/lib, then the top of site-packages) before the module's own
// RUNTIME_PATH, so a vendored `libfoo.so` loses to any `libfoo.so` that
// another package installed there. `libfoo-<8 hex of its sha256>.so` cannot
// be shadowed that way (auditwheel's scheme for the same reason on Linux).
//
// Planning (analyzeWheel) reads the wheel without unpacking it and decides
// everything; writing (writeRepairedWheel) then lays out the new wheel with
// the zip layer: members that do not change are copied as stored, never
// recompressed, and RECORD is rewritten last. `show` prints the plan,
// `repair` writes it: both use the same analysis.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_WHEELREPAIR_H
#define WASM_RPATH_WHEELREPAIR_H

#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/EditPlan.h"
#include "wasm-rpath/Wheel.h"
#include "wasm-rpath/Zip.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wasmrpath {

struct RepairOptions {
  /// Directories searched for libraries that the wheel lacks, in order,
  /// each as pyodide-build searches its library directory: DIR, DIR/lib,
  /// DIR/lib/wasm32-emscripten/pic, DIR/lib/wasm32-emscripten. Each must
  /// exist and be a directory.
  std::vector<std::string> LibDirs;
  /// Globs on a library's name: never vendored nor followed (--exclude).
  std::vector<std::string> Exclude;
  /// Globs on a library's name: vendored under its own name (--no-mangle).
  std::vector<std::string> NoMangle;
  bool NoMangleAll = false;
  /// Suffix of the directory that holds vendored libraries (--lib-sdir).
  std::string LibSdir = ".libs";
  /// Where run-time paths are written (--rpath-section).
  RPathPlace Place = RPathPlace::Both;
  /// Deflate level for members that change or are new (-z).
  int Level = 6;
  /// SOURCE_DATE_EPOCH: the time stamp of new members (else the wheel's
  /// newest member's).
  std::optional<int64_t> SourceDateEpoch;
  /// Host path of the runtime's main module (pyodide.asm.wasm), whose
  /// exports win over every side module's.
  std::string MainModule;
  /// Check the content of every member against RECORD (--record-check
  /// full), or only of the side modules, the members repair may rewrite
  /// (changed): the others are copied with their rows as they are, so a
  /// mismatch there is not hidden by the repair, and their size is still
  /// checked. A rewritten member always is, or its new row would launder it.
  /// Structural by default (false): no installer checks the other
  /// members' hashes (pip does not), and hashing them is most of a
  /// repair's cost on a large deflated wheel.
  bool CheckAllHashes = false;
  /// The largest side module (uncompressed) or library that is read: a
  /// module is held in memory whole, so this bounds the memory a small
  /// archive (a deflate bomb) can make a repair take. Larger is an error.
  uint64_t MaxModuleSize = uint64_t(256) << 20;
  /// Strips every side module written (Strip.h: dylink.0, RUNTIME_PATH and
  /// rpath.0 are kept), as auditwheel's --strip; a module that needs no
  /// other change but holds strippable sections is rewritten too.
  StripLevel Strip = StripLevel::None;
  /// Custom sections kept from the strip (exact names).
  std::vector<std::string> KeepSections;
};

/// Checks \p Opts once, before any wheel is read: globs that do not
/// compile, a LibSdir that is empty or holds a path separator, a ':'
/// (the run-time path's separator) or a control character, a level
/// outside 0-9, sections to keep without a strip. Errors are usage errors (errc::invalid_argument) and name
/// the value, not the option: a tool that wants to name its option checks
/// each field with the functions below.
llvm::Error checkRepairOptions(const RepairOptions &Opts);
llvm::Error checkLibSdir(llvm::StringRef LibSdir);
llvm::Error checkCompressionLevel(int Level);
llvm::Error checkGlobs(llvm::ArrayRef<std::string> Patterns);
/// Sections to keep (KeepSections) are meaningful only with a strip.
llvm::Error checkKeepSections(const RepairOptions &Opts);

/// An open wheel: the file, its central directory, .dist-info and RECORD.
class WheelFile {
public:
  /// Opens and reads \p Path. Errors name the file: not a zip, a bad wheel
  /// name, no .dist-info, an unreadable RECORD. A wheel of at most
  /// ReadWholeSize bytes is held in memory while the WheelFile lives (read
  /// once); a larger one is read as needed.
  static llvm::Expected<std::unique_ptr<WheelFile>> open(llvm::StringRef Path);
  static constexpr uint64_t ReadWholeSize = uint64_t(1) << 20;

  llvm::StringRef path() const { return Path; }
  const InputFile &file() const { return *In; }
  const zip::Archive &archive() const { return Archive; }
  const wheel::WheelName &name() const { return Name; }
  const wheel::DistInfo &distInfo() const { return DI; }
  const wheel::Record &record() const { return Rec; }

  /// Checks every member against RECORD (size and hash, streamed; members
  /// are hashed on all cores). The first mismatch, in member order, is the
  /// error, naming the wheel and the member. With \p AllHashes false, only
  /// the side modules' content is hashed; see RepairOptions::CheckAllHashes.
  llvm::Error verifyRecord(bool AllHashes = true) const;

private:
  WheelFile() = default;
  std::string Path;
  std::unique_ptr<InputFile> In;
  zip::Archive Archive;
  wheel::WheelName Name;
  wheel::DistInfo DI;
  wheel::Record Rec;
};

/// How one NEEDED name of one module fares.
struct NeededStatus {
  enum Kind {
    /// The installed wheel provides it: the loader finds it as things are.
    Found,
    /// A member of the wheel has the name but the loader would not find it
    /// there; repair adds its directory to the run-time path.
    InWheel,
    /// Found outside the wheel (--libdir): repair vendors it.
    Vendor,
    /// Matches --exclude: left to the runtime.
    Excluded,
    /// Nowhere: repair fails.
    NotFound,
  };
  std::string Name;
  Kind Status = NotFound;
  /// Found: the loader path it resolves to, and how ("library_path" for
  /// LD_LIBRARY_PATH, "runtime_path").
  std::string LoaderPath;
  std::string Via;
  /// InWheel and Vendor: the member that will provide it (for Vendor, the
  /// new member under <dist>.libs/).
  std::string Member;
  /// Vendor: the NEEDED entry after repair (the mangled name).
  std::string NewName;
  /// NotFound: why a file of that name did not count, if one was seen (a
  /// member or a library that is not a WebAssembly side module).
  std::string Why;
};

llvm::StringRef neededStatusName(NeededStatus::Kind K);

/// A side module of the wheel, or a library that repair would vendor.
struct ModulePlan {
  std::string Member;      ///< Path in the wheel (after repair, for vendored).
  std::string SourcePath;  ///< Vendored: the host file it comes from.
  std::string SourceSHA256; ///< Vendored: its content's digest (hex).
  bool Vendored = false;
  std::vector<std::string> Needed;
  std::optional<std::vector<std::string>> RuntimePath;
  std::optional<std::vector<std::string>> RPathSection;
  std::vector<NeededStatus> Resolution;
  /// What repair writes: the new run-time path (in RepairOptions::Place),
  /// if it changes, and NEEDED renames.
  std::optional<std::vector<std::string>> NewRunPath;
  std::vector<std::pair<std::string, std::string>> Renames;
  /// The bytes that RepairOptions::Strip removes from the module (its
  /// custom sections that go), 0 if it strips nothing.
  uint64_t StrippedBytes = 0;

  bool changes() const {
    return NewRunPath || !Renames.empty() || Vendored || StrippedBytes;
  }
};

/// A symbol that a vendored library exports and something else that the
/// same process loads exports too: whichever loads first binds it for
/// every module (symbols are process-wide in Pyodide).
struct VendoredSymbolClash {
  std::string Symbol;
  std::string Library; ///< The vendored library's member.
  std::string Other;   ///< A member of the wheel, or "main module".
};

struct RepairPlan {
  std::string Wheel;   ///< The input's path.
  std::string LibsDir; ///< "<dist><LibSdir>", no trailing slash.
  /// The wheel's side modules in member order, then the vendored ones.
  std::vector<ModulePlan> Modules;
  std::vector<VendoredSymbolClash> Clashes;
  /// Warnings for people (excluded libraries...), in the order found.
  std::vector<std::string> Warnings;
  /// The members whose names installers read otherwise than their bytes
  /// (not flagged UTF-8, not ASCII: zipfile decodes them as code page
  /// 437), each with that name. Usually empty.
  llvm::StringMap<std::string> DecodedNames;

  /// \p Member (a ModulePlan's or NeededStatus's) as installers, zipfile
  /// and so every output of the plan name it.
  llvm::StringRef installedName(llvm::StringRef Member) const {
    auto It = DecodedNames.find(Member);
    return It == DecodedNames.end() ? Member : llvm::StringRef(It->second);
  }

  /// True if some NEEDED name is found nowhere.
  bool hasMissing() const;
  /// The bytes the strip removes, over every module (uncompressed).
  uint64_t strippedBytes() const;
  /// True if repair would write a wheel different from the input.
  bool changesWheel(const WheelFile &W) const;
};

/// Reads every side module of \p W (members named *.so or *.so.N, as
/// Pyodide preloads them), resolves their NEEDED names as Pyodide would
/// with the wheel installed, looks for what is missing in the --libdir
/// directories (recursively for what it vendors) and decides the repair.
/// Errors name the wheel and the member: a .so member that is not a
/// WebAssembly side module, a member that cannot be extracted. Missing
/// libraries are not errors here (show reports them); see
/// checkNothingMissing().
llvm::Expected<RepairPlan> analyzeWheel(const WheelFile &W,
                                        const RepairOptions &Opts);

/// The error repair gives for a plan with missing libraries: one error per
/// name (joined), naming the wheel, the library and the module that needs
/// it.
llvm::Error checkNothingMissing(const RepairPlan &Plan);

/// Writes the repaired wheel to \p OutPath atomically. Unchanged members
/// are copied as stored; edited modules and vendored libraries are
/// compressed at Opts.Level (read, edited, compressed and hashed on all
/// cores, a window of at most 8 MiB of input at a time, and laid out in
/// member order: the output does not depend on the threads); RECORD.jws and RECORD.p7s are dropped; RECORD
/// gets fresh rows for what changed and is the last member. If the plan
/// changes nothing, the output is a copy of the input. \p BeforeCommit is
/// writeOutputFile()'s: the last word on whether the output replaces
/// \p OutPath. Errors name the file.
llvm::Error writeRepairedWheel(const WheelFile &W, const RepairPlan &Plan,
                               const RepairOptions &Opts,
                               llvm::StringRef OutPath,
                               llvm::function_ref<llvm::Error()> BeforeCommit = {});

/// The whole repair: verifies \p W's RECORD (on other threads, while the
/// plan is made and the output written, so that its cost overlaps the
/// copy; the side modules' content is checked by the analysis from the
/// bytes it inflates, which the rewrite reuses, within a budget of 8 MiB:
/// each module is inflated once), analyzes, checks that nothing is
/// missing, and writes \p OutPath,
/// which is replaced only if every check passed. Errors, in this order of
/// precedence: a RECORD mismatch, then the analysis's, the missing
/// libraries', the write's.
llvm::Expected<RepairPlan> repairWheel(const WheelFile &W,
                                       const RepairOptions &Opts,
                                       llvm::StringRef OutPath);

/// Runs \p Fn(I) for every I in [0, N) on all cores, on threads that this
/// call starts and joins before it returns (none outlives it, so nothing
/// runs on them when the process exits). \p Fn must be safe to call
/// concurrently for different I.
///
/// \p WorkBytes is what the calls read, inflate, deflate or hash in all:
/// a thread is started for each BytesPerThread of it only (at least the
/// calling thread runs). A new thread's stack, malloc arena and codec
/// tables are memory first touched, a page fault each page: on the
/// virtual machines measured (docs/performance.md) that costs about a
/// millisecond, what deflating 128 KiB takes.
void forEachIndexJoined(size_t N, uint64_t WorkBytes,
                        llvm::function_ref<void(size_t)> Fn);
constexpr uint64_t BytesPerThread = uint64_t(128) << 10;

/// The plan as JSON (for --json of show and repair).
llvm::json::Value toJSON(const RepairPlan &Plan);

} // namespace wasmrpath

#endif // WASM_RPATH_WHEELREPAIR_H
