//===- ZipFuzzer.cpp - libFuzzer target: read, extract, re-write, re-read --===//
//
// Feeds arbitrary bytes to the zip layer (Zip.h) and checks, inside the
// target, what it promises:
//  * Archive::read() never crashes, and nothing it accepts makes extract(),
//    forEachChunk() or extractPrefix() crash;
//  * extract() and forEachChunk() agree: if the whole member extracts, the
//    stream gives the same bytes and succeeds, and extractPrefix() gives
//    its start;
//  * a copy of every member through zip::Writer reads back with the same
//    names and fields and byte-identical member records, and a member added
//    to it reads back as what was added.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Zip.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdlib>

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::zip;

namespace {

void check(bool Cond, const char *What) {
  if (!Cond) {
    errs() << "invariant violated: " << What << "\n";
    abort();
  }
}

std::string materialize(ArrayRef<OutputChunk> Chunks, ArrayRef<uint8_t> In) {
  std::string S;
  raw_string_ostream OS(S);
  writeChunks(Chunks, In, OS);
  return S;
}

bool sameFields(const Entry &A, const Entry &B) {
  return A.name() == B.name() && A.VersionMadeBy == B.VersionMadeBy &&
         A.Flags == B.Flags && A.Method == B.Method &&
         A.DosTime == B.DosTime && A.DosDate == B.DosDate &&
         A.CRC32 == B.CRC32 && A.CompressedSize == B.CompressedSize &&
         A.UncompressedSize == B.UncompressedSize &&
         A.InternalAttrs == B.InternalAttrs &&
         A.ExternalAttrs == B.ExternalAttrs && A.comment() == B.comment() &&
         A.RecordEnd - A.LocalHeaderOffset == B.RecordEnd - B.LocalHeaderOffset;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  ArrayRef<uint8_t> In(Data, Size);
  Expected<Archive> A = Archive::read(In);
  if (!A) {
    consumeError(A.takeError());
    return 0;
  }
  SmallVector<uint8_t, 0> Whole, Prefix;
  std::vector<uint8_t> Streamed;
  bool HaveContent = false;
  SmallVector<uint8_t, 0> FirstContent;
  for (const Entry &E : A->entries()) {
    if (Error Err = A->extract(E, Whole, 1 << 20)) {
      consumeError(std::move(Err));
      // The stream of a member too large to extract is cut after the same
      // 1 MiB: a mutated header may declare gigabytes, and inflating them
      // all would make one input take seconds (libFuzzer ran a dozen
      // inputs in three seconds), while what is checked here is only that
      // the error paths do not crash.
      uint64_t Seen = 0;
      consumeError(A->forEachChunk(E, [&](ArrayRef<uint8_t> C) -> Error {
        Seen += C.size();
        if (Seen > (1 << 20))
          return createStringError(std::errc::file_too_large, "enough");
        return Error::success();
      }));
      consumeError(A->extractPrefix(E, 16, Prefix));
      continue;
    }
    Streamed.clear();
    Error Err = A->forEachChunk(E, [&](ArrayRef<uint8_t> C) {
      check(C.size() <= Archive::ChunkSize, "chunk larger than ChunkSize");
      Streamed.insert(Streamed.end(), C.begin(), C.end());
      return Error::success();
    });
    check(!Err, "extract succeeded but forEachChunk failed");
    check(ArrayRef<uint8_t>(Streamed) == ArrayRef<uint8_t>(Whole),
          "forEachChunk and extract differ");
    check(!A->extractPrefix(E, 16, Prefix), "extractPrefix failed");
    check(ArrayRef<uint8_t>(Prefix) == ArrayRef<uint8_t>(Whole).take_front(16),
          "extractPrefix is not the start of the content");
    if (!HaveContent) {
      FirstContent = Whole;
      HaveContent = true;
    }
  }

  Writer W;
  for (const Entry &E : A->entries())
    check(!W.copyEntry(E), "copyEntry failed on a read entry");
  check(!W.setComment(A->comment()), "setComment failed on a read comment");
  NewEntry Opts;
  Opts.Level = Size % 10;
  Opts.MTime = int64_t(Size) * 86399;
  check(!W.addEntry("fuzz/added", FirstContent, Opts), "addEntry failed");
  std::string Out = materialize(W.finish(), In);
  Expected<Archive> B = Archive::read(arrayRefFromStringRef(Out));
  if (!B) {
    errs() << toString(B.takeError()) << "\n";
    check(false, "the copy does not read back");
  }
  check(B->entries().size() == A->entries().size() + 1, "member count");
  check(B->comment() == A->comment(), "archive comment");
  for (size_t I = 0; I < A->entries().size(); ++I) {
    const Entry &X = A->entries()[I], &Y = B->entries()[I];
    check(sameFields(X, Y), "copied entry's fields differ");
    check(In.slice(X.LocalHeaderOffset, X.RecordEnd - X.LocalHeaderOffset) ==
              arrayRefFromStringRef(Out).slice(
                  Y.LocalHeaderOffset, Y.RecordEnd - Y.LocalHeaderOffset),
          "copied member bytes differ");
  }
  check(!B->extract(B->entries().back(), Whole, 1 << 20),
        "the added member does not extract");
  check(ArrayRef<uint8_t>(Whole) == ArrayRef<uint8_t>(FirstContent),
        "the added member reads back different");
  return 0;
}
