//===- Zip.cpp - Read zip archives, lay out new ones ----------------------===//
//
// The format is PKWARE's APPNOTE.TXT (6.3.x): members (local header, data,
// optional data descriptor), then the central directory, then the ZIP64 end
// record and locator if needed, then the end of central directory record
// (EOCD). The central directory says what a member is; its local header
// must agree with it on everything a reader could use instead (name, flags,
// method, CRC-32, sizes), since pip reads through the central directory and
// streaming readers through the local headers.
//
// Polyglots: the EOCD is found the way Python's zipfile finds it (pip and
// Pyodide install with zipfile), and every freedom zipfile takes (where the
// central directory starts, where the ZIP64 end record is, which end record
// wins) is checked to make no difference, else the archive is refused. The
// members must tile the bytes before the central directory exactly, so no
// reader can find a member that the central directory does not list.
//
// Every offset, size and count read from the file is checked against the
// bytes present before it is used or anything is reserved for it. An
// archive read from a file descriptor is read with pread(), never mapped.
//
// Whole members are inflated with libdeflate (several times faster than
// zlib, and the exact output size is known); streamed members with zlib,
// which keeps state between calls; CRC-32 is libdeflate's (PCLMUL).
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Zip.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/Error.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Errno.h"
#include "llvm/Support/xxhash.h"
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <libdeflate.h>
#include <sys/random.h>
#include <ctime>
#include <unistd.h>
#include <zlib.h>

using namespace llvm;

namespace wasmrpath {
namespace zip {

namespace {

enum : uint32_t {
  SigLocal = 0x04034b50,
  SigCentral = 0x02014b50,
  SigEOCD = 0x06054b50,
  SigZip64EOCD = 0x06064b50,
  SigZip64Locator = 0x07064b50,
  SigDataDescriptor = 0x08074b50,
};

enum : size_t {
  LocalHeaderSize = 30,
  CentralHeaderSize = 46,
  EOCDSize = 22,
  Zip64EOCDSize = 56,
  Zip64LocatorSize = 20,
};

constexpr uint16_t Zip64ExtraID = 0x0001;
/// Info-ZIP's Unicode Path extra field: another name for the member.
constexpr uint16_t UnicodePathExtraID = 0x7075;
constexpr uint32_t Max32 = 0xFFFFFFFF;
constexpr uint16_t Max16 = 0xFFFF;

/// A malformed archive: the error of almost everything here.
Error makeError(const Twine &Msg) {
  return wasmrpath::makeError(errc::malformed, Msg);
}
Error unsupported(const Twine &Msg) {
  return wasmrpath::makeError(errc::unsupported, Msg);
}
Error tooLarge(const Twine &Msg) {
  return createStringError(std::make_error_code(std::errc::value_too_large),
                           Msg);
}
Error noMemory(const Twine &Msg) {
  return createStringError(std::make_error_code(std::errc::not_enough_memory),
                           Msg);
}

bool isValidUTF8(StringRef S) {
  const UTF8 *P = reinterpret_cast<const UTF8 *>(S.begin());
  return isLegalUTF8String(&P, reinterpret_cast<const UTF8 *>(S.end()));
}

std::string hex(uint64_t V) { return "0x" + utohexstr(V, /*LowerCase=*/true); }

uint16_t get16(const uint8_t *P) {
  return support::endian::read16le(P);
}
uint32_t get32(const uint8_t *P) {
  return support::endian::read32le(P);
}
uint64_t get64(const uint8_t *P) {
  return support::endian::read64le(P);
}

/// True if [Off, Off + Len) lies within a buffer of Size bytes (no overflow).
bool inBounds(uint64_t Off, uint64_t Len, uint64_t Size) {
  return Off <= Size && Len <= Size - Off;
}

/// A member's name for messages: names are raw bytes from a possibly
/// hostile file, so they are escaped like every string the tools print.
std::string quoted(StringRef Name) {
  return "'" + escapeForDisplay(Name) + "'";
}

std::string memberName(const Entry &E) { return "member " + quoted(E.name()); }

/// Code page 437's upper half (0x80-0xFF) as Unicode code points: the
/// encoding Python's zipfile decodes a member name with when the entry is
/// not flagged UTF-8 (its default metadata encoding).
constexpr uint16_t Cp437High[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
    0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
    0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
    0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
    0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
    0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
    0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
    0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};


/// The name zipfile gives a member not flagged UTF-8, as UTF-8.
std::string decodeCp437(StringRef Name) {
  std::string Out;
  Out.reserve(Name.size() * 2);
  for (unsigned char C : Name) {
    if (C < 0x80) {
      Out += char(C);
      continue;
    }
    char Buf[UNI_MAX_UTF8_BYTES_PER_CODE_POINT];
    char *End = Buf;
    ConvertCodePointToUTF8(Cp437High[C - 0x80], End);
    Out.append(Buf, End);
  }
  return Out;
}

/// Calls Fn(ID, Body) for each block of an extra field. A trailing run of
/// fewer than 4 bytes is ignored (some writers pad); a block that claims
/// more bytes than remain is an error.
Error walkExtra(StringRef Extra,
                function_ref<Error(uint16_t, StringRef)> Fn) {
  size_t Pos = 0;
  while (Extra.size() - Pos >= 4) {
    const uint8_t *P = reinterpret_cast<const uint8_t *>(Extra.data()) + Pos;
    uint16_t ID = get16(P), Len = get16(P + 2);
    if (Len > Extra.size() - Pos - 4)
      return makeError("extra field block " + hex(ID) + " runs past the end "
                       "of the extra field");
    if (Error E = Fn(ID, Extra.substr(Pos + 4, Len)))
      return E;
    Pos += 4 + Len;
  }
  return Error::success();
}

/// The extra field without its ZIP64 block(s).
std::string stripZip64(StringRef Extra) {
  std::string Out;
  size_t Pos = 0;
  while (Extra.size() - Pos >= 4) {
    const uint8_t *P = reinterpret_cast<const uint8_t *>(Extra.data()) + Pos;
    uint16_t ID = get16(P), Len = get16(P + 2);
    if (Len > Extra.size() - Pos - 4)
      break; // The reader refused such fields; nothing sensible to keep.
    if (ID != Zip64ExtraID)
      Out.append(Extra.data() + Pos, 4 + Len);
    Pos += 4 + Len;
  }
  Out.append(Extra.data() + Pos, Extra.size() - Pos);
  return Out;
}

/// Reads the ZIP64 extra of a central record: it holds, in this order,
/// those of the uncompressed size, compressed size, local header offset and
/// disk number whose 32-bit (16-bit) fields are all ones.
Error applyZip64Extra(Entry &E, bool NeedU, bool NeedC, bool NeedOff,
                      bool NeedDisk, size_t Index) {
  bool Need = NeedU || NeedC || NeedOff || NeedDisk;
  bool Found = false;
  Error Err = walkExtra(E.extra(), [&](uint16_t ID, StringRef Body) -> Error {
    if (!Need || ID != Zip64ExtraID || Found)
      return Error::success();
    Found = true;
    const uint8_t *P = reinterpret_cast<const uint8_t *>(Body.data());
    size_t Need = 8 * (NeedU + NeedC + NeedOff) + 4 * NeedDisk;
    if (Body.size() < Need)
      return makeError("ZIP64 extra field is too short (" +
                       Twine(Body.size()) + " bytes, " + Twine(Need) +
                       " needed)");
    if (NeedU) {
      E.UncompressedSize = get64(P);
      P += 8;
    }
    if (NeedC) {
      E.CompressedSize = get64(P);
      P += 8;
    }
    if (NeedOff)
      E.LocalHeaderOffset = get64(P);
    return Error::success();
  });
  if (Err)
    return makeError("central directory entry " + Twine(Index) + " (" +
                     memberName(E) + "): " + toString(std::move(Err)));
  if (Need && !Found)
    return makeError("central directory entry " + Twine(Index) + " (" +
                     memberName(E) + ") has 0xffffffff sizes or offset but "
                     "no ZIP64 extra field");
  return Error::success();
}

/// Reads all of [Offset, Offset + Out.size()) of \p FD.
Error preadAll(int FD, uint64_t Offset, MutableArrayRef<uint8_t> Out) {
  for (size_t Done = 0; Done < Out.size();) {
    ssize_t N = sys::RetryAfterSignal(-1, ::pread, FD, Out.data() + Done,
                                      Out.size() - Done,
                                      static_cast<off_t>(Offset + Done));
    if (N < 0) {
      int Errno = errno;
      return createStringError(std::error_code(Errno, std::generic_category()),
                               "cannot read input: " + sys::StrError(Errno));
    }
    if (N == 0)
      return wasmrpath::makeError(errc::input_changed,
                                  "input file shrank while being read");
    Done += N;
  }
  return Error::success();
}

/// Reads the archive's headers in order of their offsets through a window
/// of the file, so that a wheel of a million small members costs a few
/// thousand reads, not a million.
class HeaderReader {
public:
  explicit HeaderReader(const Archive &A) : A(A) {}
  uint64_t size() const { return A.size(); }

