//===- Reader.cpp - Parse a module into the object model ------------------===//
//
// Walks the section headers of a core module and decodes dylink.0, the
// legacy dylink section and rpath.0. Nothing else is decoded, so the cost is
// proportional to the number of sections, not to the size of the file.
//
// Every count read from the file is bounded by the bytes that remain before
// any allocation or loop depends on it: a hostile module that claims 2^32
// entries in a ten-byte subsection fails at the first missing byte.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Reader.h"
#include "wasm-rpath/Error.h"
#include "llvm/BinaryFormat/Wasm.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/LEB128.h"

using namespace llvm;

namespace wasmrpath {

namespace {

/// Every error of the reader is about malformed input.
Error makeError(const Twine &Msg) { return wasmrpath::makeError(errc::malformed, Msg); }

std::string hexOffset(uint64_t Offset) {
  return "0x" + utohexstr(Offset, /*LowerCase=*/true);
}

/// A bounds-checked cursor over a byte range that knows the file offset of
/// its first byte, so that errors can say where they happened.
class Cursor {
public:
  Cursor(ArrayRef<uint8_t> Bytes, uint64_t BaseOffset, StringRef What)
      : Bytes(Bytes), BaseOffset(BaseOffset), What(What) {}

  bool atEnd() const { return Pos == Bytes.size(); }
  size_t remaining() const { return Bytes.size() - Pos; }
  uint64_t offset() const { return BaseOffset + Pos; }
  size_t position() const { return Pos; }

  Expected<uint8_t> readByte() {
    if (atEnd())
      return truncated();
    return Bytes[Pos++];
  }

  /// Reads a varuint32: at most 5 bytes, value below 2^32. Padded encodings
  /// (such as llvm-objcopy's 5-byte sizes) are valid and accepted.
  Expected<uint32_t> readVarUint32() {
    uint64_t Start = offset();
    // Decode at most 5 bytes: a longer encoding is invalid for a varuint32,
    // and bounding the decoder also keeps it from shifting past 64 bits.
    const uint8_t *Begin = Bytes.data() + Pos;
    const uint8_t *Limit = Begin + std::min<size_t>(remaining(), 5);
    unsigned Len = 0;
    const char *Err = nullptr;
    uint64_t Value = decodeULEB128(Begin, &Len, Limit, &Err);
    if (Err) {
      if (remaining() < 5)
        return truncated();
      return makeError("LEB128 longer than 5 bytes for a varuint32 in " +
                       What + " at offset " + hexOffset(Start));
    }
    if (Value > UINT32_MAX)
      return makeError("LEB128 value out of range for a varuint32 in " + What +
                       " at offset " + hexOffset(Start));
    Pos += Len;
    return static_cast<uint32_t>(Value);
  }

  Expected<ArrayRef<uint8_t>> readBytes(uint64_t N) {
    if (N > remaining())
      return makeError(What + " at offset " + hexOffset(offset()) +
                       " runs past its end (needs " + Twine(N) +
                       " bytes, has " + Twine(remaining()) + ")");
    ArrayRef<uint8_t> Result = Bytes.slice(Pos, N);
    Pos += N;
    return Result;
  }

  /// Reads a wasm `name`: a varuint32 length and that many bytes of UTF-8.
  Expected<StringRef> readName() {
    uint64_t Start = offset();
    Expected<uint32_t> Len = readVarUint32();
    if (!Len)
      return Len.takeError();
    Expected<ArrayRef<uint8_t>> Data = readBytes(*Len);
    if (!Data)
      return Data.takeError();
    StringRef Name(reinterpret_cast<const char *>(Data->data()), Data->size());
    if (!isLegalUTF8String(Name))
      return makeError("invalid UTF-8 in a name in " + What + " at offset " +
                       hexOffset(Start));
    return Name;
  }

private:
  Error truncated() const {
    return makeError("truncated " + What + " at offset " +
                     hexOffset(offset()));
  }

  static bool isLegalUTF8String(StringRef S) {
    const UTF8 *Begin = reinterpret_cast<const UTF8 *>(S.begin());
    return llvm::isLegalUTF8String(&Begin,
                                   reinterpret_cast<const UTF8 *>(S.end()));
  }

