//===- wasm-rpath/Zip.h - Read zip archives, lay out new ones ----*- C++ -*-===//
//
// The zip container layer under the wheel rules (Wheel.h). A wheel is a zip
// archive; repairing one replaces a few members (the edited .so files and
// RECORD) and keeps every other member byte for byte. So the reader keeps
// where each member's bytes are in the file, and the writer lays a new
// archive out as OutputChunks (OutputChunk.h): copied members are ranges of the
// input, written by the file layer (FileIO.h) with kernel copies, never
// decompressed or recompressed; only new members and the central directory
// are new bytes.
//
// The reader validates everything it reads against the file's size before
// it trusts it (offsets, sizes, counts), so a hostile archive gives an
// Error, never a crash or a huge allocation. ZIP64 is supported throughout
// (members and offsets past 4 GiB, more than 65535 members). Errors say what
// and where, not which file: callers wrap them with llvm::createFileError.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_ZIP_H
#define WASM_RPATH_ZIP_H

#include "wasm-rpath/OutputChunk.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wasmrpath {
namespace zip {

/// Compression methods this layer can extract and write.
enum : uint16_t { MethodStored = 0, MethodDeflate = 8 };

/// General purpose flag bits that matter here.
enum : uint16_t {
  FlagEncrypted = 1 << 0,
  FlagDataDescriptor = 1 << 3,
  FlagStrongEncryption = 1 << 6,
  FlagUTF8 = 1 << 11,
};

/// One member, as its central directory record describes it (ZIP64 values
/// already substituted for the 0xFFFFFFFF placeholders), plus where its
/// bytes are in the file.
///
/// The name, extra field and comment are not copied: they are views of the
/// bytes that hold them (an Archive's central directory, which the Archive
/// keeps, or a PreparedEntry's own copy), so a wheel of a million members
/// holds each name once. An Entry is valid as long as its owner is.
struct Entry {
  /// Raw bytes of the name (UTF-8 for wheels, if flagged).
  llvm::StringRef name() const { return {Var, NameLen}; }
  /// The central record's extra field, raw.
  llvm::StringRef extra() const { return {Var + NameLen, ExtraLen}; }
  /// The central record's comment, raw.
  llvm::StringRef comment() const {
    return {Var + NameLen + ExtraLen, CommentLen};
  }
  /// The name as Python's zipfile (so pip and Pyodide's installer) decodes
  /// it, as UTF-8: the raw bytes if the entry is flagged UTF-8 or the name
  /// is ASCII, else the bytes read as code page 437. This is the path the
  /// member installs as.
  std::string decodedName() const;
  /// True if decodedName() is name() itself (flagged UTF-8, or ASCII):
  /// the common case, which needs no copy.
  bool isNameDecodedAsIs() const;
  /// Points the name, extra field and comment at \p Bytes, which holds
  /// them one after another, as a central record does; the caller keeps
  /// \p Bytes alive as long as the Entry.
  void setVariable(const char *Bytes, uint16_t NameSize, uint16_t ExtraSize,
                   uint16_t CommentSize) {
    Var = Bytes;
    NameLen = NameSize;
    ExtraLen = ExtraSize;
    CommentLen = CommentSize;
  }