  /// The bytes [Off, Off + Len), which the caller has checked to lie in
  /// the file; valid until the next call.
  Expected<ArrayRef<uint8_t>> get(uint64_t Off, uint64_t Len) {
    if (!A.data().empty() || A.size() == 0)
      return A.data().slice(Off, Len);
    if (Off < Start || Off - Start + Len > Window.size()) {
      uint64_t Want = std::min<uint64_t>(std::max<uint64_t>(Len, WindowSize),
                                         A.size() - Off);
      Expected<ArrayRef<uint8_t>> Got = A.bytesAt(Off, Want, Buffer);
      if (!Got)
        return Got.takeError();
      Window = *Got;
      Start = Off;
    }
    return Window.slice(Off - Start, Len);
  }

private:
  static constexpr uint64_t WindowSize = 256 * 1024;
  const Archive &A;
  std::vector<uint8_t> Buffer;
  ArrayRef<uint8_t> Window;
  uint64_t Start = 0;
};

/// Finds the end of the member's data descriptor: with or without its
/// optional signature, with 4- or 8-byte sizes, whichever form repeats the
/// central directory's CRC and sizes. Sizes below 4 GiB fit both widths
/// (the high halves are zeros), so 8-byte sizes are tried first when the
/// local header has a ZIP64 extra (APPNOTE 4.3.9.2 says they are then
/// used), and among the forms that match, one followed by the next header's
/// signature (or the end of the members) wins.
Expected<uint64_t> findDescriptorEnd(HeaderReader &R, const Entry &E,
                                     uint64_t DataEnd, uint64_t Limit,
                                     bool LocalZip64) {
  // The longest form (28 bytes) and the signature after it.
  uint64_t Avail = std::min<uint64_t>(32, Limit - DataEnd);
  Expected<ArrayRef<uint8_t>> Bytes = R.get(DataEnd, Avail);
  if (!Bytes)
    return Bytes.takeError();
  std::optional<uint64_t> First;
  for (bool WithSig : {true, false}) {
    for (bool Wide : {LocalZip64, !LocalZip64}) {
      uint64_t Len = (WithSig ? 4 : 0) + 4 + (Wide ? 16 : 8);
      if (Len > Avail)
        continue;
      const uint8_t *P = Bytes->data();
      if (WithSig) {
        if (get32(P) != SigDataDescriptor)
          continue;
        P += 4;
      }
      uint64_t C = Wide ? get64(P + 4) : get32(P + 4);
      uint64_t U = Wide ? get64(P + 12) : get32(P + 8);
      if (get32(P) != E.CRC32 || C != E.CompressedSize ||
          U != E.UncompressedSize)
        continue;
      uint64_t End = DataEnd + Len;
      if (End == Limit ||
          (Len + 4 <= Avail && (get32(Bytes->data() + Len) == SigLocal ||
                                get32(Bytes->data() + Len) == SigCentral)))
        return End;
      if (!First)
        First = End;
    }
  }
  if (First)
    return *First;
  return makeError(memberName(E) + " has no data descriptor matching the "
                   "central directory at offset " + hex(DataEnd));
}

/// Reads the central record at \p Pos (advanced past it) of the directory
/// \p CD, which starts at file offset \p Base.
Expected<Entry> readCentralRecord(ArrayRef<uint8_t> CD, uint64_t &Pos,
                                  uint64_t Base, size_t Index) {
  if (!inBounds(Pos, CentralHeaderSize, CD.size()))
    return makeError("truncated central directory: entry " + Twine(Index) +
                     " at offset " + hex(Base + Pos) + " runs past its end");
  const uint8_t *P = CD.data() + Pos;
  if (get32(P) != SigCentral)
    return makeError("central directory entry " + Twine(Index) +
                     " at offset " + hex(Base + Pos) + " has a bad signature");
  Entry E;
  E.VersionMadeBy = get16(P + 4);
  E.VersionNeeded = get16(P + 6);
  E.Flags = get16(P + 8);
  E.Method = get16(P + 10);
  E.DosTime = get16(P + 12);
  E.DosDate = get16(P + 14);
  E.CRC32 = get32(P + 16);
  uint32_t C32 = get32(P + 20), U32 = get32(P + 24);
  uint16_t NameLen = get16(P + 28), ExtraLen = get16(P + 30),
           CommentLen = get16(P + 32), Disk = get16(P + 34);
  E.InternalAttrs = get16(P + 36);
  E.ExternalAttrs = get32(P + 38);
  uint32_t Off32 = get32(P + 42);
  uint64_t VarLen = uint64_t(NameLen) + ExtraLen + CommentLen;
  if (!inBounds(Pos + CentralHeaderSize, VarLen, CD.size()))
    return makeError("truncated central directory: the name, extra field "
                     "and comment of entry " + Twine(Index) + " at offset " +
                     hex(Base + Pos) + " run past its end");
  const char *V = reinterpret_cast<const char *>(P + CentralHeaderSize);
  E.setVariable(V, NameLen, ExtraLen, CommentLen);
  E.CompressedSize = C32;
  E.UncompressedSize = U32;
  E.LocalHeaderOffset = Off32;
  // Python's zipfile cuts a name at its first NUL, and fails on a UTF-8
  // flagged name that is not UTF-8: either way it would see another name.
  if (E.name().contains('\0'))
    return makeError("central directory entry " + Twine(Index) + " (" +
                     memberName(E) + ") has a NUL byte in its name");
  if ((E.Flags & FlagUTF8) && !isValidUTF8(E.name()))
    return makeError("central directory entry " + Twine(Index) + " (" +
                     memberName(E) + ") is flagged UTF-8 but its name is not "
                     "UTF-8");
  // zipfile refuses to open an archive with a member that needs a newer
  // version than 6.3 to extract.
  if ((E.VersionNeeded & 0xFF) > 63)
    return unsupported("central directory entry " + Twine(Index) + " (" +
                       memberName(E) + ") needs version " +
                       Twine((E.VersionNeeded & 0xFF) / 10) + "." +
                       Twine((E.VersionNeeded & 0xFF) % 10) +
                       " of the format to extract");
  // zipfile applies every ZIP64 block, this reader the first: one only.
  // A Unicode Path block renames the member for Python's zipfile (3.12 and
  // later, so Pyodide's) and for unzip, to a name this reader's checks
  // never saw: refused, as no wheel writer makes one (they flag UTF-8).
  unsigned Zip64Blocks = 0;
  bool UnicodePath = false;
  if (Error Err = walkExtra(E.extra(), [&](uint16_t ID, StringRef) {
        Zip64Blocks += ID == Zip64ExtraID;
        UnicodePath |= ID == UnicodePathExtraID;
        return Error::success();
      }))
    return makeError("central directory entry " + Twine(Index) + " (" +
                     memberName(E) + "): " + toString(std::move(Err)));
  if (Zip64Blocks > 1)
    return makeError("central directory entry " + Twine(Index) + " (" +
                     memberName(E) + ") has " + Twine(Zip64Blocks) +
                     " ZIP64 extra fields");
  if (UnicodePath)
    return makeError("central directory entry " + Twine(Index) + " (" +
                     memberName(E) + ") has a Unicode Path extra field, "
                     "another name for it to zipfile and unzip (readers "
                     "would disagree on the archive)");
  if (Error Err = applyZip64Extra(E, U32 == Max32, C32 == Max32,
                                  Off32 == Max32, Disk == Max16, Index))
    return Err;
  E.Zip64Sizes = U32 == Max32 || C32 == Max32;
  if (Disk != 0 && Disk != Max16)
    return unsupported("central directory entry " + Twine(Index) + " (" +
                       memberName(E) + ") is on disk " + Twine(Disk) +
                       " (multi-disk archives are not supported)");
  Pos += CentralHeaderSize + VarLen;
  return E;
}

/// Reads the local header of \p E, checks that it agrees with the central
/// record, and sets DataOffset and RecordEnd; all of the member must lie
/// below \p Limit (the start of the central directory).
Error readLocalHeader(HeaderReader &R, Entry &E, uint64_t Limit) {
  uint64_t Off = E.LocalHeaderOffset;
  if (!inBounds(Off, LocalHeaderSize, Limit))
    return makeError(memberName(E) + " local header at offset " + hex(Off) +
                     " runs past the start of the central directory");
  Expected<ArrayRef<uint8_t>> Fixed = R.get(Off, LocalHeaderSize);
  if (!Fixed)
    return Fixed.takeError();
  const uint8_t *P = Fixed->data();
  if (get32(P) != SigLocal)
    return makeError(memberName(E) + " has no local header at offset " +
                     hex(Off) + " (bad signature)");
  uint16_t Flags = get16(P + 6), Method = get16(P + 8);
  uint32_t CRC = get32(P + 14), C32 = get32(P + 18), U32 = get32(P + 22);
  uint16_t NameLen = get16(P + 26), ExtraLen = get16(P + 28);
  uint64_t HeaderEnd = Off + LocalHeaderSize + NameLen + ExtraLen;
  if (HeaderEnd > Limit)
    return makeError(memberName(E) + " local header at offset " + hex(Off) +
                     " runs past the start of the central directory");
  Expected<ArrayRef<uint8_t>> Var =
      R.get(Off + LocalHeaderSize, uint64_t(NameLen) + ExtraLen);
  if (!Var)
    return Var.takeError();
  StringRef LocalName = toStringRef(Var->take_front(NameLen));
  StringRef LocalExtra = toStringRef(Var->drop_front(NameLen));
  auto Contradicts = [&](const Twine &What) {
    return makeError(memberName(E) + " local header at offset " + hex(Off) +
                     " contradicts the central directory: " + What);
  };
  if (LocalName != E.name())
    return makeError(memberName(E) + " local header at offset " + hex(Off) +
                     " names " + quoted(LocalName) + " instead");
  // Readers that go by the local header (streaming ones, unzip's checks)
  // must see what the central directory says.
  if (Flags != E.Flags)
    return Contradicts("flags " + hex(Flags) + ", not " + hex(E.Flags));
  if (Method != E.Method)
    return Contradicts("method " + Twine(Method) + ", not " +
                       Twine(E.Method));
  std::optional<std::pair<uint64_t, uint64_t>> Zip64; // Uncompressed, compressed.
  unsigned Zip64Blocks = 0;
  if (Error Err = walkExtra(LocalExtra, [&](uint16_t ID, StringRef Body) {
        if (ID != Zip64ExtraID)
          return Error::success();
        ++Zip64Blocks;
        if (Body.size() >= 16)
          Zip64 = {get64(reinterpret_cast<const uint8_t *>(Body.data())),
                   get64(reinterpret_cast<const uint8_t *>(Body.data()) + 8)};
        return Error::success();
      }))
    return Contradicts("its extra field is malformed (" +
                       toString(std::move(Err)) + ")");
  if (Zip64Blocks > 1)
    return Contradicts("it has " + Twine(Zip64Blocks) + " ZIP64 extra fields");
  // With a data descriptor the local CRC and sizes may be zeros (written
  // before the data was); otherwise they are the central ones.
  bool Deferred = E.Flags & FlagDataDescriptor;
  auto Agrees = [&](uint64_t Local, uint64_t Central) {
    return Local == Central || (Deferred && Local == 0);
  };
  if (!Agrees(CRC, E.CRC32))
    return Contradicts("CRC-32 " + hex(CRC) + ", not " + hex(E.CRC32));
  uint64_t LocalU = U32, LocalC = C32;
  if (U32 == Max32 || C32 == Max32) {
    // APPNOTE 4.5.3: the local ZIP64 extra holds both sizes.
    if (!Zip64)
      return Contradicts("0xffffffff sizes without a ZIP64 extra field "
                         "holding both");
    if (U32 == Max32)
      LocalU = Zip64->first;
    if (C32 == Max32)
      LocalC = Zip64->second;
  }
  if (!Agrees(LocalU, E.UncompressedSize))
    return Contradicts("size " + Twine(LocalU) + ", not " +
                       Twine(E.UncompressedSize));
  if (!Agrees(LocalC, E.CompressedSize))
    return Contradicts("compressed size " + Twine(LocalC) + ", not " +
                       Twine(E.CompressedSize));
  E.DataOffset = HeaderEnd;
  if (!inBounds(E.DataOffset, E.CompressedSize, Limit))
    return makeError(memberName(E) + " data runs past the " +
                     (inBounds(E.DataOffset, E.CompressedSize, R.size())
                          ? "start of the central directory"
                          : "end of the file"));
  uint64_t DataEnd = E.DataOffset + E.CompressedSize;
  E.RecordEnd = DataEnd;
  if (Deferred) {
    Expected<uint64_t> End =
        findDescriptorEnd(R, E, DataEnd, Limit, Zip64Blocks != 0);
    if (!End)
      return End.takeError();
    E.RecordEnd = *End;
  }
  return Error::success();
}

} // namespace

uint32_t Entry::unixMode() const {
  // The high byte of "version made by" is the host system; 3 is Unix.
  return (VersionMadeBy >> 8) == 3 ? ExternalAttrs >> 16 : 0;
}

Expected<ArrayRef<uint8_t>> Archive::bytesAt(uint64_t Offset, uint64_t Len,
                                             std::vector<uint8_t> &Buffer) const {
  if (!inBounds(Offset, Len, Size))
    return makeError(Twine(Len) + " bytes at offset " + hex(Offset) +
                     " are outside the archive");
  if (FD < 0)
    return Data.slice(Offset, Len);
  if (Len > Buffer.size()) {
    // std::vector would abort when memory runs out: probe first, so that
    // the likely failure (a limit, refused overcommit) is an Error.
    if (Len > SIZE_MAX / 2)
      return noMemory("cannot hold " + Twine(Len) + " bytes of the archive");
    void *Probe = std::malloc(Len);
    if (!Probe)
      return noMemory("cannot hold " + Twine(Len) + " bytes of the archive");
    std::free(Probe);
    Buffer.clear();
    Buffer.shrink_to_fit();
    Buffer.resize(Len);
  }
  MutableArrayRef<uint8_t> Out(Buffer.data(), Len);
  if (Error E = preadAll(FD, Offset, Out))
    return E;
  return ArrayRef<uint8_t>(Out);
}

Expected<Archive> Archive::read(ArrayRef<uint8_t> Data) {
  Archive A;
  A.Data = Data;
  A.Size = Data.size();
  return readImpl(std::move(A));
}

Expected<Archive> Archive::read(int FD, uint64_t Size) {
  Archive A;
  A.FD = FD;
  A.Size = Size;
  return readImpl(std::move(A));
}

Expected<Archive> Archive::readImpl(Archive A) {
  const uint64_t Size = A.Size;
  if (Size < EOCDSize)
    return makeError("not a zip file (too short for an end of central "
                     "directory record)");
  // Find the EOCD as Python's zipfile does: the last 22 bytes if they are
  // one with an empty comment, else the last signature in the final
  // 64 KiB + 22 bytes. The comment must then end the file exactly.
  uint64_t TailStart = Size > EOCDSize + 65536 ? Size - EOCDSize - 65536 : 0;
  std::vector<uint8_t> TailBuffer;
  Expected<ArrayRef<uint8_t>> TailOr =
      A.bytesAt(TailStart, Size - TailStart, TailBuffer);
  if (!TailOr)
    return TailOr.takeError();
  ArrayRef<uint8_t> Tail = *TailOr;
  auto SigAt = [&](uint64_t I) { return get32(Tail.data() + I) == SigEOCD; };
  uint64_t EOCDInTail = Tail.size(); // Not found.
  if (SigAt(Tail.size() - EOCDSize) && get16(Tail.end() - 2) == 0) {
    EOCDInTail = Tail.size() - EOCDSize;
  } else {
    for (uint64_t I = Tail.size() - 3; I-- > 0;)
      if (SigAt(I)) {
        EOCDInTail = I;
        break;
      }
  }
  if (EOCDInTail == Tail.size())
    return makeError("not a zip file (no end of central directory record)");
  uint64_t EOCD = TailStart + EOCDInTail;
  if (EOCDInTail + EOCDSize > Tail.size())
    return makeError("not a zip file (the last end of central directory "
                     "signature, at offset " + hex(EOCD) + ", is too close "
                     "to the end of the file)");
  const uint8_t *P = Tail.data() + EOCDInTail;
  uint16_t CommentLen = get16(P + 20);
  if (EOCD + EOCDSize + CommentLen != Size)
    return makeError("the end of central directory record at offset " +
                     hex(EOCD) + " has a " + Twine(CommentLen) +
                     "-byte comment but " + Twine(Size - EOCD - EOCDSize) +
                     " bytes follow it (readers would disagree on the "
                     "archive)");
  // An end record inside the comment of another: readers that search
  // forwards, or check the comment length, would take the outer one.
  for (uint64_t I = 0; I < EOCDInTail; ++I)
    if (SigAt(I) && I + EOCDSize <= Tail.size() &&
        TailStart + I + EOCDSize + get16(Tail.data() + I + 20) == Size)
      return makeError("two end of central directory records, at offsets " +
                       hex(TailStart + I) + " and " + hex(EOCD) + ", the "
                       "second in the comment of the first (readers would "
                       "disagree on the archive)");
  uint16_t DiskNo = get16(P + 4), CDDisk = get16(P + 6);
  uint64_t DiskEntries = get16(P + 8), Count = get16(P + 10);
  uint64_t CDSize = get32(P + 12), CDOffset = get32(P + 16);
  A.Comment.assign(reinterpret_cast<const char *>(P + EOCDSize), CommentLen);

  // The directory ends where the ZIP64 end record starts, or the EOCD.
  uint64_t CDEnd = EOCD;
  bool HasLocator = EOCDInTail >= Zip64LocatorSize &&
                    get32(P - Zip64LocatorSize) == SigZip64Locator;
  if (!HasLocator && EOCD >= Zip64LocatorSize && EOCDInTail < Zip64LocatorSize) {
    // The locator would start before the tail read (a 64 KiB comment).
    std::vector<uint8_t> Buf;
    Expected<ArrayRef<uint8_t>> L =
        A.bytesAt(EOCD - Zip64LocatorSize, Zip64LocatorSize, Buf);
    if (!L)
      return L.takeError();
    HasLocator = get32(L->data()) == SigZip64Locator;
  }
  if (HasLocator) {
    std::vector<uint8_t> Buf;
    Expected<ArrayRef<uint8_t>> LOr =
        A.bytesAt(EOCD - Zip64LocatorSize, Zip64LocatorSize, Buf);
    if (!LOr)
      return LOr.takeError();
    const uint8_t *L = LOr->data();
    uint64_t RecOff = get64(L + 8);
    uint32_t LocDisk = get32(L + 4), Disks = get32(L + 16);
    if (LocDisk != 0 || Disks > 1)
      return unsupported("multi-disk archives are not supported");
    // zipfile ignores the locator's offset and reads the record right
    // before it (no extensible data): they must be one place.
    uint64_t Expected64 = EOCD - Zip64LocatorSize >= Zip64EOCDSize
                              ? EOCD - Zip64LocatorSize - Zip64EOCDSize
                              : UINT64_MAX;
    if (RecOff != Expected64)
      return makeError("the ZIP64 end of central directory locator points "
                       "at offset " + hex(RecOff) + ", not at the record "
                       "right before it (readers would disagree on the "
                       "archive)");
    std::vector<uint8_t> RecBuf;
    Expected<ArrayRef<uint8_t>> ROr = A.bytesAt(RecOff, Zip64EOCDSize, RecBuf);
    if (!ROr)
      return ROr.takeError();
    const uint8_t *R = ROr->data();
    if (get32(R) != SigZip64EOCD)
      return makeError("no ZIP64 end of central directory record at offset " +
                       hex(RecOff) + " (bad signature)");
    uint64_t DiskEntries64 = get64(R + 24), Count64 = get64(R + 32),
             CDSize64 = get64(R + 40), CDOffset64 = get64(R + 48);
    // Readers that use the ZIP64 values only for placeholder fields must
    // get the same numbers as those (zipfile) that always use them.
    auto Agree = [](uint64_t V32, uint64_t Max, uint64_t V64) {
      return V32 == Max || V32 == V64;
    };
    if (!Agree(DiskEntries, Max16, DiskEntries64) ||
        !Agree(Count, Max16, Count64) || !Agree(CDSize, Max32, CDSize64) ||
        !Agree(CDOffset, Max32, CDOffset64))
      return makeError("the end of central directory record and the ZIP64 "
                       "one disagree (readers would disagree on the "
                       "archive)");
    DiskNo = get32(R + 16) ? 1 : 0;
    CDDisk = get32(R + 20) ? 1 : 0;
    DiskEntries = DiskEntries64;
    Count = Count64;
    CDSize = CDSize64;
    CDOffset = CDOffset64;
    CDEnd = RecOff;
  }
  if (DiskNo != 0 || CDDisk != 0 || DiskEntries != Count)
    return unsupported("multi-disk archives are not supported");
  if (!inBounds(CDOffset, CDSize, CDEnd))
    return makeError("truncated central directory: " + Twine(CDSize) +
                     " bytes at offset " + hex(CDOffset) + " run past " +
                     hex(CDEnd));
  // zipfile reads the directory right before the end records, and shifts
  // every offset by any difference ("prepended data"): there must be none.
  if (CDOffset + CDSize != CDEnd)
    return makeError("the central directory (" + Twine(CDSize) +
                     " bytes at offset " + hex(CDOffset) + ") does not end "
                     "where the end records start (" + hex(CDEnd) +
                     "; readers would disagree on the archive)");
  if (CDSize > MaxCentralDirectorySize)
    return tooLarge("the central directory is too large (" + Twine(CDSize) +
                    " bytes, the limit is " +
                    Twine(MaxCentralDirectorySize) + ")");
  // Each record is at least 46 bytes: bound the count before reserving.
  if (Count > CDSize / CentralHeaderSize)
    return makeError("the end of central directory record claims " +
                     Twine(Count) + " entries, more than a " +
                     Twine(CDSize) + "-byte central directory can hold");
  {
    // Read from a file, the directory stays in A.Central (moving the
    // Archive moves the vector's block, so the entries' views stay valid).
    Expected<ArrayRef<uint8_t>> CD = A.bytesAt(CDOffset, CDSize, A.Central);
    if (!CD)
      return CD.takeError();
    A.Entries.reserve(Count);
    uint64_t Pos = 0;
    for (uint64_t I = 0; I < Count; ++I) {
      Expected<Entry> E = readCentralRecord(*CD, Pos, CDOffset, I);
      if (!E)
        return E.takeError();
      A.Entries.push_back(std::move(*E));
    }
    if (Pos != CDSize)
      return makeError("central directory has " + Twine(CDSize - Pos) +
                       " bytes after its last entry (the entry count in the "
                       "end record is wrong)");
  }
  // One name, one member: zipfile keeps the last of two, this layer would
  // find the first.
  {
    A.Index.reset(A.Entries.size());
    for (size_t I = 0; I < A.Entries.size(); ++I) {
      uint32_t &Slot = A.slotFor(A.Entries[I].name());
      if (Slot != NameIndex::Free)
        return makeError(memberName(A.Entries[I]) + " appears twice");
      Slot = uint32_t(I);
    }
  }
  // zipfile decodes a name not flagged UTF-8 as code page 437, so two
  // members whose names differ in bytes can have one name to it (0xE9
  // unflagged is 'Θ', as is CE 98 flagged): it would install the one this
  // layer does not look at.
  StringMap<size_t> Decoded;
  for (size_t I = 0; I < A.Entries.size(); ++I) {
    const Entry &E = A.Entries[I];
    if (E.isNameDecodedAsIs())
      continue;
    std::string Name = decodeCp437(E.name());
    const Entry *Other = A.find(Name);
    if (Other && !Other->isNameDecodedAsIs())
      Other = nullptr;
    auto [Pos, New] = Decoded.try_emplace(Name, I);
    if (!New)
      Other = &A.Entries[Pos->second];
    if (Other)
      return makeError(memberName(E) + " and " + memberName(*Other) +
                       " have one name, " + quoted(Name) +
                       ", to Python's zipfile (code page 437 for a name not "
                       "flagged UTF-8; readers would disagree on the "
                       "archive)");
  }

  // Local headers in file order (reads go forwards through the window),
  // then the members must tile [0, CDOffset): no shared bytes (a "zip
  // bomb" of overlapping members) and no gaps, where a reader that walks
  // the local headers could find a member the directory does not list.
  std::vector<Entry *> ByOffset;
  ByOffset.reserve(A.Entries.size());
  for (Entry &E : A.Entries)
    ByOffset.push_back(&E);
  llvm::sort(ByOffset, [](const Entry *X, const Entry *Y) {
    return X->LocalHeaderOffset < Y->LocalHeaderOffset;
  });
  HeaderReader R(A);
  for (Entry *E : ByOffset)
    if (Error Err = readLocalHeader(R, *E, CDOffset))
      return Err;
  uint64_t Expect = 0;
  for (size_t I = 0; I < ByOffset.size(); ++I) {
    const Entry &E = *ByOffset[I];
    if (I && ByOffset[I - 1]->RecordEnd > E.LocalHeaderOffset)
      return makeError("members " + quoted(ByOffset[I - 1]->name()) + " and " +
                       quoted(E.name()) + " overlap (at offset " +
                       hex(E.LocalHeaderOffset) + ")");
    if (E.LocalHeaderOffset != Expect)
      return makeError(Twine(E.LocalHeaderOffset - Expect) + " bytes at "
                       "offset " + hex(Expect) + " belong to no member "
                       "(before " + memberName(E) + ")");
    Expect = E.RecordEnd;
  }
  if (Expect != CDOffset)
    return makeError(Twine(CDOffset - Expect) + " bytes at offset " +
                     hex(Expect) + " belong to no member (before the "
                     "central directory)");
  return A;
}

const Entry *Archive::find(StringRef Name) const {
  if (Index.empty())
    return nullptr;
  uint32_t I = const_cast<Archive *>(this)->slotFor(Name);
  return I == NameIndex::Free ? nullptr : &Entries[I];
}

namespace {
/// This process's key for NameIndex: names come from the archive, so
/// whoever writes it chooses them, and with a hash known in advance they
/// could choose names that all fall into one run of slots and make every
/// lookup walk it (60,000 such members made show take 8 s, not 0.3 s).
/// With a key drawn at start, the slots cannot be predicted. Only lookups
/// depend on it, never an output's order.
struct HashKey {
  uint64_t K0 = 0x9e3779b97f4a7c15, K1 = 0xd6e8feb86659fd93;
  HashKey() {
    uint64_t Random[2];
    if (::getrandom(Random, sizeof(Random), GRND_NONBLOCK) ==
        static_cast<ssize_t>(sizeof(Random))) {
      K0 ^= Random[0];
      K1 ^= Random[1];
    } else {
      // No entropy yet (early boot): the address of this object and the
      // time still differ from one run to the next.
      K0 ^= reinterpret_cast<uintptr_t>(this) ^
            static_cast<uint64_t>(::time(nullptr));
    }
    K1 |= 1;
  }
};
} // namespace

uint64_t NameIndex::hash(StringRef Name) {
  static const HashKey Key;
  // xxh3 spreads the name over 64 bits; the keyed multiply (the folded
  // 128-bit product of wyhash) makes every bit of the slot depend on the key.
  __uint128_t M = static_cast<__uint128_t>(llvm::xxh3_64bits(Name) ^ Key.K0) *
                  Key.K1;
  return static_cast<uint64_t>(M) ^ static_cast<uint64_t>(M >> 64);
}

bool Entry::isNameDecodedAsIs() const {
  // ASCII is the same in both encodings.
  return (Flags & FlagUTF8) || isASCII(name());
}

std::string Entry::decodedName() const {
  if (isNameDecodedAsIs())
    return name().str();
  return decodeCp437(name());
}

namespace {

Error checkExtractable(const Entry &E) {
  if (E.isEncrypted())
    return unsupported(memberName(E) + " is encrypted");
  if (E.Method != MethodStored && E.Method != MethodDeflate)
    return unsupported(memberName(E) + " uses compression method " +
                     Twine(E.Method) + " (only stored and deflate are "
                     "supported)");
  if (E.Method == MethodStored && E.CompressedSize != E.UncompressedSize)
    return makeError(memberName(E) + " is stored but its compressed size (" +
                     Twine(E.CompressedSize) + ") differs from its size (" +
                     Twine(E.UncompressedSize) + ")");
  return Error::success();
}

Error crcMismatch(const Entry &E, uint32_t Got) {
  return makeError(memberName(E) + " has CRC-32 " + hex(Got) +
                   ", the central directory says " + hex(E.CRC32));
}

Error sizeMismatch(const Entry &E, const Twine &Got) {
  return makeError(memberName(E) + " decompresses to " + Got +
                   " bytes, the central directory says " +
                   Twine(E.UncompressedSize));
}

struct ZStream {
  z_stream S{};
  bool Init = false;
  ~ZStream() {
    if (Init)
      inflateEnd(&S);
  }
};

/// The streaming walk behind forEachChunk() and extractPrefix(): calls Fn
/// with the content in chunks; stops early once StopAfter bytes went out
/// (then nothing is verified). Fn may shorten nothing; it returns an Error
/// to stop.
Error streamMember(const Archive &A, const Entry &E, uint64_t StopAfter,
                   function_ref<Error(ArrayRef<uint8_t>)> Fn,
                   const std::function<void(ArrayRef<uint8_t>)> &Release) {
  auto Done = [&](ArrayRef<uint8_t> Consumed) {
    if (Release && !A.data().empty())
      Release(Consumed);
  };
  if (Error Err = checkExtractable(E))
    return Err;
  // The compressed data is read a piece at a time (one slice of the
  // archive in memory, one pread() from a file).
  std::vector<uint8_t> InBuffer;
  auto ReadIn = [&](uint64_t Offset, uint64_t N) {
    return A.bytesAt(E.DataOffset + Offset, N, InBuffer);
  };
  uint32_t CRC = 0;
  if (E.Method == MethodStored) {
    uint64_t Offset = 0;
    while (Offset < E.CompressedSize) {
      size_t N =
          std::min<uint64_t>(Archive::ChunkSize, E.CompressedSize - Offset);
      Expected<ArrayRef<uint8_t>> Chunk = ReadIn(Offset, N);
      if (!Chunk)
        return Chunk.takeError();
      CRC = libdeflate_crc32(CRC, Chunk->data(), Chunk->size());
      if (Error Err = Fn(*Chunk))
        return Err;
      Done(*Chunk);
      Offset += N;
      if (Offset >= StopAfter)
        return Error::success();
    }
    return CRC == E.CRC32 ? Error::success() : crcMismatch(E, CRC);
  }

  ZStream Z;
  // Raw deflate (negative window bits): zip members have no zlib header.
  int Init = inflateInit2(&Z.S, -MAX_WBITS);
  if (Init == Z_MEM_ERROR)
    return noMemory("zlib: cannot initialize inflate");
  if (Init != Z_OK)
    return makeError("zlib: cannot initialize inflate");
  Z.Init = true;
  // No larger than the member: a wheel of many small members is verified
  // member by member, and a 256 KiB buffer each would dominate.
  std::vector<uint8_t> Window(
      std::clamp<uint64_t>(E.UncompressedSize, 1, Archive::ChunkSize));
  const uint64_t InSize = E.CompressedSize;
  const uint64_t Piece = 4 * Archive::ChunkSize;
  ArrayRef<uint8_t> Current; // The piece inflate is consuming.
  uint64_t InDone = 0, OutDone = 0;
  for (;;) {
    // Feed the input in pieces (avail_in is 32-bit), each released once
    // inflate has consumed it.
    if (Z.S.avail_in == 0 && InDone < InSize) {
      if (!Current.empty())
        Done(Current);
      size_t N = std::min<uint64_t>(Piece, InSize - InDone);
      Expected<ArrayRef<uint8_t>> In = ReadIn(InDone, N);
      if (!In)
        return In.takeError();
      Current = *In;
      Z.S.next_in = const_cast<Bytef *>(Current.data());
      Z.S.avail_in = N;
      InDone += N;
    }
    Z.S.next_out = Window.data();
    Z.S.avail_out = Window.size();
    int RC = inflate(&Z.S, Z_NO_FLUSH);
    size_t Got = Window.size() - Z.S.avail_out;
    if (RC == Z_MEM_ERROR)
      return noMemory("zlib: out of memory inflating " + memberName(E));
    if (RC == Z_BUF_ERROR && Got == 0)
      return makeError(memberName(E) + " has truncated deflate data");
    if (RC != Z_OK && RC != Z_STREAM_END && !(RC == Z_BUF_ERROR && Got))
      return makeError(memberName(E) + " has corrupt deflate data" +
                       (Z.S.msg ? Twine(" (") + Z.S.msg + ")" : Twine()));
    if (Got) {
      if (Got > E.UncompressedSize - OutDone)
        return sizeMismatch(E, "more than " + Twine(E.UncompressedSize));
      ArrayRef<uint8_t> Chunk(Window.data(), Got);
      CRC = libdeflate_crc32(CRC, Chunk.data(), Chunk.size());
      OutDone += Got;
      if (Error Err = Fn(Chunk))
        return Err;
      if (OutDone >= StopAfter)
        return Error::success();
    }
    if (RC == Z_STREAM_END)
      break;
    if (Got == 0 && Z.S.avail_in == 0 && InDone == InSize)
      return makeError(memberName(E) + " has truncated deflate data");
  }
  if (OutDone != E.UncompressedSize)
    return sizeMismatch(E, Twine(OutDone));
  return CRC == E.CRC32 ? Error::success() : crcMismatch(E, CRC);
}

} // namespace

namespace {
/// One decompressor, and one compressor per level, per thread, made on
/// first use: members are inflated and compressed on several threads at
/// once (the repair's module reads, prepareEntry()), and making one per
/// member would cost more than the work on a small member (a module of a
/// few hundred bytes). Freed when the thread ends.
struct ThreadCodecs {
  libdeflate_decompressor *D = nullptr;
  libdeflate_compressor *C[10] = {};
  ~ThreadCodecs() {
    if (D)
      libdeflate_free_decompressor(D);
    for (libdeflate_compressor *X : C)
      if (X)
        libdeflate_free_compressor(X);
  }
};
thread_local ThreadCodecs Codecs;
} // namespace

Error Archive::extract(const Entry &E, SmallVectorImpl<uint8_t> &Out,
                       uint64_t Limit) const {
  Out.clear();
  if (Error Err = checkExtractable(E))
    return Err;
  if (E.UncompressedSize > Limit)
    return tooLarge(memberName(E) + " is too large (" +
                    Twine(E.UncompressedSize) + " bytes, the limit is " +
                    Twine(Limit) + ")");
  // Deflate's overhead is 5 bytes a 64 KiB block; anything far above the
  // limit is not data this member needs, and is not read into memory.
  uint64_t InLimit = Limit + Limit / 64 + 1024;
  if (E.CompressedSize > InLimit)
    return tooLarge(memberName(E) + " is too large (" +
                    Twine(E.CompressedSize) + " compressed bytes, the "
                    "limit is " + Twine(InLimit) + ")");
  // A deflate stream expands at most 1032:1; a larger claim is a lie, and
  // refusing it before allocating keeps a small hostile file from asking
  // for gigabytes.
  if (E.Method == MethodDeflate &&
      E.UncompressedSize / 1032 > E.CompressedSize + 1)
    return sizeMismatch(E, "at most " + Twine((E.CompressedSize + 1) * 1032));
  // SmallVector aborts when malloc fails: probe first, so that the likely
  // failure (a memory limit, refused overcommit) is an Error.
  if (E.UncompressedSize > SIZE_MAX / 2)
    return noMemory(memberName(E) + " does not fit in memory");
  if (E.UncompressedSize > Out.capacity()) {
    void *Probe = std::malloc(E.UncompressedSize);
    if (!Probe)
      return noMemory("cannot hold " + memberName(E) + " in memory (" +
                      Twine(E.UncompressedSize) + " bytes)");
    std::free(Probe);
  }
  Out.resize_for_overwrite(E.UncompressedSize);
  std::vector<uint8_t> InBuffer;
  Expected<ArrayRef<uint8_t>> InOr =
      bytesAt(E.DataOffset, E.CompressedSize, InBuffer);
  if (!InOr) {
    Out.clear();
    return InOr.takeError();
  }
  ArrayRef<uint8_t> In = *InOr;
  if (E.Method == MethodStored) {
    std::copy(In.begin(), In.end(), Out.begin());
  } else {
    libdeflate_decompressor *&D = Codecs.D;
    if (!D && !(D = libdeflate_alloc_decompressor())) {
      Out.clear();
      return noMemory("libdeflate: cannot allocate a decompressor");
    }
    size_t Got = 0;
    libdeflate_result R = libdeflate_deflate_decompress(
        D, In.data(), In.size(), Out.data(), Out.size(), &Got);
    if (R == LIBDEFLATE_INSUFFICIENT_SPACE) {
      Out.clear();
      return sizeMismatch(E, "more than " + Twine(E.UncompressedSize));
    }
    if (R != LIBDEFLATE_SUCCESS) {
      Out.clear();
      return makeError(memberName(E) + " has corrupt deflate data");
    }
    if (Got != Out.size()) {
      Out.clear();
      return sizeMismatch(E, Twine(Got));
    }
  }
  uint32_t CRC = libdeflate_crc32(0, Out.data(), Out.size());
  if (CRC != E.CRC32) {
    Out.clear();
    return crcMismatch(E, CRC);
  }
  return Error::success();
}

Error Archive::forEachChunk(
    const Entry &E, function_ref<Error(ArrayRef<uint8_t>)> Fn) const {
  return streamMember(*this, E, UINT64_MAX, Fn, Release);
}

Error Archive::extractPrefix(const Entry &E, uint64_t N,
                             SmallVectorImpl<uint8_t> &Out) const {
  Out.clear();
  if (N == 0)
    return Error::success();
  return streamMember(*this, E, N, [&](ArrayRef<uint8_t> Chunk) {
    size_t Take = std::min<uint64_t>(Chunk.size(), N - Out.size());
    Out.append(Chunk.begin(), Chunk.begin() + Take);
    return Error::success();
  }, Release);
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

namespace {

void put16(std::string &S, uint16_t V) {
  char B[2];
  support::endian::write16le(B, V);
  S.append(B, 2);
}
void put32(std::string &S, uint32_t V) {
  char B[4];
  support::endian::write32le(B, V);
  S.append(B, 4);
}
void put64(std::string &S, uint64_t V) {
  char B[8];
  support::endian::write64le(B, V);
  S.append(B, 8);
}

/// Version 4.5 of the format introduced ZIP64.
constexpr uint16_t VersionZip64 = 45;
/// Made by: host 3 (Unix), format version 2.0.
constexpr uint16_t MadeByUnix = (3 << 8) | 20;

} // namespace

struct Writer::Impl {
  std::vector<OutputChunk> Chunks;
  uint64_t Offset = 0;
  /// Central records, already encoded.
  std::string Central;
  uint64_t Count = 0;
  std::string Comment;

  void appendBytes(std::string Bytes) {
    if (Bytes.empty())
      return;
    Offset += Bytes.size();
    if (!Chunks.empty() && !Chunks.back().isInputRange())
      Chunks.back().Bytes += Bytes;
    else
      Chunks.push_back({std::move(Bytes), 0, 0});
  }
  void appendRange(uint64_t InputOffset, uint64_t Size) {
    if (Size == 0)
      return;
    Offset += Size;
    if (!Chunks.empty() && Chunks.back().isInputRange() &&
        Chunks.back().InputOffset + Chunks.back().Size == InputOffset) {
      Chunks.back().Size += Size;
      return;
    }
    Chunks.push_back({std::string(), InputOffset, Size});
  }

  /// Encodes a central record for \p E placed at \p LocalOffset. The ZIP64
  /// extra (first, as Python and Info-ZIP put it) holds the sizes if they
  /// do not fit or \p ForceSizes, and the offset if it does not fit.
  Error addCentral(const Entry &E, uint64_t LocalOffset, bool ForceSizes) {
    bool BigU = ForceSizes || E.UncompressedSize >= Max32;
    bool BigC = ForceSizes || E.CompressedSize >= Max32;
    bool BigOff = LocalOffset >= Max32;
    std::string Extra;
    if (BigU || BigC || BigOff) {
      put16(Extra, Zip64ExtraID);
      put16(Extra, 8 * (BigU + BigC + BigOff));
      if (BigU)
        put64(Extra, E.UncompressedSize);
      if (BigC)
        put64(Extra, E.CompressedSize);
      if (BigOff)
        put64(Extra, LocalOffset);
    }
    Extra += stripZip64(E.extra());
    if (Extra.size() > Max16)
      return wasmrpath::makeError(errc::unsupported, memberName(E) + ": its central extra field would be " +
                       Twine(Extra.size()) + " bytes, more than 65535");
    // ZIP64 needs version 4.5 to extract; a record that had a ZIP64 extra
    // already says what its writer chose, and a copy keeps it.
    bool HadZip64 = false;
    consumeError(walkExtra(E.extra(), [&](uint16_t ID, StringRef) {
      HadZip64 |= ID == Zip64ExtraID;
      return Error::success();
    }));
    uint16_t Needed = E.VersionNeeded;
    if ((BigU || BigC || BigOff) && !HadZip64 && Needed < VersionZip64)
      Needed = VersionZip64;
    std::string &S = Central;
    put32(S, SigCentral);
    put16(S, E.VersionMadeBy);
    put16(S, Needed);
    put16(S, E.Flags);
    put16(S, E.Method);
    put16(S, E.DosTime);
    put16(S, E.DosDate);
    put32(S, E.CRC32);
    put32(S, BigC ? Max32 : E.CompressedSize);
    put32(S, BigU ? Max32 : E.UncompressedSize);
    put16(S, E.name().size());
    put16(S, Extra.size());
    put16(S, E.comment().size());
    put16(S, 0); // Disk number.
    put16(S, E.InternalAttrs);
    put32(S, E.ExternalAttrs);
    put32(S, BigOff ? Max32 : LocalOffset);
    S += E.name();
    S += Extra;
    S += E.comment();
    ++Count;
    return Error::success();
  }
};

Writer::Writer() : P(std::make_unique<Impl>()) {}
Writer::~Writer() = default;
Writer::Writer(Writer &&) = default;
Writer &Writer::operator=(Writer &&) = default;

uint64_t Writer::size() const { return P->Offset; }

Error Writer::copyEntry(const Entry &E) {
  uint64_t LocalOffset = P->Offset;
  if (Error Err = P->addCentral(E, LocalOffset, E.Zip64Sizes))
    return Err;
  P->appendRange(E.LocalHeaderOffset, E.RecordEnd - E.LocalHeaderOffset);
  return Error::success();
}

Error Writer::addEntry(StringRef Name, ArrayRef<uint8_t> Content,
                       const NewEntry &Opts) {
  Expected<PreparedEntry> PE = prepareEntry(Name, Content, Opts);
  if (!PE)
    return PE.takeError();
  return addPrepared(std::move(*PE));
}

Expected<PreparedEntry> prepareEntry(StringRef Name, ArrayRef<uint8_t> Content,
                                     const NewEntry &Opts) {
  if (Name.size() > Max16)
    return wasmrpath::makeError(errc::invalid_argument,
                                "member name of " + Twine(Name.size()) +
                                    " bytes is longer than 65535");
  if (Opts.Level < 0 || Opts.Level > 9)
    return wasmrpath::makeError(errc::invalid_argument,
                                "compression level " + Twine(Opts.Level) +
                                    " is not in 0-9");
  Entry E;
  auto NameBytes = std::make_unique<char[]>(Name.size() + 1);
  std::memcpy(NameBytes.get(), Name.data(), Name.size());
  E.setVariable(NameBytes.get(), Name.size(), 0, 0);
  E.VersionMadeBy = MadeByUnix;
  E.Method = Opts.Level == 0 ? MethodStored : MethodDeflate;
  E.VersionNeeded = E.Method == MethodStored ? 10 : 20;
  bool UTF8 = Opts.UTF8Name
                  ? *Opts.UTF8Name
                  : !llvm::all_of(Name, [](char C) { return isASCII(C); }) &&
                        isValidUTF8(Name);
  if (UTF8)
    E.Flags |= FlagUTF8;
  unixToDosTime(Opts.MTime, E.DosDate, E.DosTime);
  E.CRC32 = libdeflate_crc32(0, Content.data(), Content.size());
  E.UncompressedSize = Content.size();
  E.ExternalAttrs = Opts.Mode << 16;
  if ((Opts.Mode & 0170000) == 0040000)
    E.ExternalAttrs |= 0x10; // MS-DOS directory attribute, as zipfile sets.

  std::string Data;
  if (E.Method == MethodStored) {
    Data.assign(reinterpret_cast<const char *>(Content.data()), Content.size());
  } else {
    libdeflate_compressor *&C = Codecs.C[Opts.Level];
    if (!C && !(C = libdeflate_alloc_compressor(Opts.Level)))
      return noMemory("libdeflate: cannot allocate a compressor");
    size_t Bound = libdeflate_deflate_compress_bound(C, Content.size());
    // std::string aborts when malloc fails: probe first.
    if (void *Probe = std::malloc(Bound))
      std::free(Probe);
    else
      return noMemory("cannot hold the compressed " + quoted(Name) + " (" +
                      Twine(Bound) + " bytes)");
    Data.resize(Bound);
    size_t N = libdeflate_deflate_compress(C, Content.data(), Content.size(),
                                           Data.data(), Data.size());
    // The bound is libdeflate's own promise; if it fails, store instead.
    if (N == 0) {
      E.Method = MethodStored;
      E.VersionNeeded = 10;
      Data.assign(reinterpret_cast<const char *>(Content.data()),
                  Content.size());
    } else {
      Data.resize(N);
    }
  }
  E.CompressedSize = Data.size();
  PreparedEntry PE;
  PE.E = std::move(E);
  PE.Data = std::move(Data);
  PE.NameBytes = std::move(NameBytes);
  return PE;
}

Error Writer::addPrepared(PreparedEntry PE) {
  const Entry &E = PE.E;
  StringRef Name = E.name();
  std::string Data = std::move(PE.Data);
  // The local header's ZIP64 extra must hold both sizes if either needs it.
  bool Zip64 = E.UncompressedSize >= Max32 || E.CompressedSize >= Max32;
  if (Zip64)
    PE.E.VersionNeeded = VersionZip64;
  std::string H;
  put32(H, SigLocal);
  put16(H, E.VersionNeeded);
  put16(H, E.Flags);
  put16(H, E.Method);
  put16(H, E.DosTime);
  put16(H, E.DosDate);
  put32(H, E.CRC32);
  put32(H, Zip64 ? Max32 : E.CompressedSize);
  put32(H, Zip64 ? Max32 : E.UncompressedSize);
  put16(H, Name.size());
  put16(H, Zip64 ? 20 : 0);
  H += Name;
  if (Zip64) {
    put16(H, Zip64ExtraID);
    put16(H, 16);
    put64(H, E.UncompressedSize);
    put64(H, E.CompressedSize);
  }
  uint64_t LocalOffset = P->Offset;
  if (Error Err = P->addCentral(E, LocalOffset, Zip64))
    return Err;
  P->appendBytes(std::move(H));
  P->appendBytes(std::move(Data));
  return Error::success();
}

Error Writer::setComment(StringRef Comment) {
  if (Comment.size() > Max16)
    return wasmrpath::makeError(errc::invalid_argument,
                                "archive comment of " + Twine(Comment.size()) +
                                    " bytes is longer than 65535");
  P->Comment = Comment.str();
  return Error::success();
}

std::vector<OutputChunk> Writer::finish() {
  uint64_t CDOffset = P->Offset, CDSize = P->Central.size();
  P->appendBytes(std::move(P->Central));
  bool Zip64 = P->Count >= Max16 || CDSize >= Max32 || CDOffset >= Max32;
  std::string T;
  if (Zip64) {
    uint64_t RecOffset = P->Offset;
    put32(T, SigZip64EOCD);
    put64(T, Zip64EOCDSize - 12); // Size of the rest of the record.
    put16(T, MadeByUnix);
    put16(T, VersionZip64);
    put32(T, 0); // This disk.
    put32(T, 0); // Disk of the central directory.
    put64(T, P->Count);
    put64(T, P->Count);
    put64(T, CDSize);
    put64(T, CDOffset);
    put32(T, SigZip64Locator);
    put32(T, 0);
    put64(T, RecOffset);
    put32(T, 1); // Total number of disks.
  }
  put32(T, SigEOCD);
  put16(T, 0);
  put16(T, 0);
  put16(T, P->Count >= Max16 ? Max16 : P->Count);
  put16(T, P->Count >= Max16 ? Max16 : P->Count);
  put32(T, CDSize >= Max32 ? Max32 : CDSize);
  put32(T, CDOffset >= Max32 ? Max32 : CDOffset);
  put16(T, P->Comment.size());
  T += P->Comment;
  P->appendBytes(std::move(T));
  std::vector<OutputChunk> Result = std::move(P->Chunks);
  P = std::make_unique<Impl>();
  return Result;
}

void writeChunks(ArrayRef<OutputChunk> Chunks, ArrayRef<uint8_t> Input,
                 raw_ostream &OS) {
  for (const OutputChunk &C : Chunks) {
    if (C.isInputRange())
      OS.write(reinterpret_cast<const char *>(Input.data()) + C.InputOffset,
               C.Size);
    else
      OS << C.Bytes;
  }
}

void unixToDosTime(int64_t T, uint16_t &DosDate, uint16_t &DosTime) {
  // 1980-01-01 00:00:00 and 2107-12-31 23:59:58 UTC, the DOS format's range.
  constexpr int64_t Min = 315532800, Max = 4354819198;
  T = std::clamp(T, Min, Max);
  int64_t Days = T / 86400, Secs = T % 86400;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  int64_t Z = Days + 719468;
  int64_t Era = Z / 146097;
  int64_t DOE = Z - Era * 146097;
  int64_t YOE = (DOE - DOE / 1460 + DOE / 36524 - DOE / 146096) / 365;
  int64_t Y = YOE + Era * 400;
  int64_t DOY = DOE - (365 * YOE + YOE / 4 - YOE / 100);
  int64_t MP = (5 * DOY + 2) / 153;
  int64_t D = DOY - (153 * MP + 2) / 5 + 1;
  int64_t M = MP < 10 ? MP + 3 : MP - 9;
  if (M <= 2)
    ++Y;
  DosDate = uint16_t(((Y - 1980) << 9) | (M << 5) | D);
  DosTime = uint16_t(((Secs / 3600) << 11) | (((Secs / 60) % 60) << 5) |
                     ((Secs % 60) / 2));
}

int64_t dosToUnixTime(uint16_t DosDate, uint16_t DosTime) {
  int64_t Y = 1980 + (DosDate >> 9), M = (DosDate >> 5) & 15, D = DosDate & 31;
  // Out-of-range fields (month 0, day 0) are taken as the first, as
  // Python's zipfile would fail on them; a copy never depends on this.
  M = std::clamp<int64_t>(M, 1, 12);
  D = std::max<int64_t>(D, 1);
  // Days since 1970-01-01 from a civil date (Howard Hinnant's algorithm).
  Y -= M <= 2;
  int64_t Era = Y / 400;
  int64_t YOE = Y - Era * 400;
  int64_t DOY = (153 * (M > 2 ? M - 3 : M + 9) + 2) / 5 + D - 1;
  int64_t DOE = YOE * 365 + YOE / 4 - YOE / 100 + DOY;
  int64_t Days = Era * 146097 + DOE - 719468;
  return Days * 86400 + (DosTime >> 11) * 3600 + ((DosTime >> 5) & 63) * 60 +
         (DosTime & 31) * 2;
}

} // namespace zip
} // namespace wasmrpath
