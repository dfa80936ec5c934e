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
#include "llvm/Support/Errno.h"
#include "llvm/Support/LEB128.h"
#include "llvm/Support/Allocator.h"
#include <new>
#include <unistd.h>

using namespace llvm;

namespace wasmrpath {

namespace {

/// Every error of the reader is about malformed input.
Error makeError(const Twine &Msg) { return wasmrpath::makeError(errc::malformed, Msg); }

std::string hexOffset(uint64_t Offset) {
  return "0x" + utohexstr(Offset, /*LowerCase=*/true);
}

/// A bounds-checked cursor over a byte range that knows the file offset of
/// its first byte, so that errors can say where they happened. What it
/// reads is named by a string that outlives it (a literal, mostly): a
/// module's parse makes a cursor per section and subsection, and a copy of
/// the name each was an allocation each.
class Cursor {
public:
  Cursor(ArrayRef<uint8_t> Bytes, uint64_t BaseOffset, StringRef What)
      : Bytes(Bytes), BaseOffset(BaseOffset), What(What) {}

  bool atEnd() const { return Pos == Bytes.size(); }
  size_t remaining() const { return Bytes.size() - Pos; }
  uint64_t offset() const { return BaseOffset + Pos; }
  size_t position() const { return Pos; }
  /// What is read, for messages ("dylink.0 NEEDED subsection").
  StringRef what() const { return What; }

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
  StringRef What;
  size_t Pos = 0;
};

/// Ceilings on what one module may hold, far above any real module (the
/// largest seen here: pyodide.asm.wasm, 24 sections; libraries with tens of
/// NEEDED names and run-time path entries) and low enough that what is
/// built from them stays in tens of megabytes: counts are bounded by the
/// bytes present, but a 9 MB module of 3 million empty custom sections, or
/// of 3 million one-letter NEEDED names, made hundreds of megabytes of
/// model and of everything a loader prediction derives from it.
constexpr uint32_t MaxNames = 65536;
constexpr size_t MaxSections = 65536;

Expected<std::vector<std::string>> readStringVector(Cursor &C) {
  uint64_t Start = C.offset();
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
  // A vector that is there but too long for any real module.
  if (*Count > MaxNames)
    return wasmrpath::makeError(
        errc::limit_exceeded, C.what() + " at offset " + hexOffset(Start) +
                                  " lists " +
                                  Twine(*Count) + " names, above the limit of " +
                                  Twine(MaxNames));
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

Error parseDylink0(const Section &Sec, ArrayRef<uint8_t> Payload,
                   DylinkInfo &Info) {
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
    // Cannot fail: the size was checked against what remains just above.
    ArrayRef<uint8_t> Body = cantFail(C.readBytes(*Size));
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

Error parseLegacyDylink(const Section &Sec, ArrayRef<uint8_t> Payload,
                        DylinkInfo &Info) {
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

/// Where the reader gets the bytes it decodes: the input in memory, or an
/// open file read with pread(). The reader asks only for what it decodes
/// (section headers, custom section names, the dylink and rpath.0
/// payloads), so reading a file costs about the number of sections, not
/// its size; and since nothing is mapped, a file truncated by another
/// process meanwhile is an error here, not a SIGBUS.
class ByteSource {
public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  /// The bytes [Offset, Offset + Size), which must lie within size(); valid
  /// until the next call to peek().
  virtual Expected<ArrayRef<uint8_t>> peek(uint64_t Offset, uint64_t Size) = 0;
  /// The same, valid for as long as the Object that the reader fills.
  virtual Expected<ArrayRef<uint8_t>> keep(uint64_t Offset, uint64_t Size) = 0;
  /// True if the Object will not have the whole input (Object::Data), so
  /// that what other parts of the library read must be kept here.
  virtual bool holdsOnlyWhatIsKept() const = 0;
};

class MemorySource : public ByteSource {
public:
  explicit MemorySource(ArrayRef<uint8_t> Data) : Data(Data) {}
  uint64_t size() const override { return Data.size(); }
  Expected<ArrayRef<uint8_t>> peek(uint64_t Offset, uint64_t Size) override {
    return Data.slice(Offset, Size);
  }
  Expected<ArrayRef<uint8_t>> keep(uint64_t Offset, uint64_t Size) override {
    return Data.slice(Offset, Size);
  }
  bool holdsOnlyWhatIsKept() const override { return false; }

private:
  ArrayRef<uint8_t> Data;
};

class FileSource : public ByteSource {
public:
  FileSource(int FD, uint64_t Size, Object::ReadBytes &Storage)
      : FD(FD), FileSize(Size), Storage(Storage) {}
  uint64_t size() const override { return FileSize; }
  bool holdsOnlyWhatIsKept() const override { return true; }

  Expected<ArrayRef<uint8_t>> peek(uint64_t Offset, uint64_t Size) override {
    if (Offset < WindowOffset ||
        Offset + Size > WindowOffset + Window.size()) {
      // Read ahead: the headers of consecutive small sections then come
      // from one read.
      uint64_t Want =
          std::min(std::max<uint64_t>(Size, ReadAhead), FileSize - Offset);
      Window.resize(Want);
      if (Error E = readAt(Offset, Window))
        return E;
      WindowOffset = Offset;
    }
    return ArrayRef(Window).slice(Offset - WindowOffset, Size);
  }

  Expected<ArrayRef<uint8_t>> keep(uint64_t Offset, uint64_t Size) override {
    if (Size > ReadAhead / 4) {
      // A large payload (a hostile dylink.0 of a gigabyte is possible in a
      // sparse file) is allocated so that running out of memory is an
      // error, not the abort of LLVM's allocators.
      std::unique_ptr<uint8_t[]> Block(new (std::nothrow) uint8_t[Size]);
      if (!Block)
        return createStringError(
            std::make_error_code(std::errc::not_enough_memory),
            "cannot hold a section in memory (" + Twine(Size) + " bytes)");
      MutableArrayRef<uint8_t> Out(Block.get(), Size);
      Storage.Large.push_back(std::move(Block));
      if (Error E = readAt(Offset, Out))
        return E;
      return Out;
    }
    // Short pieces (custom section names) come from the read-ahead window,
    // so that a module of many small sections costs few reads.
    MutableArrayRef<uint8_t> Out(Storage.Small.Allocate<uint8_t>(Size), Size);
    {
      Expected<ArrayRef<uint8_t>> Bytes = peek(Offset, Size);
      if (!Bytes)
        return Bytes.takeError();
      llvm::copy(*Bytes, Out.begin());
      return Out;
    }
  }

private:
  static constexpr uint64_t ReadAhead = 64 * 1024;

  Error readAt(uint64_t Offset, MutableArrayRef<uint8_t> Out) {
    for (size_t Done = 0; Done < Out.size();) {
      ssize_t N = sys::RetryAfterSignal(-1, ::pread, FD, Out.data() + Done,
                                        Out.size() - Done,
                                        static_cast<off_t>(Offset + Done));
      if (N < 0)
        return createStringError(
            std::error_code(errno, std::generic_category()),
            "cannot read input: " + sys::StrError(errno));
      if (N == 0)
        return wasmrpath::makeError(
            errc::input_changed,
            "input file shrank while being read; nothing was written");
      Done += N;
    }
    return Error::success();
  }

  int FD;
  uint64_t FileSize;
  Object::ReadBytes &Storage;
  std::vector<uint8_t> Window;
  uint64_t WindowOffset = 0;
};

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

namespace {

Expected<Object> readObjectFrom(ByteSource &Src) {
  uint64_t FileSize = Src.size();
  Expected<ArrayRef<uint8_t>> Head = Src.peek(0, std::min<uint64_t>(FileSize, 8));
  if (!Head)
    return Head.takeError();
  ArrayRef<uint8_t> Data = *Head;
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
  Obj.InputSize = FileSize;
  // Modules from wasm-ld have about a dozen sections: one allocation, not
  // five, for most (a repair parses every module of a wheel, twice).
  Obj.Sections.reserve(16);
  for (uint64_t Offset = 8; Offset < FileSize;) {
    Section Sec;
    Sec.Offset = Offset;
    // An id and a varuint32 take at most 6 bytes; the cursor sees no more
    // than the file has, so that its errors are those of a whole-file walk.
    Expected<ArrayRef<uint8_t>> Header =
        Src.peek(Offset, std::min<uint64_t>(FileSize - Offset, 6));
    if (!Header)
      return Header.takeError();
    Cursor C(*Header, Offset, "section header");
    Expected<uint8_t> Id = C.readByte();
    if (!Id)
      return Id.takeError();
    Expected<uint32_t> Size = C.readVarUint32();
    if (!Size)
      return Size.takeError();
    Sec.Id = *Id;
    uint64_t PayloadStart = C.offset();
    uint64_t Remaining = FileSize - PayloadStart;
    if (*Size > Remaining)
      return makeError("section " + Twine(unsigned(*Id)) + " at offset " +
                       hexOffset(Sec.Offset) + " runs past the end of the file"
                       " (size " + Twine(*Size) + ", " + Twine(Remaining) +
                       " bytes left)");
    Sec.End = PayloadStart + *Size;
    Sec.PayloadOffset = PayloadStart;
    if (Sec.isCustom()) {
      // The name's length first, then the name, within the section.
      Expected<ArrayRef<uint8_t>> LenBytes =
          Src.peek(PayloadStart, std::min<uint64_t>(*Size, 5));
      if (!LenBytes)
        return LenBytes.takeError();
      Cursor LenCursor(*LenBytes, PayloadStart, "custom section name");
      Expected<uint32_t> Len = LenCursor.readVarUint32();
      if (!Len)
        return Len.takeError();
      uint64_t LenSize = LenCursor.position();
      if (*Len > *Size - LenSize)
        return makeError("custom section name at offset " +
                         hexOffset(PayloadStart + LenSize) +
                         " runs past its end (needs " + Twine(*Len) +
                         " bytes, has " + Twine(*Size - LenSize) + ")");
      Expected<ArrayRef<uint8_t>> NameField =
          Src.keep(PayloadStart, LenSize + *Len);
      if (!NameField)
        return NameField.takeError();
      Cursor NameCursor(*NameField, PayloadStart, "custom section name");
      Expected<StringRef> Name = NameCursor.readName();
      if (!Name)
        return Name.takeError();
      Sec.Name = *Name;
      Sec.PayloadOffset = NameCursor.offset();
    }

    size_t Index = Obj.Sections.size();
    if (Index == MaxSections)
      return wasmrpath::makeError(
          errc::limit_exceeded, "section at offset " + hexOffset(Sec.Offset) +
                                    " is one more than the limit of " +
                                    Twine(MaxSections) + " sections");
    // The import, memory and export sections are held too: Symbols.h reads
    // them (isMainModule() asks whether the module defines a memory, and
    // then looks at its exports).
    if (Src.holdsOnlyWhatIsKept() && (Sec.Id == wasm::WASM_SEC_IMPORT ||
                                      Sec.Id == wasm::WASM_SEC_MEMORY ||
                                      Sec.Id == wasm::WASM_SEC_EXPORT)) {
      Expected<ArrayRef<uint8_t>> Payload =
          Src.keep(Sec.PayloadOffset, Sec.End - Sec.PayloadOffset);
      if (!Payload)
        return Payload.takeError();
      Sec.Held = *Payload;
    }
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
      Expected<ArrayRef<uint8_t>> Payload =
          Src.keep(Sec.PayloadOffset, Sec.End - Sec.PayloadOffset);
      if (!Payload)
        return Payload.takeError();
      Sec.Held = *Payload;
      DylinkInfo Info;
      Error E = Sec.Name == DylinkSectionName
                    ? parseDylink0(Sec, *Payload, Info)
                    : parseLegacyDylink(Sec, *Payload, Info);
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
      Expected<ArrayRef<uint8_t>> Payload =
          Src.keep(Sec.PayloadOffset, Sec.End - Sec.PayloadOffset);
      if (!Payload)
        return Payload.takeError();
      Sec.Held = *Payload;
      Cursor PC(*Payload, Sec.PayloadOffset, "rpath.0 section");
      Expected<std::vector<std::string>> Entries = readStringVector(PC);
      if (!Entries)
        return Entries.takeError();
      if (Error E = expectEnd(PC, "rpath.0 section"))
        return E;
      Obj.RPathSection = std::move(*Entries);
      Obj.OriginalRPathSection = Obj.RPathSection;
    }
    Obj.Sections.push_back(Sec);
    Offset = Sec.End;
  }
  return Obj;
}

} // namespace

Expected<Object> readObject(ArrayRef<uint8_t> Data) {
  MemorySource Src(Data);
  Expected<Object> Obj = readObjectFrom(Src);
  if (Obj)
    Obj->Data = Data;
  return Obj;
}

Expected<Object> readObject(int FD, uint64_t Size) {
  auto Storage = std::make_shared<Object::ReadBytes>();
  FileSource Src(FD, Size, *Storage);
  Expected<Object> Obj = readObjectFrom(Src);
  if (Obj)
    Obj->Storage = std::move(Storage);
  return Obj;
}

} // namespace wasmrpath
