//===- wasm-rpath/Object.h - Section-level model of a wasm module -*- C++ -*-===//
//
// The object model that wasm-rpath edits. It is deliberately shallow: a module
// is its 8-byte preamble and a list of sections known only by id, name and
// byte range, so that any module can be edited whatever wasm features its code
// uses, without decoding it. Only the two custom sections that carry dynamic
// linking data are decoded:
//
//  * dylink.0 (or the legacy "dylink"), as a list of subsections. NEEDED and
//    RUNTIME_PATH are decoded into strings that edits may change; every other
//    subsection, including types this code does not know, is kept as raw
//    bytes and written back unchanged.
//  * rpath.0, whose payload is a RUNTIME_PATH body (count, string*).
//
// All ArrayRefs and StringRefs point into the input buffer, which must outlive
// the Object, or, for an Object read from a file descriptor, into the bytes
// that the Object holds itself.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_OBJECT_H
#define WASM_RPATH_OBJECT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/BinaryFormat/Wasm.h"
#include "llvm/Support/Allocator.h"
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wasmrpath {

/// Subsection types of dylink.0 (tool-conventions DynamicLinking.md), with
/// LLVM's values. LLVM 19's BinaryFormat/Wasm.h lacks RUNTIME_PATH (LLVM 21
/// adds WASM_DYLINK_RUNTIME_PATH = 5), so that one is defined here.
enum DylinkSubsectionType : uint8_t {
  DylinkMemInfo = llvm::wasm::WASM_DYLINK_MEM_INFO,
  DylinkNeeded = llvm::wasm::WASM_DYLINK_NEEDED,
  DylinkExportInfo = llvm::wasm::WASM_DYLINK_EXPORT_INFO,
  DylinkImportInfo = llvm::wasm::WASM_DYLINK_IMPORT_INFO,
  DylinkRuntimePath = 5,
};

/// Returns the spec name of a subsection type ("NEEDED"), or "" if unknown.
llvm::StringRef dylinkSubsectionName(uint8_t Type);

/// Names of the custom sections this library understands.
inline constexpr llvm::StringLiteral DylinkSectionName = "dylink.0";
inline constexpr llvm::StringLiteral LegacyDylinkSectionName = "dylink";
inline constexpr llvm::StringLiteral RPathSectionName = "rpath.0";

/// One section of the module, located but not decoded.
struct Section {
  uint8_t Id = 0;          ///< Section id; 0 is a custom section.
  llvm::StringRef Name;    ///< Custom section name; empty otherwise.
  uint64_t Offset = 0;     ///< Offset of the id byte in the file.
  uint64_t PayloadOffset = 0; ///< Offset of the payload (after the name).
  uint64_t End = 0;        ///< One past the last byte of the section.

  /// The payload, when the reader holds it apart from Object::Data: a
  /// module read from a file descriptor holds only the sections the
  /// library decodes (dylink, rpath.0, import, export). Use
  /// Object::payload().
  llvm::ArrayRef<uint8_t> Held;
  /// Set by a strip (Strip.h): the writer leaves the section out.
  bool Removed = false;
  uint64_t size() const { return End - Offset; }
  bool isCustom() const { return Id == llvm::wasm::WASM_SEC_CUSTOM; }
};

/// One subsection of dylink.0 as read. Raw covers the type byte, the size and
/// the body, exactly as in the input, so that an unchanged subsection can be
/// written back byte for byte (even if its size used a padded LEB).
struct DylinkSubsection {
  uint8_t Type = 0;
  llvm::ArrayRef<uint8_t> Raw;
  llvm::ArrayRef<uint8_t> Body;
};

/// The dynamic-linking information of a side module.
struct DylinkInfo {
  /// True for the pre-2021 "dylink" section: a flat MEM_INFO + NEEDED
  /// payload with no subsections and so no place for a run-time path.
  bool IsLegacy = false;

  /// dylink.0 subsections in file order (empty for the legacy format).
  std::vector<DylinkSubsection> Subsections;

  /// For the legacy format: the four MEM_INFO LEBs, verbatim.
  llvm::ArrayRef<uint8_t> LegacyMemInfo;

  /// Decoded NEEDED entries (empty if there is no NEEDED subsection).
  std::vector<std::string> Needed;

  /// Decoded RUNTIME_PATH entries; std::nullopt when the subsection is absent.
  std::optional<std::vector<std::string>> RuntimePath;

  /// The lists as read. What differs from them is what an edit changed, and
  /// the writer re-encodes only that: edits that cancel out write nothing.
  std::vector<std::string> OriginalNeeded;
  std::optional<std::vector<std::string>> OriginalRuntimePath;

  bool neededChanged() const { return Needed != OriginalNeeded; }
  bool runtimePathChanged() const { return RuntimePath != OriginalRuntimePath; }
  bool isModified() const { return neededChanged() || runtimePathChanged(); }
};

/// A parsed module: what the reader produces, edits change and the writer
/// serializes.
struct Object {
  /// The whole input, if it was read from memory; empty if it was read
  /// from a file descriptor (then only what the reader decoded is held,
  /// in Storage).
  llvm::ArrayRef<uint8_t> Data;
  /// The size of the input in bytes.
  uint64_t InputSize = 0;
  /// The bytes that names and decoded sections point into when the input
  /// was read from a file descriptor: small pieces in one allocator, large
  /// payloads each in its own block.
  struct ReadBytes {
    llvm::BumpPtrAllocator Small;
    std::vector<std::unique_ptr<uint8_t[]>> Large;
  };
  std::shared_ptr<ReadBytes> Storage;
  std::vector<Section> Sections;

  /// Index into Sections of dylink.0 / dylink, if present (always 0).
  std::optional<size_t> DylinkIndex;
  /// Index into Sections of rpath.0, wherever it is.
  std::optional<size_t> RPathIndex;

  /// Present iff the module has a dylink.0 or legacy dylink section.
  std::optional<DylinkInfo> Dylink;

  /// Entries of rpath.0; std::nullopt when the section is absent.
  std::optional<std::vector<std::string>> RPathSection;
  std::optional<std::vector<std::string>> OriginalRPathSection;

  bool rpathSectionChanged() const {
    return RPathSection != OriginalRPathSection;
  }

  /// The bytes of the sections marked Removed (every section has at least
  /// two, so a strip that removed any makes this non-zero).
  uint64_t RemovedBytes = 0;

  bool isSharedLibrary() const { return Dylink.has_value(); }
  /// The payload of \p Sec (after a custom section's name): from Data when
  /// the module was read from memory, else what the reader held (empty for
  /// a section it did not read; see Section::Held).
  llvm::ArrayRef<uint8_t> payload(const Section &Sec) const {
    if (!Data.empty())
      return Data.slice(Sec.PayloadOffset, Sec.End - Sec.PayloadOffset);
    return Sec.Held;
  }

  /// True if an edit changed anything that must be written out.
  bool isModified() const {
    return rpathSectionChanged() || (Dylink && Dylink->isModified()) ||
           RemovedBytes != 0;
  }

  /// The run-time path a released loader uses: RUNTIME_PATH of dylink.0.
  llvm::ArrayRef<std::string> runtimePath() const {
    if (Dylink && Dylink->RuntimePath)
      return *Dylink->RuntimePath;
    return {};
  }
};

/// Where the run-time path lives: RUNTIME_PATH of dylink.0, which the
/// released loaders read, the rpath.0 custom section, for JavaScript
/// loaders, or both (read: RUNTIME_PATH, else rpath.0; written: both).
enum class RPathPlace { Dylink, RPathSection, Both };

inline bool includesDylink(RPathPlace P) { return P != RPathPlace::RPathSection; }
inline bool includesRPathSection(RPathPlace P) { return P != RPathPlace::Dylink; }

/// Parses "dylink" (or "dylink.0"), "rpath.0" or "both"; std::nullopt for
/// anything else.
std::optional<RPathPlace> parseRPathPlace(llvm::StringRef Name);

/// Splits a patchelf-style search path at ':' into entries, dropping empty
/// pieces. Use a verbatim entry list for entries that contain ':'.
std::vector<std::string> splitSearchPath(llvm::StringRef Path);

/// Joins entries with ':' (what --print-rpath shows, as patchelf does).
std::string joinSearchPath(llvm::ArrayRef<std::string> Entries);

/// The run-time path as read through \p Place: for Both, RUNTIME_PATH if the
/// module has one, else rpath.0. Empty if neither is present.
std::vector<std::string> getRPath(const Object &Obj, RPathPlace Place);

/// If RUNTIME_PATH and rpath.0 disagree in a way that matters to a loader,
/// describes how; std::nullopt when they agree or rpath.0 is absent.
std::optional<std::string> describeRPathMismatch(const Object &Obj);
std::optional<std::string> describeRPathMismatch(
    const std::optional<std::vector<std::string>> &RuntimePath,
    const std::optional<std::vector<std::string>> &RPathSection);

} // namespace wasmrpath

#endif // WASM_RPATH_OBJECT_H