  uint16_t VersionMadeBy = 0;
  uint16_t VersionNeeded = 0;
  uint16_t Flags = 0;
  uint16_t Method = 0;
  uint16_t DosTime = 0;
  uint16_t DosDate = 0;
  uint32_t CRC32 = 0;
  uint64_t CompressedSize = 0;
  uint64_t UncompressedSize = 0;
  uint16_t InternalAttrs = 0;
  uint32_t ExternalAttrs = 0;
  uint64_t LocalHeaderOffset = 0;
  /// First byte of the (compressed) data, after the local header.
  uint64_t DataOffset = 0;
  /// One past the member's last byte: the end of the data, or of the data
  /// descriptor if FlagDataDescriptor is set. [LocalHeaderOffset, RecordEnd)
  /// is what Writer::copyEntry() copies.
  uint64_t RecordEnd = 0;
  /// True if the central record kept its sizes in the ZIP64 extra field
  /// although they fit in 32 bits (Python's force_zip64 does that); a copy
  /// keeps that form, since the local header, copied as it is, agrees.
  bool Zip64Sizes = false;

private:
  const char *Var = "";
  uint16_t NameLen = 0, ExtraLen = 0, CommentLen = 0;

public:
  bool isDirectory() const { return name().ends_with("/"); }
  bool isEncrypted() const {
    return Flags & (FlagEncrypted | FlagStrongEncryption);
  }
  /// The Unix mode (type and permission bits) if the member was made on
  /// Unix (external attributes' high half), else 0.
  uint32_t unixMode() const;
};

/// An index of names to positions in a caller's array (members, RECORD
/// rows) that copies no name: an open-addressing hash table of 32-bit
/// positions, 8 to 16 bytes an element, where a StringMap held a copy of
/// every name and a heap block. The caller says how to get the name at a
/// position. Lookups are constant time on average.
class NameIndex {
public:
  static constexpr uint32_t Free = UINT32_MAX;
  /// Empties the index and sizes it for \p Count names.
  void reset(size_t Count) {
    size_t N = 16;
    while (N < 2 * Count)
      N *= 2;
    Slots.assign(N, Free);
  }
  bool empty() const { return Slots.empty(); }
  /// The slot holding the position of \p Name (NameAt(position) gives a
  /// position's name), or the free slot where it would go: assign the
  /// position to it to add the name. reset() must have been called with
  /// at least as many names as are added.
  template <typename NameAtFn>
  uint32_t &slot(llvm::StringRef Name, NameAtFn &&NameAt) {
    size_t Mask = Slots.size() - 1;
    for (size_t H = hash(Name) & Mask;; H = (H + 1) & Mask) {
      uint32_t &Slot = Slots[H];
      if (Slot == Free || NameAt(Slot) == Name)
        return Slot;
    }
  }

private:
  static uint64_t hash(llvm::StringRef Name);
  std::vector<uint32_t> Slots;
};

/// A zip archive, read from bytes in memory or from an open file.
///
/// Read from a file (the way the tools read wheels), nothing is mapped:
/// the headers and the members' data are read with pread() as they are
/// needed, so another process truncating the file meanwhile makes a read
/// fail with an error ("input file shrank while being read"), never a
/// SIGBUS, and memory holds the central directory and one window of the
/// data at a time, whatever the archive's size. An Archive is safe to read
/// from several threads at once.
///
/// The reader accepts only archives that every reader sees alike. Python's
/// zipfile (so pip, and Pyodide's package loader) finds the end record by
/// the last signature in the file's final 64 KiB, takes the central
/// directory to end where the end record (or the ZIP64 end record, read
/// right before its locator) starts, shifts every offset by any difference
/// ("prepended data"), truncates names at a NUL byte and keeps the last of
/// two members of one name. An archive on which any of these choices would
/// matter is refused here, so what this library analyses is what installs.
class Archive {
public:
  /// Reads the end of central directory record (the one Python's zipfile
  /// would pick; its comment must end the file, and no other end record may
  /// hold it in its comment), the ZIP64 end record when the locator is
  /// there (it must sit right before the locator), and the whole central
  /// directory, which must end exactly where the end records begin (no gap,
  /// no prepended data). Each member's local header is read too and must
  /// agree with the central record: signature, name, flags, method, CRC-32
  /// and sizes (zeros allowed with a data descriptor), a well-formed extra
  /// field whose ZIP64 sizes, if any, agree. Its data (and data descriptor)
  /// must lie within the file, before the central directory; no two members
  /// may overlap (a "zip bomb" of shared data is refused), have one name,
  /// or have a name with a NUL byte or a UTF-8 flag on bytes that are not
  /// UTF-8.
  ///
  /// Encryption and compression methods are not checked here, so such an
  /// archive can still be listed and copied; extract() refuses them.
  ///
  /// Errors carry errc::malformed (errc::unsupported for multi-disk
  /// archives, std::errc::value_too_large past a budget):
  /// "not a zip file (no end of central directory record)", "truncated
  /// central directory", "central directory entry N ...", "member 'x' data
  /// runs past the end of the file", "members 'x' and 'y' overlap", and so
  /// on, with offsets where useful.
  static llvm::Expected<Archive> read(llvm::ArrayRef<uint8_t> Data);

  /// Reads the archive in the open file \p FD of \p Size bytes with pread()
  /// (see the class comment). \p FD must stay open while the Archive is
  /// used. Besides read()'s errors, a failed or short read is an error
  /// (errc::input_changed if the file shrank).
  static llvm::Expected<Archive> read(int FD, uint64_t Size);

  /// The central directory may hold at most this many bytes (about five
  /// million members of usual names): it is held in memory, with an Entry
  /// per member.
  static constexpr uint64_t MaxCentralDirectorySize = uint64_t(512) << 20;

