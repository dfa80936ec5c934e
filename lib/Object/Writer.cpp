//===- Writer.cpp - Serialize the object model ----------------------------===//
//
// Re-encodes only the dylink section (when edited) and rpath.0; every other
// byte of the output is a range of the input.
//
//===----------------------------------------------------------------------===//

#include "Object/Writer.h"
#include "wasm-rpath/Error.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/LEB128.h"

using namespace llvm;

namespace wasmrpath {

namespace {

void appendULEB(std::string &Out, uint64_t Value) {
  raw_string_ostream OS(Out);
  encodeULEB128(Value, OS);
}

void appendBytes(std::string &Out, ArrayRef<uint8_t> Bytes) {
  Out.append(reinterpret_cast<const char *>(Bytes.data()), Bytes.size());
}

std::string encodeSubsection(uint8_t Type, StringRef Body) {
  std::string Out(1, static_cast<char>(Type));
  appendULEB(Out, Body.size());
  Out += Body;
  return Out;
}

/// The payload of the dylink section after edits.
std::string encodeDylinkPayload(const DylinkInfo &Info) {
  std::string Out;
  if (Info.IsLegacy) {
    appendBytes(Out, Info.LegacyMemInfo);
    Out += encodeStringVector(Info.Needed);
    return Out;
  }

  // A changed list is re-encoded where the subsection stood, or inserted in
  // ascending type order if it is new; an empty list is not written at all,
  // as wasm-ld omits NEEDED and RUNTIME_PATH when it has nothing to say.
  struct Replacement {
    uint8_t Type;
    bool Changed;
    bool Done = false;
    bool Present = false;
    std::string Encoded;
  };
  Replacement Replacements[] = {
      {DylinkNeeded, Info.neededChanged(), false, false, {}},
      {DylinkRuntimePath, Info.runtimePathChanged(), false, false, {}},
  };
  if (Info.neededChanged() && !Info.Needed.empty())
    Replacements[0].Encoded =
        encodeSubsection(DylinkNeeded, encodeStringVector(Info.Needed));
  if (Info.runtimePathChanged() && Info.RuntimePath &&
      !Info.RuntimePath->empty())
    Replacements[1].Encoded = encodeSubsection(
        DylinkRuntimePath, encodeStringVector(*Info.RuntimePath));

  // Only a subsection that the input lacks is placed by its type; one that
  // exists is replaced where it stands, so that a dylink.0 written in
  // another order (RUNTIME_PATH before NEEDED) keeps its order.
  for (Replacement &R : Replacements)
    R.Present = any_of(Info.Subsections, [&](const DylinkSubsection &Sub) {
      return Sub.Type == R.Type;
    });
  auto EmitNewBefore = [&](unsigned Type) {
    for (Replacement &R : Replacements)
      if (R.Changed && !R.Done && !R.Present && R.Type < Type) {
        Out += R.Encoded;
        R.Done = true;
      }
  };

  for (const DylinkSubsection &Sub : Info.Subsections) {
    EmitNewBefore(Sub.Type);
    bool Replaced = false;
    for (Replacement &R : Replacements)
      if (R.Changed && R.Type == Sub.Type) {
        if (!R.Done)
          Out += R.Encoded;
        R.Done = true;
        Replaced = true;
      }
    if (!Replaced)
      appendBytes(Out, Sub.Raw);
  }
  EmitNewBefore(256);
  return Out;
}

void addInputRange(std::vector<OutputChunk> &Chunks, uint64_t Offset,
                   uint64_t Size) {
  if (Size == 0)
    return;
  if (!Chunks.empty() && Chunks.back().isInputRange() &&
      Chunks.back().InputOffset + Chunks.back().Size == Offset) {
    Chunks.back().Size += Size;
    return;
  }
  OutputChunk C;
  C.InputOffset = Offset;
  C.Size = Size;
  Chunks.push_back(std::move(C));
}

} // namespace

std::string encodeStringVector(ArrayRef<std::string> Strings) {
  std::string Out;
  appendULEB(Out, Strings.size());
  for (const std::string &S : Strings) {
    appendULEB(Out, S.size());
    Out += S;
  }
  return Out;
}

std::string encodeCustomSection(StringRef Name, StringRef Payload) {
  std::string Body;
  appendULEB(Body, Name.size());
  Body += Name;
  Body += Payload;
  std::string Out(1, '\0');
  appendULEB(Out, Body.size());
  Out += Body;
  return Out;
}

std::vector<OutputChunk> layoutObject(const Object &Obj) {
  std::vector<OutputChunk> Chunks;
  // Unedited output (--output with nothing to change) is an exact copy.
  if (!Obj.isModified()) {
    addInputRange(Chunks, 0, Obj.InputSize);
    return Chunks;
  }
  // The preamble, and the dylink section if it is unchanged, are input.
  bool DylinkChanged = Obj.Dylink && Obj.Dylink->isModified();
  OutputChunk Head;
  if (Obj.DylinkIndex && DylinkChanged) {
    const Section &Sec = Obj.Sections[*Obj.DylinkIndex];
    addInputRange(Chunks, 0, Sec.Offset);
    Head.Bytes = encodeCustomSection(Sec.Name, encodeDylinkPayload(*Obj.Dylink));
  } else {
    uint64_t End = Obj.DylinkIndex ? Obj.Sections[*Obj.DylinkIndex].End : 8;
    addInputRange(Chunks, 0, End);
  }
  // A changed rpath.0 is written right after dylink.0, wherever it was
  // before (an empty list removes it); an unchanged one stays where it is,
  // byte for byte, even if empty or padded.
  bool RPathChanged = Obj.rpathSectionChanged();
  if (RPathChanged && Obj.RPathSection && !Obj.RPathSection->empty())
    Head.Bytes += encodeCustomSection(RPathSectionName,
                                      encodeStringVector(*Obj.RPathSection));
  if (!Head.Bytes.empty())
    Chunks.push_back(std::move(Head));

  for (size_t I = 0; I < Obj.Sections.size(); ++I) {
    const Section &Sec = Obj.Sections[I];
    if (I == Obj.DylinkIndex || (I == Obj.RPathIndex && RPathChanged) ||
        Sec.Removed)
      continue;
    addInputRange(Chunks, Sec.Offset, Sec.size());
  }
  return Chunks;
}

Error writeObject(const Object &Obj, raw_ostream &OS) {
  std::vector<OutputChunk> Chunks = layoutObject(Obj);
  // An Object read with pread holds no input bytes beyond what it decoded:
  // its ranges cannot be copied from memory (this used to read through a
  // null pointer).
  if (Obj.Data.size() < Obj.InputSize &&
      any_of(Chunks, [](const OutputChunk &C) { return C.isInputRange(); }))
    return makeError(errc::invalid_argument,
                     "the module was read from a file descriptor and its "
                     "unchanged bytes are not in memory; write it with the "
                     "file layer");
  for (const OutputChunk &C : Chunks) {
    if (C.isInputRange())
      OS.write(reinterpret_cast<const char *>(Obj.Data.data()) + C.InputOffset,
               C.Size);
    else
      OS << C.Bytes;
  }
  return Error::success();
}

} // namespace wasmrpath
