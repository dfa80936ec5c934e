//===- ZipTest.cpp - The zip layer against other zip readers and writers --===//
//
// Reading: archives written by Python's zipfile and Info-ZIP zip (fixtures,
// see ZipHelpers.h), compared with what Python reads from them. Writing:
// what zip::Writer lays out is read back by zipfile (testzip) and unzip -t.
// Hostile input: truncations, single-byte corruptions and specific lies
// give errors, never crashes (the suite is also run under ASan/UBSan, and
// fuzz/ZipFuzzer.cpp goes further).
//
//===----------------------------------------------------------------------===//

#include "ScratchDir.h"
#include "ZipHelpers.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Zip.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/xxhash.h"
#include "gtest/gtest.h"
#include <fcntl.h>
#include <unistd.h>

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;
using wasmrpath::zip::Archive;
using wasmrpath::zip::Entry;
using wasmrpath::zip::NewEntry;

namespace {

/// LLVM's SHA-256 (not the library's OpenSSL one), as lower-case hex.
std::string sha256Hex(ArrayRef<uint8_t> Data) {
  return toHex(SHA256::hash(Data), /*LowerCase=*/true);
}

std::string errorOf(Error E) {
  return E ? toString(std::move(E)) : std::string("success");
}
template <typename T> std::string errorOf(Expected<T> &V) {
  return V ? std::string("success") : toString(V.takeError());
}

const char *const Fixtures[] = {
    "py-deflate.zip",          "py-stored.zip",
    "py-zip64-local.zip",      "py-descriptor.zip",
    "py-descriptor-zip64.zip", "py-many.zip",
    "pkg-1.0-py3-none-any.whl", "infozip.zip",
    "infozip-X.zip",           "infozip-stream.zip",
};

bool isInfoZip(StringRef Name) { return Name.starts_with("infozip"); }

std::string manifestPath(StringRef Fixture) {
  return fixturePath(Fixture.rsplit('.').first.str() + ".json");
}

/// Checks \p A against a manifest of zip-fixtures.py: the comment, and per
/// member in order the name, size and SHA-256 of the whole content, which
/// forEachChunk() must give too, and extractPrefix() the start of.
void expectMatchesManifest(const Archive &A, const json::Value &Manifest,
                           StringRef What) {
  SCOPED_TRACE(What.str());
  const json::Object *M = Manifest.getAsObject();
  ASSERT_TRUE(M);
  EXPECT_EQ(A.comment(), *M->getString("comment"));
  const json::Array *Members = M->getArray("members");
  ASSERT_TRUE(Members);
  ASSERT_EQ(A.entries().size(), Members->size());
  SmallVector<uint8_t, 0> Content, Prefix;
  for (size_t I = 0; I < Members->size(); ++I) {
    const json::Object *Exp = (*Members)[I].getAsObject();
    const Entry &E = A.entries()[I];
    SCOPED_TRACE(E.name().str());
    EXPECT_EQ(E.name(), *Exp->getString("name"));
    EXPECT_EQ(int64_t(E.UncompressedSize), *Exp->getInteger("size"));
    if (E.UncompressedSize == 0 && A.entries().size() > 1000)
      continue; // py-many.zip: the manifest did not read them either.
    ASSERT_EQ(errorOf(A.extract(E, Content, 1 << 30)), "success");
    EXPECT_EQ(sha256Hex(Content), *Exp->getString("sha256"));
    std::vector<uint8_t> Streamed;
    ASSERT_EQ(errorOf(A.forEachChunk(E, [&](ArrayRef<uint8_t> C) {
                EXPECT_LE(C.size(), Archive::ChunkSize);
                Streamed.insert(Streamed.end(), C.begin(), C.end());
                return Error::success();
              })),
              "success");
    EXPECT_TRUE(ArrayRef<uint8_t>(Streamed) == ArrayRef<uint8_t>(Content));
    ASSERT_EQ(errorOf(A.extractPrefix(E, 100, Prefix)), "success");
    EXPECT_TRUE(ArrayRef<uint8_t>(Prefix) ==
                ArrayRef<uint8_t>(Content).take_front(100));
  }
}

/// Opens a fixture; skips Info-ZIP's when `zip` was not installed.
std::unique_ptr<InputFile> openFixture(StringRef Name) {
  auto In = InputFile::open(fixturePath(Name));
  if (!In) {
    consumeError(In.takeError());
    return nullptr;
  }
  return std::move(*In);
}

TEST(ZipReadTest, ReadsWhatPythonAndInfoZipWrote) {
  for (const char *Name : Fixtures) {
    std::unique_ptr<InputFile> In = openFixture(Name);
    if (!In && isInfoZip(Name))
      continue; // `zip` not installed where the fixtures were made.
    ASSERT_TRUE(In) << "fixture missing: " << Name;
    Expected<Archive> A = Archive::read(In->data());
    ASSERT_EQ(errorOf(A), "success") << Name;
    auto Manifest = parseManifest(readWholeFile(manifestPath(Name)));
    ASSERT_TRUE(Manifest);
    expectMatchesManifest(*A, *Manifest, Name);
  }
}

TEST(ZipReadTest, FixtureDetails) {
  auto In = openFixture("py-descriptor.zip");
  ASSERT_TRUE(In);
  Expected<Archive> A = Archive::read(In->data());
  ASSERT_TRUE(bool(A));
  const Entry *E = A->find("a.txt");
  ASSERT_TRUE(E);
  EXPECT_TRUE(E->Flags & zip::FlagDataDescriptor);
  EXPECT_EQ(E->Method, zip::MethodDeflate);
  EXPECT_EQ(E->RecordEnd, E->DataOffset + E->CompressedSize + 16);
  EXPECT_EQ(E->unixMode(), 0100644u);
  uint16_t Date, Time;
  zip::unixToDosTime(1589718644, Date, Time); // 2020-05-17 12:30:44 UTC
  EXPECT_EQ(E->DosDate, Date);
  EXPECT_EQ(E->DosTime, Time);

  In = openFixture("py-descriptor-zip64.zip");
  ASSERT_TRUE(In);
  A = Archive::read(In->data());
  ASSERT_TRUE(bool(A));
  E = A->find("a.txt");
  ASSERT_TRUE(E);
  // Signature, CRC and two 8-byte sizes.
  EXPECT_EQ(E->RecordEnd, E->DataOffset + E->CompressedSize + 24);

  In = openFixture("py-many.zip");
  ASSERT_TRUE(In);
  A = Archive::read(In->data());
  ASSERT_TRUE(bool(A));
  EXPECT_EQ(A->entries().size(), 65600u);
  EXPECT_EQ(A->entries().back().name(), "f65599");
  // The end record's 16-bit count says 0xffff; the ZIP64 record is used.
  ArrayRef<uint8_t> D = In->data();
  EXPECT_EQ(support::endian::read16le(D.data() + D.size() - 12), 0xffff);

  In = openFixture("py-deflate.zip");
  ASSERT_TRUE(In);
  A = Archive::read(In->data());
  ASSERT_TRUE(bool(A));
  E = A->find("\xc3\xbcn\xc3\xaf.txt");
  ASSERT_TRUE(E);
  EXPECT_TRUE(E->Flags & zip::FlagUTF8);
  E = A->find("dir/");
  ASSERT_TRUE(E);
  EXPECT_TRUE(E->isDirectory());
  EXPECT_EQ(E->unixMode() & 0170000, 0040000u);
}

TEST(ZipReadTest, StreamsInBoundedChunks) {
  auto In = openFixture("py-deflate.zip");
  ASSERT_TRUE(In);
  Expected<Archive> A = Archive::read(In->data());
  ASSERT_TRUE(bool(A));
  const Entry *E = A->find("dir/b.bin");
  ASSERT_TRUE(E);
  size_t Calls = 0, Total = 0;
  ASSERT_EQ(errorOf(A->forEachChunk(*E, [&](ArrayRef<uint8_t> C) {
              ++Calls;
              Total += C.size();
              EXPECT_LE(C.size(), Archive::ChunkSize);
              return Error::success();
            })),
            "success");
  EXPECT_EQ(Total, 300000u);
  EXPECT_GE(Calls, 2u);
  // An error from the callback stops the walk and comes back.
  Calls = 0;
  EXPECT_EQ(errorOf(A->forEachChunk(*E, [&](ArrayRef<uint8_t>) {
              ++Calls;
              return createStringError(inconvertibleErrorCode(), "stop");
            })),
            "stop");
  EXPECT_EQ(Calls, 1u);
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

class ZipWriteTest : public ScratchDirTest {
protected:
  /// Writes \p Data to a file and returns the check script's manifest.
  std::optional<json::Value> check(StringRef Data, StringRef Name = "out.zip") {
    std::string P = path(Name);
    writeFile(P, Data);
    auto Out = runFixtureScript({"check", P});
    if (!Out)
      return std::nullopt;
    return parseManifest(*Out);
  }
};

TEST_F(ZipWriteTest, CopyThroughIsByteIdentical) {
  for (const char *Name : Fixtures) {
    SCOPED_TRACE(Name);
    std::unique_ptr<InputFile> In = openFixture(Name);
    if (!In && isInfoZip(Name))
      continue;
    ASSERT_TRUE(In);
    Expected<Archive> A = Archive::read(In->data());
    ASSERT_TRUE(bool(A));
    zip::Writer W;
    for (const Entry &E : A->entries())
      ASSERT_EQ(errorOf(W.copyEntry(E)), "success");
    ASSERT_EQ(errorOf(W.setComment(A->comment())), "success");
    std::vector<OutputChunk> Chunks = W.finish();
    // The members, copied in order, are one range of the input.
    ASSERT_GE(Chunks.size(), 2u);
    EXPECT_TRUE(Chunks[0].isInputRange());
    EXPECT_EQ(Chunks[0].InputOffset, 0u);
    EXPECT_EQ(Chunks[0].Size, A->entries().back().RecordEnd);
    EXPECT_EQ(Chunks.size(), 2u);
    std::string Out = materialize(Chunks, In->data());
    // Python's zipfile and Info-ZIP write what we write, except that the
    // ZIP64 end record says "made by Unix" here and MS-DOS in Python's.
    // Info-ZIP writes ZIP64 end records for a member read from a pipe,
    // where we write them only when needed.
    if (StringRef(Name) == "py-many.zip") {
      EXPECT_EQ(Out.size(), In->data().size());
    } else if (StringRef(Name) != "infozip-stream.zip") {
      EXPECT_TRUE(bytes(Out) == In->data());
    }
    Expected<Archive> B = Archive::read(bytes(Out));
    ASSERT_EQ(errorOf(B), "success");
    ASSERT_EQ(B->entries().size(), A->entries().size());
  }
}

TEST_F(ZipWriteTest, ReorderedAndNewMembersAreReadByZipfileAndUnzip) {
  std::unique_ptr<InputFile> In = openFixture("py-descriptor.zip");
  ASSERT_TRUE(In);
  Expected<Archive> A = Archive::read(In->data());
  ASSERT_TRUE(bool(A));
  auto Manifest = parseManifest(readWholeFile(manifestPath("py-descriptor.zip")));
  ASSERT_TRUE(Manifest);
  const json::Array &Members = *Manifest->getAsObject()->getArray("members");

  zip::Writer W;
  std::vector<std::pair<std::string, std::string>> Expect; // name, sha256
  for (size_t I = A->entries().size(); I-- > 0;) {
    if (I == 2) {
      std::string Text(100000, 'x');
      ASSERT_EQ(errorOf(W.addEntry("new/x.txt", bytes(Text))), "success");
      Expect.push_back({"new/x.txt", sha256Hex(bytes(Text))});
    }
    ASSERT_EQ(errorOf(W.copyEntry(A->entries()[I])), "success");
    const json::Object &M = *Members[I].getAsObject();
    Expect.push_back({M.getString("name")->str(), M.getString("sha256")->str()});
  }
  std::vector<OutputChunk> Chunks = W.finish();
  size_t Ranges = llvm::count_if(
      Chunks, [](const OutputChunk &C) { return C.isInputRange(); });
  EXPECT_EQ(Ranges, A->entries().size()); // Reversed: nothing to merge.
  std::string Out = materialize(Chunks, In->data());
  auto Got = check(Out);
  ASSERT_TRUE(Got);
  const json::Array &GotMembers = *Got->getAsObject()->getArray("members");
  ASSERT_EQ(GotMembers.size(), Expect.size());
  for (size_t I = 0; I < Expect.size(); ++I) {
    EXPECT_EQ(*GotMembers[I].getAsObject()->getString("name"), Expect[I].first);
    EXPECT_EQ(*GotMembers[I].getAsObject()->getString("sha256"),
              Expect[I].second);
  }
  // And we read it back the same.
  Expected<Archive> B = Archive::read(bytes(Out));
  ASSERT_EQ(errorOf(B), "success");
  expectMatchesManifest(*B, *Got, "rewritten");
}

TEST_F(ZipWriteTest, NewMembersCarryTheirOptions) {
  std::string Noise;
  uint32_t X = 1;
  for (int I = 0; I < 200000; ++I) {
    X = X * 1103515245 + 12345;
    Noise += char(X >> 24);
  }
  struct Case {
    std::string Name, Content;
    NewEntry Opts;
    int CompressType, FlagBits;
    std::vector<int> DateTime;
  };
  std::vector<Case> Cases = {
      {"default.txt", "hello\n", NewEntry(), 8, 0, {1980, 1, 1, 0, 0, 0}},
      {"stored.bin", Noise, {0, 1709210096, 0100755, std::nullopt}, 0, 0,
       {2024, 2, 29, 12, 34, 56}},
      {"best.bin", Noise + Noise, {9, 1709210097, 0100644, std::nullopt}, 8, 0,
       // DOS time has 2-second steps: 57 becomes 56.
       {2024, 2, 29, 12, 34, 56}},
      {"empty", "", {6, -5, 0100600, std::nullopt}, 8, 0, {1980, 1, 1, 0, 0, 0}},
      {"dir/", "", {0, 4354819198 + 1000, 040755, std::nullopt}, 0, 0,
       {2107, 12, 31, 23, 59, 58}},
      {"caf\xc3\xa9.txt", "caf\xc3\xa9", {1, 946684800, 0100644, std::nullopt}, 8, 0x800,
       {2000, 1, 1, 0, 0, 0}},
  };
  zip::Writer W;
  for (const Case &C : Cases)
    ASSERT_EQ(errorOf(W.addEntry(C.Name, bytes(C.Content), C.Opts)),
              "success");
  ASSERT_EQ(errorOf(W.setComment("made by ZipTest")), "success");
  std::string Out = materialize(W.finish());
  auto Got = check(Out);
  ASSERT_TRUE(Got);
  EXPECT_EQ(*Got->getAsObject()->getString("comment"), "made by ZipTest");
  const json::Array &M = *Got->getAsObject()->getArray("members");
  ASSERT_EQ(M.size(), Cases.size());
  for (size_t I = 0; I < Cases.size(); ++I) {
    const json::Object &G = *M[I].getAsObject();
    SCOPED_TRACE(Cases[I].Name);
    EXPECT_EQ(*G.getString("name"), Cases[I].Name);
    EXPECT_EQ(*G.getString("sha256"), sha256Hex(bytes(Cases[I].Content)));
    EXPECT_EQ(*G.getInteger("compress_type"), Cases[I].CompressType);
    EXPECT_EQ(*G.getInteger("flag_bits"), Cases[I].FlagBits);
    EXPECT_EQ(*G.getInteger("mode"), int64_t(Cases[I].Opts.Mode));
    std::vector<int> DT;
    for (const json::Value &V : *G.getArray("date_time"))
      DT.push_back(*V.getAsInteger());
    EXPECT_EQ(DT, Cases[I].DateTime);
  }
}

TEST(ZipWriterTest, OutputIsDeterministic) {
  auto Make = [](int64_t MTime) {
    zip::Writer W;
    NewEntry Opts;
    Opts.MTime = MTime;
    EXPECT_FALSE(W.addEntry("a", bytes("aaaaaaaaaaaaaaaaaaaa"), Opts));
    EXPECT_FALSE(W.addEntry("b/c", bytes("c"), Opts));
    return materialize(W.finish());
  };
  EXPECT_EQ(Make(1700000000), Make(1700000000));
  EXPECT_NE(Make(1700000000), Make(1700000002));
}

TEST(ZipWriterTest, RefusesWhatTheFormatCannotHold) {
  zip::Writer W;
  EXPECT_EQ(errorOf(W.addEntry(std::string(65536, 'n'), {})),
            "member name of 65536 bytes is longer than 65535");
  NewEntry Bad;
  Bad.Level = 10;
  EXPECT_EQ(errorOf(W.addEntry("x", {}, Bad)),
            "compression level 10 is not in 0-9");
  EXPECT_EQ(errorOf(W.setComment(std::string(65536, 'c'))),
            "archive comment of 65536 bytes is longer than 65535");
  EXPECT_EQ(W.size(), 0u); // Nothing was laid out.
}

TEST(ZipWriterTest, DosTime) {
  uint16_t D, T;
  zip::unixToDosTime(0, D, T); // Clipped to 1980-01-01 00:00:00.
  EXPECT_EQ(D, (0 << 9) | (1 << 5) | 1);
  EXPECT_EQ(T, 0);
  zip::unixToDosTime(1709210096, D, T); // 2024-02-29 12:34:56
  EXPECT_EQ(D, (44 << 9) | (2 << 5) | 29);
  EXPECT_EQ(T, (12 << 11) | (34 << 5) | 28);
  zip::unixToDosTime(951782400, D, T); // 2000-02-29 00:00:00
  EXPECT_EQ(D, (20 << 9) | (2 << 5) | 29);
  zip::unixToDosTime(INT64_MAX, D, T); // Clipped to 2107-12-31 23:59:58.
  EXPECT_EQ(D, (127 << 9) | (12 << 5) | 31);
  EXPECT_EQ(T, (23 << 11) | (59 << 5) | 29);
}

/// Offsets and sizes past 4 GiB, without writing 4 GiB: a stored member of
/// 4 GiB + 4 KiB of zeros is a hole in a sparse file, copied by the writer
/// as one input range, which this test writes as a hole too.
TEST_F(ZipWriteTest, Zip64OffsetsAndSizesPastFourGiB) {
  const uint64_t N = (uint64_t(4) << 30) + 4096;
  std::string Local;
  auto Put16 = [&](uint16_t V) { Local.append({char(V), char(V >> 8)}); };
  auto Put32 = [&](uint32_t V) { Put16(V); Put16(V >> 16); };
  auto Put64 = [&](uint64_t V) { Put32(V); Put32(V >> 32); };
  Put32(0x04034b50);
  Put16(45);
  Put16(0);
  Put16(0); // Stored.
  Put32(0); // Time and date.
  Put32(0); // CRC-32: not computed; only the small member is read.
  Put32(0xffffffff);
  Put32(0xffffffff);
  Put16(3);
  Put16(20);
  Local += "big";
  Put16(1);
  Put16(16);
  Put64(N);
  Put64(N);
  ASSERT_EQ(Local.size(), 53u);

  std::string InPath = path("in.bin");
  {
    int FD = ::open(InPath.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    ASSERT_GE(FD, 0);
    ASSERT_EQ(::pwrite(FD, Local.data(), Local.size(), 0), 53);
    ASSERT_EQ(::ftruncate(FD, 53 + N), 0);
    ::close(FD);
  }
  auto In = InputFile::open(InPath);
  ASSERT_TRUE(bool(In));
  Entry Big;
  Big.setVariable("big", 3, 0, 0);
  Big.VersionMadeBy = 0x031e;
  Big.VersionNeeded = 45;
  Big.CompressedSize = Big.UncompressedSize = N;
  Big.ExternalAttrs = 0100644u << 16;
  Big.DataOffset = 53;
  Big.RecordEnd = 53 + N;
  zip::Writer W;
  ASSERT_EQ(errorOf(W.copyEntry(Big)), "success");
  NewEntry Stored;
  Stored.Level = 0;
  ASSERT_EQ(errorOf(W.addEntry("small", bytes("hello"), Stored)), "success");
  std::vector<OutputChunk> Chunks = W.finish();
  ASSERT_EQ(Chunks.size(), 2u);
  ASSERT_TRUE(Chunks[0].isInputRange());
  ASSERT_EQ(Chunks[0].Size, 53 + N);

  std::string OutPath = path("out.zip");
  {
    int FD = ::open(OutPath.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    ASSERT_GE(FD, 0);
    ASSERT_EQ(::pwrite(FD, Local.data(), Local.size(), 0), 53);
    const std::string &Tail = Chunks[1].Bytes;
    ASSERT_EQ(::pwrite(FD, Tail.data(), Tail.size(), 53 + N),
              ssize_t(Tail.size()));
    ::close(FD);
  }
  auto Out = InputFile::open(OutPath);
  ASSERT_TRUE(bool(Out));
  Expected<Archive> A = Archive::read((*Out)->data());
  ASSERT_EQ(errorOf(A), "success");
  ASSERT_EQ(A->entries().size(), 2u);
  EXPECT_EQ(A->entries()[0].UncompressedSize, N);
  EXPECT_EQ(A->entries()[1].LocalHeaderOffset, 53 + N);
  SmallVector<uint8_t, 8> Small;
  ASSERT_EQ(errorOf(A->extract(A->entries()[1], Small, 100)), "success");
  EXPECT_EQ(toStringRef(ArrayRef<uint8_t>(Small)), "hello");

  // Python's zipfile reads the ZIP64 fields the same way.
  auto Listing = runFixtureScript({"check-sparse", OutPath});
  ASSERT_TRUE(Listing);
  EXPECT_EQ(*Listing, "[{\"name\": \"big\", \"size\": " + std::to_string(N) +
                          ", \"offset\": 0, \"content\": null}, {\"name\": "
                          "\"small\", \"size\": 5, \"offset\": " +
                          std::to_string(53 + N) +
                          ", \"content\": \"hello\"}]\n");
}

//===----------------------------------------------------------------------===//
// Hostile input
//===----------------------------------------------------------------------===//

/// A small archive: deflated, directory, stored members, no comment (so
/// the end record is the last 22 bytes).
std::string smallArchive() {
  zip::Writer W;
  EXPECT_FALSE(W.addEntry("a.txt", bytes(std::string(300, 'a') + "end")));
  NewEntry Dir;
  Dir.Level = 0;
  Dir.Mode = 040755;
  EXPECT_FALSE(W.addEntry("b/", {}, Dir));
  NewEntry Stored;
  Stored.Level = 0;
  EXPECT_FALSE(W.addEntry("b/c", bytes("stored content"), Stored));
  return materialize(W.finish());
}

/// Everything a caller might do with an archive that reads.
void exercise(ArrayRef<uint8_t> Data) {
  Expected<Archive> A = Archive::read(Data);
  if (!A) {
    consumeError(A.takeError());
    return;
  }
  SmallVector<uint8_t, 0> Out;
  zip::Writer W;
  for (const Entry &E : A->entries()) {
    consumeError(A->extract(E, Out, 1 << 20));
    consumeError(A->forEachChunk(
        E, [](ArrayRef<uint8_t>) { return Error::success(); }));
    consumeError(A->extractPrefix(E, 8, Out));
    EXPECT_FALSE(W.copyEntry(E));
  }
  std::string Copy = materialize(W.finish(), Data);
  Expected<Archive> B = Archive::read(bytes(Copy));
  EXPECT_EQ(errorOf(B), "success");
  if (B) {
    EXPECT_EQ(B->entries().size(), A->entries().size());
  }
}

// Member names are chosen by whoever writes the archive. With the index's
// hash known in advance (xxh3 of the name), names whose hash falls into the
// first slots of the table filled one run of slots, and the i-th insertion
// walked i of them: quadratic in the member count (found by an adversarial
// pass: 120,000 such members made show take 86 s). The keyed hash spreads
// them; the count of name comparisons stays linear.
TEST(NameIndexTest, ChosenNamesDoNotCluster) {
  constexpr size_t Count = 2000;
  zip::NameIndex Index;
  Index.reset(Count); // 4,096 slots.
  std::vector<std::string> Names;
  for (uint64_t I = 0; Names.size() < Count; ++I) {
    std::string Name = "pkg/m" + std::to_string(I) + ".py";
    if ((xxh3_64bits(Name) & 4095) < Count)
      Names.push_back(std::move(Name));
  }
  size_t Compared = 0;
  auto NameAt = [&](uint32_t P) {
    ++Compared;
    return StringRef(Names[P]);
  };
  for (uint32_t P = 0; P < Count; ++P) {
    uint32_t &Slot = Index.slot(Names[P], NameAt);
    ASSERT_EQ(Slot, zip::NameIndex::Free) << Names[P];
    Slot = P;
  }
  for (uint32_t P = 0; P < Count; ++P)
    ASSERT_EQ(Index.slot(Names[P], NameAt), P);
  // About 1.5 comparisons a lookup at this load (some 6,000 in all); the
  // unkeyed hash needed 106,376.
  EXPECT_LT(Compared, 4 * 2 * Count);
}

TEST(ZipHostileTest, EveryTruncationIsAnError) {
  std::string Z = smallArchive();
  ASSERT_TRUE(bool(Archive::read(bytes(Z))));
  for (size_t Len = 0; Len < Z.size(); ++Len) {
    Expected<Archive> A = Archive::read(bytes(Z).take_front(Len));
    EXPECT_FALSE(bool(A)) << "length " << Len;
    if (!A)
      consumeError(A.takeError());
  }
}

TEST(ZipHostileTest, EverySingleByteCorruptionIsHandled) {
  std::string Z = smallArchive();
  for (size_t I = 0; I < Z.size(); ++I)
    for (uint8_t V : {uint8_t(0), uint8_t(0xff), uint8_t(Z[I] + 1)}) {
      std::string C = Z;
      C[I] = char(V);
      exercise(bytes(C));
    }
}

class ZipLieTest : public ::testing::Test {
protected:
  void SetUp() override {
    Z = smallArchive();
    Expected<Archive> A = Archive::read(bytes(Z));
    ASSERT_TRUE(bool(A));
    for (const Entry &E : A->entries())
      Local.push_back(E.LocalHeaderOffset);
    EOCD = Z.size() - 22;
    CD = support::endian::read32le(Z.data() + EOCD + 16);
    // Central record offsets.
    uint64_t P = CD;
    for (size_t I = 0; I < A->entries().size(); ++I) {
      Central.push_back(P);
      P += 46 + A->entries()[I].name().size();
    }
  }
  void set16(uint64_t Off, uint16_t V) {
    support::endian::write16le(&Z[Off], V);
  }
  void set32(uint64_t Off, uint32_t V) {
    support::endian::write32le(&Z[Off], V);
  }
  /// Sets field \p F (an offset in the central record: flags 8, method 10,
  /// CRC 16, sizes 20 and 24) of member \p I in both its central record and
  /// its local header (where each such field is 2 bytes earlier), so that
  /// the two agree and the lie reaches extraction.
  void setBoth16(size_t I, uint64_t F, uint16_t V) {
    set16(Central[I] + F, V);
    set16(Local[I] + F - 2, V);
  }
  void setBoth32(size_t I, uint64_t F, uint32_t V) {
    set32(Central[I] + F, V);
    set32(Local[I] + F - 2, V);
  }
  std::string readError() {
    Expected<Archive> A = Archive::read(bytes(Z));
    return errorOf(A);
  }
  /// The error of extracting member \p I (the archive must read).
  std::string extractError(size_t I, uint64_t Limit = 1 << 20) {
    Expected<Archive> A = Archive::read(bytes(Z));
    if (!A)
      return "read: " + toString(A.takeError());
    SmallVector<uint8_t, 0> Out;
    std::string Whole = errorOf(A->extract(A->entries()[I], Out, Limit));
    std::string Streamed = errorOf(A->forEachChunk(
        A->entries()[I], [](ArrayRef<uint8_t>) { return Error::success(); }));
    if (Whole != Streamed && Limit == (1 << 20))
      return "extract: " + Whole + " | forEachChunk: " + Streamed;
    return Whole;
  }

  std::string Z;
  std::vector<uint64_t> Local, Central;
  uint64_t EOCD = 0, CD = 0;
};

TEST_F(ZipLieTest, NotAZipFile) {
  Z = "PK\x05\x06 but not really an archive, just text";
  EXPECT_EQ(readError(),
            "the end of central directory record at offset 0x0 has a "
            "28257-byte comment but 19 bytes follow it (readers would "
            "disagree on the archive)");
  Z = "not PK\x05\x07 an archive, just text, long enough";
  EXPECT_EQ(readError(),
            "not a zip file (no end of central directory record)");
  Z = "short";
  EXPECT_EQ(readError(), "not a zip file (too short for an end of central "
                         "directory record)");
}

TEST_F(ZipLieTest, CompressedSizePastTheEnd) {
  setBoth32(0, 20, 0xfffffff0);
  EXPECT_EQ(readError(), "member 'a.txt' data runs past the end of the file");
}

TEST_F(ZipLieTest, CompressedSizeIntoTheCentralDirectory) {
  setBoth32(2, 20, 40);
  EXPECT_EQ(readError(),
            "member 'b/c' data runs past the start of the central directory");
}

TEST_F(ZipLieTest, WrongUncompressedSize) {
  setBoth32(0, 24, 302);
  EXPECT_EQ(extractError(0),
            "member 'a.txt' decompresses to more than 302 bytes, the central "
            "directory says 302");
  SetUp();
  setBoth32(0, 24, 304);
  EXPECT_EQ(extractError(0), "member 'a.txt' decompresses to 303 bytes, the "
                             "central directory says 304");
  SetUp();
  setBoth32(2, 24, 13); // Stored: sizes must agree.
  EXPECT_EQ(extractError(2), "member 'b/c' is stored but its compressed size "
                             "(14) differs from its size (13)");
}

TEST_F(ZipLieTest, WrongCRC) {
  uint32_t CRC = support::endian::read32le(&Z[Central[2] + 16]);
  setBoth32(2, 16, CRC ^ 1);
  EXPECT_EQ(extractError(2), "member 'b/c' has CRC-32 0x" +
                                 utohexstr(CRC, true) +
                                 ", the central directory says 0x" +
                                 utohexstr(CRC ^ 1, true));
}

TEST_F(ZipLieTest, CorruptDeflateData) {
  // A reserved block type (3) in the first block header.
  Z[Local[0] + 30 + 5] = char(0x07);
  Expected<Archive> A = Archive::read(bytes(Z));
  ASSERT_TRUE(bool(A));
  SmallVector<uint8_t, 0> Out;
  EXPECT_EQ(errorOf(A->extract(A->entries()[0], Out, 1000)),
            "member 'a.txt' has corrupt deflate data");
  // zlib says why.
  EXPECT_EQ(errorOf(A->forEachChunk(A->entries()[0],
                                    [](ArrayRef<uint8_t>) {
                                      return Error::success();
                                    })),
            "member 'a.txt' has corrupt deflate data (invalid block type)");
}

TEST_F(ZipLieTest, EndRecordCountLies) {
  set16(EOCD + 8, 4);
  set16(EOCD + 10, 4);
  EXPECT_EQ(readError(), "the end of central directory record claims 4 "
                         "entries, more than a 148-byte central directory "
                         "can hold");
  SetUp();
  set32(EOCD + 12, 140); // The directory's size, short of its last entry.
  EXPECT_EQ(readError(), "the central directory (140 bytes at offset 0x" +
                             utohexstr(CD, true) + ") does not end where the "
                             "end records start (0x" + utohexstr(EOCD, true) +
                             "; readers would disagree on the archive)");
  SetUp();
  set16(EOCD + 8, 2);
  set16(EOCD + 10, 2);
  EXPECT_EQ(readError(), "central directory has 49 bytes after its last "
                         "entry (the entry count in the end record is wrong)");
  SetUp();
  set16(EOCD + 8, 0xfffe);
  set16(EOCD + 10, 0xfffe);
  EXPECT_EQ(readError(), "the end of central directory record claims 65534 "
                         "entries, more than a 148-byte central directory "
                         "can hold");
  SetUp();
  set32(EOCD + 16, CD + 1);
  EXPECT_EQ(readError(), "truncated central directory: 148 bytes at offset 0x" +
                             utohexstr(CD + 1, true) + " run past 0x" +
                             utohexstr(EOCD, true));
}

TEST_F(ZipLieTest, OverlappingMembers) {
  // Entry 2 claims entry 0's local header (and so its name).
  std::string Rec0 = Z.substr(Central[0], 46 + 5);
  std::string NewZ = Z.substr(0, CD) + Z.substr(CD, EOCD - CD) + Rec0 +
                     Z.substr(EOCD);
  Z = NewZ;
  EOCD += Rec0.size();
  set16(EOCD + 8, 4);
  set16(EOCD + 10, 4);
  set32(EOCD + 12, 148 + Rec0.size());
  EXPECT_EQ(readError(),
            "member 'a.txt' appears twice");
  // Member 0's data claims member 1's header.
  SetUp();
  uint32_t C = support::endian::read32le(&Z[Central[0] + 20]);
  setBoth32(0, 20, C + 10);
  EXPECT_EQ(readError(), "members 'a.txt' and 'b/' overlap (at offset 0x" +
                             utohexstr(Local[1], true) + ")");
}

TEST_F(ZipLieTest, LocalHeaderDisagrees) {
  Z[Local[2] + 30 + 2] = 'd';
  EXPECT_EQ(readError(), "member 'b/c' local header at offset 0x" +
                             utohexstr(Local[2], true) +
                             " names 'b/d' instead");
  SetUp();
  Z[Local[1]] = 'X';
  EXPECT_EQ(readError(), "member 'b/' has no local header at offset 0x" +
                             utohexstr(Local[1], true) + " (bad signature)");
  SetUp();
  set32(Central[2] + 42, CD - 10);
  EXPECT_EQ(readError(), "member 'b/c' local header at offset 0x" +
                             utohexstr(CD - 10, true) +
                             " runs past the start of the central directory");
  SetUp();
  set32(Central[1] + 42, 0xffffffff);
  EXPECT_EQ(readError(), "central directory entry 1 (member 'b/') has "
                         "0xffffffff sizes or offset but no ZIP64 extra field");
}

TEST_F(ZipLieTest, EncryptionAndMethodsAreRefusedOnExtraction) {
  setBoth16(2, 8, 1);
  EXPECT_EQ(readError(), "success"); // Still listable and copyable.
  EXPECT_EQ(extractError(2), "member 'b/c' is encrypted");
  SetUp();
  setBoth16(2, 10, 12); // bzip2
  EXPECT_EQ(extractError(2), "member 'b/c' uses compression method 12 (only "
                             "stored and deflate are supported)");
}

TEST_F(ZipLieTest, SizeLimitsAndImpossibleRatios) {
  EXPECT_EQ(extractError(0, 100), "member 'a.txt' is too large (303 bytes, "
                                  "the limit is 100)");
  // 4 GiB - 2 out of a few bytes of deflate: refused before allocating.
  setBoth32(0, 24, 0xfffffffe);
  std::string E = extractError(0, UINT64_MAX);
  uint64_t C = support::endian::read32le(&Z[Central[0] + 20]);
  EXPECT_EQ(E, "member 'a.txt' decompresses to at most " +
                   std::to_string((C + 1) * 1032) +
                   " bytes, the central directory says 4294967294");
}

TEST_F(ZipLieTest, CentralDirectoryStructure) {
  Z[Central[1]] = 'X';
  EXPECT_EQ(readError(), "central directory entry 1 at offset 0x" +
                             utohexstr(Central[1], true) +
                             " has a bad signature");
  SetUp();
  set16(Central[2] + 28, 200); // Name length.
  EXPECT_EQ(readError(), "truncated central directory: the name, extra field "
                         "and comment of entry 2 at offset 0x" +
                             utohexstr(Central[2], true) +
                             " run past its end");
  SetUp();
  set16(Central[0] + 34, 1);
  EXPECT_EQ(readError(), "central directory entry 0 (member 'a.txt') is on "
                         "disk 1 (multi-disk archives are not supported)");
  SetUp();
  set16(EOCD + 4, 1);
  EXPECT_EQ(readError(), "multi-disk archives are not supported");
}

TEST_F(ZipLieTest, Zip64EndRecords) {
  auto InsertLocator = [&](uint64_t RecordOffset) {
    std::string L(20, '\0');
    support::endian::write32le(&L[0], 0x07064b50);
    support::endian::write64le(&L[8], RecordOffset);
    support::endian::write32le(&L[16], 1);
    Z.insert(EOCD, L);
  };
  // Python's zipfile reads the record right before the locator, whatever
  // the locator says: a locator pointing elsewhere is refused.
  InsertLocator(0x123456);
  EXPECT_EQ(readError(), "the ZIP64 end of central directory locator points "
                         "at offset 0x123456, not at the record right before "
                         "it (readers would disagree on the archive)");
  SetUp();
  InsertLocator(EOCD - 56);
  EXPECT_EQ(readError(), "no ZIP64 end of central directory record at offset "
                         "0x" + utohexstr(EOCD - 56, true) +
                         " (bad signature)");
}

TEST_F(ZipLieTest, DataDescriptorMustMatch) {
  setBoth16(2, 8, zip::FlagDataDescriptor);
  EXPECT_EQ(readError(), "member 'b/c' has no data descriptor matching the "
                         "central directory at offset 0x" +
                             utohexstr(CD, true));
}

TEST_F(ZipLieTest, TruncatedDeflateData) {
  // Member 0 keeps 2 bytes of its deflate data; what follows moves up.
  uint32_t C = support::endian::read32le(&Z[Central[0] + 20]);
  uint64_t Cut = C - 2;
  Z.erase(Local[0] + 30 + 5 + 2, Cut);
  for (size_t I = 0; I < Central.size(); ++I)
    Central[I] -= Cut;
  EOCD -= Cut;
  for (size_t I = 1; I < Local.size(); ++I)
    set32(Central[I] + 42, Local[I] - Cut);
  set32(EOCD + 16, CD - Cut);
  setBoth32(0, 20, 2);
  Expected<Archive> A = Archive::read(bytes(Z));
  ASSERT_TRUE(bool(A));
  EXPECT_EQ(errorOf(A->forEachChunk(
                A->entries()[0],
                [](ArrayRef<uint8_t>) { return Error::success(); })),
            "member 'a.txt' has truncated deflate data");
}

/// Replaces the (empty) central extra field of member 2 with \p Extra.
void insertCentralExtra(std::string &Z, uint64_t Rec, uint64_t &EOCD,
                        StringRef Extra) {
  support::endian::write16le(&Z[Rec + 30], Extra.size());
  Z.insert(Rec + 46 + 3, Extra.str());
  EOCD += Extra.size();
  support::endian::write32le(&Z[EOCD + 12], 148 + Extra.size());
}

TEST_F(ZipLieTest, ExtraFields) {
  std::string Extra(20, '\0');
  support::endian::write16le(&Extra[0], 0x1234);
  support::endian::write16le(&Extra[2], 17); // One byte too many.
  insertCentralExtra(Z, Central[2], EOCD, Extra);
  EXPECT_EQ(readError(), "central directory entry 2 (member 'b/c'): extra "
                         "field block 0x1234 runs past the end of the extra "
                         "field");
  SetUp();
  Extra.assign(12, '\0');
  support::endian::write16le(&Extra[0], 1);
  support::endian::write16le(&Extra[2], 8);
  set32(Central[2] + 20, 0xffffffff);
  set32(Central[2] + 24, 0xffffffff);
  insertCentralExtra(Z, Central[2], EOCD, Extra);
  EXPECT_EQ(readError(), "central directory entry 2 (member 'b/c'): ZIP64 "
                         "extra field is too short (8 bytes, 16 needed)");
}

/// A central record that keeps small sizes in a ZIP64 extra (as some
/// writers do): read through the extra, and copied in the same form, so
/// that the copy is byte-identical.
TEST_F(ZipLieTest, CentralZip64SizesAreReadAndKept) {
  uint64_t Rec = Central[2];
  uint32_t C = support::endian::read32le(&Z[Rec + 20]);
  uint32_t U = support::endian::read32le(&Z[Rec + 24]);
  set32(Rec + 20, 0xffffffff);
  set32(Rec + 24, 0xffffffff);
  set16(Rec + 30, 20);
  std::string Extra(20, '\0');
  support::endian::write16le(&Extra[0], 1);
  support::endian::write16le(&Extra[2], 16);
  support::endian::write64le(&Extra[4], U);
  support::endian::write64le(&Extra[12], C);
  Z.insert(Rec + 46 + 3, Extra);
  EOCD += 20;
  set32(EOCD + 12, 148 + 20);
  Expected<Archive> A = Archive::read(bytes(Z));
  ASSERT_EQ(errorOf(A), "success");
  const Entry &E = A->entries()[2];
  EXPECT_TRUE(E.Zip64Sizes);
  EXPECT_EQ(E.CompressedSize, C);
  EXPECT_EQ(E.UncompressedSize, U);
  EXPECT_EQ(extractError(2), "success");
  zip::Writer W;
  for (const Entry &X : A->entries())
    ASSERT_EQ(errorOf(W.copyEntry(X)), "success");
  EXPECT_TRUE(bytes(materialize(W.finish(), bytes(Z))) == bytes(Z));
}

TEST_F(ZipLieTest, EscapesNamesInMessages) {
  // A name with an escape sequence, in both headers.
  Z[Local[2] + 30 + 1] = '\x1b';
  Z[Central[2] + 46 + 1] = '\x1b';
  setBoth32(2, 20, 40);
  EXPECT_EQ(readError(),
            "member 'b\\x1Bc' data runs past the start of the central "
            "directory");
}

} // namespace