  Archive() = default;
  /// Entries point into the central directory the Archive holds: moving
  /// keeps them valid, a copy would not.
  Archive(Archive &&) = default;
  Archive &operator=(Archive &&) = default;
  Archive(const Archive &) = delete;
  Archive &operator=(const Archive &) = delete;

  llvm::ArrayRef<Entry> entries() const { return Entries; }
  /// The archive comment (raw bytes).
  llvm::StringRef comment() const { return Comment; }
  /// The archive's bytes if it was read from memory; empty if it was read
  /// from a file.
  llvm::ArrayRef<uint8_t> data() const { return Data; }
  /// The size of the archive in bytes.
  uint64_t size() const { return Size; }
  /// The member named \p Name (raw bytes), or null (names are unique).
  /// Constant time.
  const Entry *find(llvm::StringRef Name) const;

  /// Extracts the whole member \p E into \p Out (replacing its content).
  /// Errors: the member is encrypted or uses a method other than stored or
  /// deflate (errc::unsupported); its size, or its compressed size, is
  /// above \p Limit ("member 'x' is too large", std::errc::value_too_large)
  /// or memory for it cannot be had (std::errc::not_enough_memory); its
  /// data is corrupt, decompresses to another size than recorded, or its
  /// CRC-32 does not match (errc::malformed); a read fails.
  llvm::Error extract(const Entry &E, llvm::SmallVectorImpl<uint8_t> &Out,
                      uint64_t Limit) const;

  /// Streams the uncompressed content of \p E through \p Fn in chunks of
  /// at most ChunkSize bytes, holding no more than that (plus zlib's state
  /// and one read of the compressed data) whatever the member's size. Size
  /// and CRC-32 are checked as the data goes, so the last call to \p Fn may
  /// precede a corruption error: a caller that must not act on bad data
  /// acts only after success. An error from \p Fn stops the walk and is
  /// returned. Same errors as extract(), without the limit.
  llvm::Error
  forEachChunk(const Entry &E,
               llvm::function_ref<llvm::Error(llvm::ArrayRef<uint8_t>)> Fn) const;

  /// The first min(N, size) bytes of the member's content into \p Out, for
  /// readers that need only a file's head (a wasm module's dylink.0 is its
  /// first section). Costs about N bytes of decompression; the CRC cannot
  /// be checked on a prefix, so only structural errors are reported.
  llvm::Error extractPrefix(const Entry &E, uint64_t N,
                            llvm::SmallVectorImpl<uint8_t> &Out) const;

  static constexpr size_t ChunkSize = 256 * 1024;

  /// Sets a function that streaming reads (forEachChunk, extractPrefix)
  /// call with each range of an in-memory archive's bytes they are done
  /// with, so that the owner of a mapping can let its pages go. Never
  /// called for an archive read from a file (nothing is mapped). The hook
  /// must be safe to call from several threads.
  void setReleaseHook(std::function<void(llvm::ArrayRef<uint8_t>)> Hook) {
    Release = std::move(Hook);
  }

  /// The bytes [Offset, Offset + Len) of the archive: a slice of data() for
  /// an archive in memory, else read into \p Buffer. Errors: the range is
  /// not in the file, a read fails or comes short (the file shrank), no
  /// memory for \p Buffer.
  llvm::Expected<llvm::ArrayRef<uint8_t>>
  bytesAt(uint64_t Offset, uint64_t Len, std::vector<uint8_t> &Buffer) const;

private:
  static llvm::Expected<Archive> readImpl(Archive A);
  uint32_t &slotFor(llvm::StringRef Name) {
    return Index.slot(Name, [&](uint32_t I) { return Entries[I].name(); });
  }