  ArrayRef<uint8_t> Bytes;
  uint64_t BaseOffset;
  std::string What;
  size_t Pos = 0;
};

Expected<std::vector<std::string>> readStringVector(Cursor &C) {
  Expected<uint32_t> Count = C.readVarUint32();
  if (!Count)
    return Count.takeError();
  // Validate the whole vector before allocating for it: a count of 2^32
  // over a long run of zero bytes (a sparse file's hole reads as empty
  // names) would otherwise build millions of strings before reaching the
  // missing byte. Each name takes at least one byte, so the walk is bounded
  // by the input, and only a vector that is really there is decoded.
  Cursor Probe = C;
  for (uint32_t I = 0; I < *Count; ++I)
    if (Expected<StringRef> Name = Probe.readName(); !Name)
      return Name.takeError();
  std::vector<std::string> Result;
  Result.reserve(*Count);
  for (uint32_t I = 0; I < *Count; ++I) {
    Expected<StringRef> Name = C.readName();
    if (!Name)
      return Name.takeError();
    Result.push_back(Name->str());
  }
  return Result;
}

Error expectEnd(const Cursor &C, const Twine &What) {
  if (C.atEnd())
    return Error::success();
  return makeError(What + " has " + Twine(C.remaining()) +
                   (C.remaining() == 1 ? " unexpected trailing byte"
                                       : " unexpected trailing bytes") +
                   " at offset " +
                   hexOffset(C.offset()));
}

/// Checks the structure of EXPORT_INFO / IMPORT_INFO, which are kept verbatim
/// but must still be well-formed for the section to be trusted.
Error checkSymbolInfo(Cursor &C, unsigned NamesPerEntry, const Twine &What) {
  Expected<uint32_t> Count = C.readVarUint32();
  if (!Count)
    return Count.takeError();
  for (uint32_t I = 0; I < *Count; ++I) {
    for (unsigned N = 0; N < NamesPerEntry; ++N)
      if (Expected<StringRef> Name = C.readName(); !Name)
        return Name.takeError();
    if (Expected<uint32_t> Flags = C.readVarUint32(); !Flags)
      return Flags.takeError();
  }
  return expectEnd(C, What);
}

Error parseDylink0(const Section &Sec, ArrayRef<uint8_t> Data,
                   DylinkInfo &Info) {
  ArrayRef<uint8_t> Payload =
      Data.slice(Sec.PayloadOffset, Sec.End - Sec.PayloadOffset);
  Cursor C(Payload, Sec.PayloadOffset, "dylink.0 section");
  int LastKnownType = 0;
  while (!C.atEnd()) {
    size_t Start = C.position();
    uint64_t StartOffset = C.offset();
    Expected<uint8_t> Type = C.readByte();
    if (!Type)
      return Type.takeError();
    Expected<uint32_t> Size = C.readVarUint32();
    if (!Size)
      return Size.takeError();
    StringRef Name = dylinkSubsectionName(*Type);
    std::string What = Name.empty()
                           ? "dylink.0 subsection " + std::to_string(*Type)
                           : "dylink.0 " + Name.str() + " subsection";
    if (*Size > C.remaining())
      return makeError(What + " at offset " + hexOffset(StartOffset) +
                       " runs past the end of the section (size " +
                       Twine(*Size) + ", " + Twine(C.remaining()) +
                       " bytes left)");
    ArrayRef<uint8_t> Body = *C.readBytes(*Size);
    DylinkSubsection Sub;
    Sub.Type = *Type;
    Sub.Body = Body;
    Sub.Raw = Payload.slice(Start, C.position() - Start);

    if (!Name.empty()) {
      // Known subsections appear at most once; two NEEDED lists would leave
      // it ambiguous which one a loader reads.
      for (const DylinkSubsection &Prev : Info.Subsections)
        if (Prev.Type == *Type)
          return makeError("duplicate " + What + " at offset " +
                           hexOffset(StartOffset));
      LastKnownType = std::max<int>(LastKnownType, *Type);
    }

    Cursor BodyCursor(Body, StartOffset + (Sub.Raw.size() - Body.size()),
                      What);
    switch (*Type) {
    case DylinkMemInfo:
      for (int I = 0; I < 4; ++I)
        if (Expected<uint32_t> V = BodyCursor.readVarUint32(); !V)
          return V.takeError();
      if (Error E = expectEnd(BodyCursor, What))
        return E;
      break;
    case DylinkNeeded: {
      Expected<std::vector<std::string>> Needed = readStringVector(BodyCursor);
      if (!Needed)
        return Needed.takeError();
      if (Error E = expectEnd(BodyCursor, What))
        return E;
      Info.Needed = std::move(*Needed);
      break;
    }
    case DylinkExportInfo:
      if (Error E = checkSymbolInfo(BodyCursor, 1, What))
        return E;
      break;
    case DylinkImportInfo:
      if (Error E = checkSymbolInfo(BodyCursor, 2, What))
        return E;
      break;
    case DylinkRuntimePath: {
      Expected<std::vector<std::string>> Path = readStringVector(BodyCursor);
      if (!Path)
        return Path.takeError();
      if (Error E = expectEnd(BodyCursor, What))
        return E;
      Info.RuntimePath = std::move(*Path);
      break;
    }
    default:
      // Unknown subsections are skipped by every reader (LLVM, wabt,
      // Binaryen) and kept verbatim here.
      break;
    }
    Info.Subsections.push_back(Sub);
  }
  return Error::success();
}

Error parseLegacyDylink(const Section &Sec, ArrayRef<uint8_t> Data,
                        DylinkInfo &Info) {
  ArrayRef<uint8_t> Payload =
      Data.slice(Sec.PayloadOffset, Sec.End - Sec.PayloadOffset);
  Cursor C(Payload, Sec.PayloadOffset, "dylink section");
  Info.IsLegacy = true;
  for (int I = 0; I < 4; ++I)
    if (Expected<uint32_t> V = C.readVarUint32(); !V)
      return V.takeError();
  Info.LegacyMemInfo = Payload.take_front(C.position());
  Expected<std::vector<std::string>> Needed = readStringVector(C);
  if (!Needed)
    return Needed.takeError();
  Info.Needed = std::move(*Needed);
  return expectEnd(C, "dylink section");
}

} // namespace

bool hasWasmModuleHeader(ArrayRef<uint8_t> Head) {
  return Head.size() >= 8 &&
         Head.take_front(4) ==
             arrayRefFromStringRef(StringRef(wasm::WasmMagic, 4)) &&
         support::endian::read32le(Head.data() + 4) == wasm::WasmVersion;
}

Expected<std::vector<std::string>> parseStringVector(ArrayRef<uint8_t> Body) {
  Cursor C(Body, 0, "string vector");
  Expected<std::vector<std::string>> Result = readStringVector(C);
  if (!Result)
    return Result.takeError();
  if (Error E = expectEnd(C, "string vector"))
    return E;
  return Result;
}

/// Names what a file that is not WebAssembly is, when it is one of the kinds
/// that end up where side modules are expected: a native library built by
/// the host compiler, a wheel handed over whole, a static library, a file
/// left empty by a failed build. "Bad magic number" alone sends the user
/// looking for corruption instead.
static Error notWasmError(ArrayRef<uint8_t> Data) {
  StringRef Head(reinterpret_cast<const char *>(Data.data()),
                 std::min<size_t>(Data.size(), 8));
  if (Data.empty())
    return makeError("empty file, not a WebAssembly module");
  if (Head.starts_with("\x7f" "ELF"))
    return makeError("an ELF file, not a WebAssembly module (built for the "
                     "host instead of wasm32-emscripten?)");
  // A zip archive (a wheel): a local file header, or the end record of an
  // empty archive.
  if (Head.starts_with("PK\x03\x04") || Head.starts_with("PK\x05\x06"))
    return makeError("a zip archive (a wheel?), not a WebAssembly module; "
                     "unpack it and edit the modules inside");
  if (Head.starts_with("!<arch>\n"))
    return makeError("an ar archive (a static library), not a WebAssembly "
                     "module");
  return makeError("not a WebAssembly file (bad magic number)");
}

Expected<Object> readObject(ArrayRef<uint8_t> Data) {
  if (Data.size() < 4 ||
      Data.take_front(4) != arrayRefFromStringRef(StringRef(wasm::WasmMagic, 4)))
    return notWasmError(Data);
  if (Data.size() < 8)
    return makeError("truncated WebAssembly header");
  uint16_t Version = Data[4] | (Data[5] << 8);
  uint16_t Layer = Data[6] | (Data[7] << 8);
  if (Layer == 1)
    return makeError("is a WebAssembly component, not a core module; only "
                     "core modules can be shared libraries");
  if (Version != 1 || Layer != 0)
    return makeError("unsupported WebAssembly version " +
                     Twine(static_cast<uint32_t>(Version | (Layer << 16))) +
                     " (expected 1)");

  Object Obj;
  Obj.Data = Data;
  Cursor C(Data.drop_front(8), 8, "section header");
  while (!C.atEnd()) {
    Section Sec;
    Sec.Offset = C.offset();
    Expected<uint8_t> Id = C.readByte();
    if (!Id)
      return Id.takeError();
    Expected<uint32_t> Size = C.readVarUint32();
    if (!Size)
      return Size.takeError();
    Sec.Id = *Id;
    uint64_t PayloadStart = C.offset();
    if (*Size > C.remaining())
      return makeError("section " + Twine(unsigned(*Id)) + " at offset " +
                       hexOffset(Sec.Offset) + " runs past the end of the file"
                       " (size " + Twine(*Size) + ", " + Twine(C.remaining()) +
                       " bytes left)");
    Sec.End = PayloadStart + *Size;
    Sec.PayloadOffset = PayloadStart;
    if (Sec.isCustom()) {
      Cursor NameCursor(Data.slice(PayloadStart, *Size), PayloadStart,
                        "custom section name");
      Expected<StringRef> Name = NameCursor.readName();
      if (!Name)
        return Name.takeError();
      Sec.Name = *Name;
      Sec.PayloadOffset = NameCursor.offset();
    }
    cantFail(C.readBytes(*Size).takeError());

    size_t Index = Obj.Sections.size();
    if (Sec.isCustom() && (Sec.Name == DylinkSectionName ||
                           Sec.Name == LegacyDylinkSectionName)) {
      if (Obj.DylinkIndex)
        return makeError("duplicate dylink section '" + Sec.Name +
                         "' at offset " + hexOffset(Sec.Offset));
      // Loaders only look at the first section (Emscripten: "need the dylink
      // section to be first"), so a later one is a broken module.
      if (Index != 0)
        return makeError("'" + Sec.Name + "' section at offset " +
                         hexOffset(Sec.Offset) +
                         " is not the first section of the module");
      Obj.DylinkIndex = Index;
      DylinkInfo Info;
      Error E = Sec.Name == DylinkSectionName
                    ? parseDylink0(Sec, Data, Info)
                    : parseLegacyDylink(Sec, Data, Info);
      if (E)
        return E;
      Info.OriginalNeeded = Info.Needed;
      Info.OriginalRuntimePath = Info.RuntimePath;
      Obj.Dylink = std::move(Info);
    } else if (Sec.isCustom() && Sec.Name == RPathSectionName) {
      if (Obj.RPathIndex)
        return makeError("duplicate rpath.0 section at offset " +
                         hexOffset(Sec.Offset));
      Obj.RPathIndex = Index;
      Cursor PC(Data.slice(Sec.PayloadOffset, Sec.End - Sec.PayloadOffset),
                Sec.PayloadOffset, "rpath.0 section");
      Expected<std::vector<std::string>> Entries = readStringVector(PC);
      if (!Entries)
        return Entries.takeError();
      if (Error E = expectEnd(PC, "rpath.0 section"))
        return E;
      Obj.RPathSection = std::move(*Entries);
      Obj.OriginalRPathSection = Obj.RPathSection;
    }
    Obj.Sections.push_back(Sec);
  }
  return Obj;
}

} // namespace wasmrpath
