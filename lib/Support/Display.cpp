//===- Display.cpp - Showing strings from modules safely ------------------===//

#include "wasm-rpath/Display.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"

using namespace llvm;

namespace wasmrpath {

namespace {

bool mustEscape(UTF32 C) {
  return C < 0x20 || (C >= 0x7F && C <= 0x9F) || C == 0x061C || C == 0x200E ||
         C == 0x200F || (C >= 0x202A && C <= 0x202E) ||
         (C >= 0x2066 && C <= 0x2069);
}

void appendHexEscapes(std::string &Out, StringRef Bytes) {
  for (unsigned char B : Bytes) {
    Out += "\\x";
    Out += hexdigit(B >> 4);
    Out += hexdigit(B & 0xF);
  }
}

/// The one escaping loop: malformed UTF-8 always, the characters of
/// mustEscape() when \p Controls.
std::string escape(StringRef S, bool Controls) {
  std::string Out;
  Out.reserve(S.size());
  size_t I = 0;
  while (I < S.size()) {
    unsigned char B = S[I];
    if (B < 0x80) {
      if (Controls && mustEscape(B))
        appendHexEscapes(Out, S.substr(I, 1));
      else
        Out += static_cast<char>(B);
      ++I;
      continue;
    }
    // A multi-byte sequence: decode it to see which character it is. A
    // malformed one is escaped a byte at a time, so that decoding resumes
    // at the next byte and a valid sequence after it is kept.
    const UTF8 *Begin = reinterpret_cast<const UTF8 *>(S.data() + I);
    unsigned Len = getNumBytesForUTF8(B);
    if (I + Len > S.size() || !isLegalUTF8Sequence(Begin, Begin + Len)) {
      appendHexEscapes(Out, S.substr(I, 1));
      ++I;
      continue;
    }
    UTF32 C = 0;
    const UTF8 *Src = Begin;
    UTF32 *Dst = &C;
    if (ConvertUTF8toUTF32(&Src, Begin + Len, &Dst, &C + 1, strictConversion) !=
        conversionOK) {
      appendHexEscapes(Out, S.substr(I, 1));
      ++I;
      continue;
    }
    if (Controls && mustEscape(C))
      appendHexEscapes(Out, S.substr(I, Len));
    else
      Out.append(S.data() + I, Len);
    I += Len;
  }
  return Out;
}

} // namespace

std::string escapeForDisplay(StringRef S) { return escape(S, /*Controls=*/true); }

std::string escapeInvalidUTF8(StringRef S) {
  return escape(S, /*Controls=*/false);
}

} // namespace wasmrpath