  std::function<void(llvm::ArrayRef<uint8_t>)> Release;
  llvm::ArrayRef<uint8_t> Data;
  int FD = -1;
  uint64_t Size = 0;
  /// The central directory's bytes, read from the file (empty for an
  /// archive in memory, whose entries point into Data): the one copy of
  /// every member's name, extra field and comment.
  std::vector<uint8_t> Central;
  std::vector<Entry> Entries;
  /// Name -> index into Entries.
  NameIndex Index;
  std::string Comment;
};

/// How Writer::addEntry() writes a new member.
struct NewEntry {
  /// Deflate level 1-9 (libdeflate's, which follow zlib's scale); 0 stores
  /// the content uncompressed.
  int Level = 6;
  /// Modification time, Unix seconds (UTC). Converted to the DOS fields in
  /// UTC and clipped to 1980-01-01 00:00:00 .. 2107-12-31 23:59:58, as
  /// Python's zipfile and `wheel` do with SOURCE_DATE_EPOCH.
  int64_t MTime = 315532800; // 1980-01-01 00:00:00 UTC
  /// Unix mode, type bits included (external attributes' high half).
  uint32_t Mode = 0100644;
  /// Whether flag bit 11 (the name is UTF-8) is set. The flag decides how
  /// readers decode the name (UTF-8, else code page 437), so a member that
  /// replaces another passes that one's choice. Unset: set exactly when the
  /// name is not ASCII and is valid UTF-8 (Python's zipfile sets it for
  /// every non-ASCII name, and then cannot read a name that is not UTF-8).
  std::optional<bool> UTF8Name;
};

/// A new member compressed ahead of Writer::addPrepared(): its central
/// fields (the local header offset aside) and its data.
struct PreparedEntry {
  Entry E;
  std::string Data;
  /// The bytes E's name points into (a heap block: moving the
  /// PreparedEntry keeps E valid).
  std::unique_ptr<char[]> NameBytes;
};

/// The compression and CRC of Writer::addEntry(), which may run on any
/// thread (members of one archive are prepared on several at once); the
/// Writer then only lays the result out. Errors: addEntry()'s.
llvm::Expected<PreparedEntry> prepareEntry(llvm::StringRef Name,
                                           llvm::ArrayRef<uint8_t> Content,
                                           const NewEntry &Opts = NewEntry());

/// Lays out a new archive, member by member, in the order of the calls, as
/// OutputChunks for writeOutputFile(). Copied members are ranges of the
/// archive they were read from (one input file per Writer: all copied
/// entries must come from the Archive over that file's data), and
/// adjacent ranges are merged, so copying a run of members in their
/// original order costs one kernel copy. Output is deterministic: the same
/// calls give the same bytes.
class Writer {
public:
  Writer();
  ~Writer();
  Writer(Writer &&);
  Writer &operator=(Writer &&);

  /// Copies member \p E as it is in the input: local header, data and data
  /// descriptor in one range, never recompressed. Its central record is
  /// written again with every field kept but the local header offset; the
  /// ZIP64 extra is rewritten for the new offset (added if the offset
  /// passes 4 GiB), other extra fields are kept as they were.
  /// Error: the central extra field would exceed 65535 bytes.
  llvm::Error copyEntry(const Entry &E);

  /// Adds a new member named \p Name holding \p Content: compressed with
  /// libdeflate at \p Opts.Level, CRC-32, sizes in the local header (no data
  /// descriptor), made by Unix (host 3, format 2.0), flag bit 11 (UTF-8)
  /// as \p Opts.UTF8Name says. ZIP64 extras are written only when a size
  /// or the offset needs them. Errors: a name longer than 65535 bytes, a
  /// level outside 0-9.
  llvm::Error addEntry(llvm::StringRef Name, llvm::ArrayRef<uint8_t> Content,
                       const NewEntry &Opts = NewEntry());

  /// Adds a member made by prepareEntry(), as addEntry() would have.
  llvm::Error addPrepared(PreparedEntry PE);

  /// Sets the archive comment. Error: longer than 65535 bytes.
  llvm::Error setComment(llvm::StringRef Comment);

  /// The bytes laid out so far (the offset of the next member).
  uint64_t size() const;

  /// Appends the central directory, the ZIP64 end records if the member
  /// count, the directory's size or its offset need them, and the end of
  /// central directory record; returns the whole layout. The Writer is
  /// empty afterwards.
  std::vector<OutputChunk> finish();

private:
  struct Impl;
  std::unique_ptr<Impl> P;
};

/// Writes \p Chunks to \p OS, taking input ranges from \p Input (the bytes
/// the copied entries were read from). For tests and in-memory use; files
/// are written with writeOutputFile().
void writeChunks(llvm::ArrayRef<OutputChunk> Chunks,
                 llvm::ArrayRef<uint8_t> Input, llvm::raw_ostream &OS);

/// The DOS date and time (UTC) of Unix time \p T, clipped as NewEntry says.
void unixToDosTime(int64_t T, uint16_t &DosDate, uint16_t &DosTime);

/// The Unix time of DOS date and time fields read as UTC: the inverse of
/// unixToDosTime(), so that a member that is rewritten keeps its stamp.
int64_t dosToUnixTime(uint16_t DosDate, uint16_t DosTime);

} // namespace zip
} // namespace wasmrpath

#endif // WASM_RPATH_ZIP_H
