//===- WheelTest.cpp - Wheel names, .dist-info, RECORD and hashes ---------===//
//
// RECORD is checked against Python's csv module and hashlib (through
// test/Inputs/zip-fixtures.py), digests against published test vectors and
// LLVM's own SHA-256.
//
//===----------------------------------------------------------------------===//

#include "ScratchDir.h"
#include "ZipHelpers.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/Wheel.h"
#include "llvm/Support/SHA256.h"
#include "gtest/gtest.h"

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;
using namespace wasmrpath::wheel;
using wasmrpath::zip::Archive;

namespace {

std::string errorOf(Error E) {
  return E ? toString(std::move(E)) : std::string("success");
}
template <typename T> std::string errorOf(Expected<T> &V) {
  return V ? std::string("success") : toString(V.takeError());
}

TEST(WheelNameTest, Parses) {
  Expected<WheelName> N = parseWheelName(
      "dist/numpy-1.26.4-cp311-cp311-emscripten_3_1_46_wasm32.whl");
  ASSERT_EQ(errorOf(N), "success");
  EXPECT_EQ(N->Distribution, "numpy");
  EXPECT_EQ(N->Version, "1.26.4");
  EXPECT_EQ(N->Build, "");
  EXPECT_EQ(N->PythonTag, "cp311");
  EXPECT_EQ(N->AbiTag, "cp311");
  EXPECT_EQ(N->PlatformTag, "emscripten_3_1_46_wasm32");
  EXPECT_EQ(N->distInfoDir(), "numpy-1.26.4.dist-info");

  N = parseWheelName("my_pkg-2.0-1b-py2.py3-none-any.whl");
  ASSERT_EQ(errorOf(N), "success");
  EXPECT_EQ(N->Distribution, "my_pkg");
  EXPECT_EQ(N->Build, "1b");
  EXPECT_EQ(N->PythonTag, "py2.py3");
}

TEST(WheelNameTest, Errors) {
  auto Err = [](StringRef Name) {
    Expected<WheelName> N = parseWheelName(Name);
    return errorOf(N);
  };
  EXPECT_EQ(Err("pkg-1.0.tar.gz"),
            "wheel file name 'pkg-1.0.tar.gz' does not end in .whl");
  EXPECT_EQ(Err("pkg-1.0-py3-none.whl"),
            "wheel file name 'pkg-1.0-py3-none.whl' has 4 dash-separated "
            "fields, not 5 or 6 (name-version[-build]-python-abi-platform)");
  EXPECT_EQ(Err("pkg--1.0-py3-none-any.whl"),
            "wheel file name 'pkg--1.0-py3-none-any.whl' has an empty field");
  EXPECT_EQ(Err("pkg-1.0-x1-py3-none-any.whl"),
            "wheel file name 'pkg-1.0-x1-py3-none-any.whl': build tag 'x1' "
            "does not start with a digit");
}

std::string hex(ArrayRef<uint8_t> B) { return toHex(B, /*LowerCase=*/true); }

TEST(WheelHashTest, KnownVectors) {
  EXPECT_EQ(base64UrlNoPad(sha256Digest({})),
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  EXPECT_EQ(hex(sha256Digest(bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Hasher H384 = cantFail(Hasher::create(HashAlgorithm::SHA384));
  H384.update(bytes("ab"));
  H384.update(bytes("c"));
  EXPECT_EQ(hex(cantFail(H384.final())),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");
  Hasher H512 = cantFail(Hasher::create(HashAlgorithm::SHA512));
  H512.update(bytes("abc"));
  EXPECT_EQ(hex(cantFail(H512.final())),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(base64UrlNoPad(bytes("\xfb\xff")), "-_8");
  EXPECT_EQ(base64UrlNoPad(bytes("")), "");
  EXPECT_EQ(parseHashAlgorithm("sha256"), HashAlgorithm::SHA256);
  EXPECT_EQ(parseHashAlgorithm("md5"), std::nullopt);
}

TEST(WheelHashTest, IncrementalEqualsOneShotEqualsLLVM) {
  std::string Data;
  uint32_t X = 7;
  for (int I = 0; I < 1000003; ++I) {
    X = X * 1664525 + 1013904223;
    Data += char(X >> 24);
  }
  Hasher H = cantFail(Hasher::create());
  for (size_t Pos = 0; Pos < Data.size(); Pos += 65521)
    H.update(bytes(StringRef(Data).substr(Pos, 65521)));
  std::vector<uint8_t> Inc = cantFail(H.final());
  std::array<uint8_t, 32> One = sha256Digest(bytes(Data));
  std::array<uint8_t, 32> LLVM = SHA256::hash(bytes(Data));
  EXPECT_EQ(hex(Inc), hex(One));
  EXPECT_EQ(hex(One), hex(LLVM));
}

class RecordTest : public ScratchDirTest {};

TEST_F(RecordTest, WritesAndReadsAsPythonsCsvModule) {
  std::vector<RecordRow> Rows = {
      {"pkg/plain.py", "sha256=abc", "12"},
      {"pkg/with, comma.txt", "sha256=def", "3"},
      {"pkg/with \"quotes\".txt", "", ""},
      {"pkg/new\nline", "sha256=x", "0"},
      {"pkg/carriage\rreturn", "sha256=y", "1"},
      {"pkg/\xc3\xbcnicode \xe2\x82\xac", "sha256=z", "7"},
      {"pkg-1.0.dist-info/RECORD", "", ""},
  };
  // Python 3.11's csv.writer leaves a '\r' unquoted, which its own reader
  // (like ours) then takes for a line end; we quote it. So that row is
  // only read back below, not compared.
  Record R;
  R.Rows = Rows;
  R.Rows.erase(R.Rows.begin() + 4);
  std::string Ours = R.serialize();

  json::Array JRows;
  for (const RecordRow &Row : R.Rows)
    JRows.push_back(json::Array{Row.Path, Row.Hash, Row.Size});
  std::string In = path("rows.json"), Out = path("RECORD");
  writeFile(In, formatv("{0}", json::Value(std::move(JRows))).str());
  ASSERT_TRUE(runFixtureScript({"csv-write", In, Out}));
  std::string Python = readWholeFile(Out);
  EXPECT_EQ(Ours, Python);

  // csv.reader reads ours back as the rows, '\r' included.
  R.Rows = Rows;
  writeFile(Out, R.serialize());
  auto Read = runFixtureScript({"csv-read", Out});
  ASSERT_TRUE(Read);
  auto V = parseManifest(*Read);
  ASSERT_TRUE(V);
  const json::Array &A = *V->getAsArray();
  ASSERT_EQ(A.size(), Rows.size());
  for (size_t I = 0; I < Rows.size(); ++I) {
    const json::Array &F = *A[I].getAsArray();
    EXPECT_EQ(*F[0].getAsString(), Rows[I].Path);
    EXPECT_EQ(*F[1].getAsString(), Rows[I].Hash);
    EXPECT_EQ(*F[2].getAsString(), Rows[I].Size);
  }

  // And we read both back as the rows.
  Expected<Record> P = Record::parse(R.serialize());
  ASSERT_EQ(errorOf(P), "success");
  ASSERT_EQ(P->Rows.size(), Rows.size());
  for (size_t I = 0; I < Rows.size(); ++I)
    EXPECT_EQ(P->Rows[I].Path, Rows[I].Path);
  P = Record::parse(Python);
  ASSERT_EQ(errorOf(P), "success");
  Rows.erase(Rows.begin() + 4);
  ASSERT_EQ(P->Rows.size(), Rows.size());
  for (size_t I = 0; I < Rows.size(); ++I) {
    EXPECT_EQ(P->Rows[I].Path, Rows[I].Path);
    EXPECT_EQ(P->Rows[I].Hash, Rows[I].Hash);
    EXPECT_EQ(P->Rows[I].Size, Rows[I].Size);
  }
}

TEST(RecordParseTest, LineEndsAndEmptyLines) {
  Expected<Record> R =
      Record::parse("a,sha256=1,1\r\n\r\nb,sha256=2,2\n\nc,,\n\"d\"\"e\",x,3");
  ASSERT_EQ(errorOf(R), "success");
  ASSERT_EQ(R->Rows.size(), 4u);
  EXPECT_EQ(R->Rows[1].Path, "b");
  EXPECT_EQ(R->Rows[2].Hash, "");
  EXPECT_EQ(R->Rows[3].Path, "d\"e");
  EXPECT_EQ(R->Rows[3].Size, "3");
  ASSERT_TRUE(R->find("c"));
  EXPECT_FALSE(R->find("z"));
}

// Issue 17 §2.4: a row of 30 million commas (a 29 KB wheel) took 1 GB,
// since every field was stored before the row was counted.
TEST(RecordParseTest, CommaBombIsRefusedAtTheFourthField) {
  std::string Text = "a," + std::string(30000000, ',') + "\n";
  Expected<Record> R = Record::parse(Text);
  ASSERT_FALSE(bool(R));
  std::string Msg;
  std::error_code EC;
  handleAllErrors(R.takeError(), [&](const ErrorInfoBase &I) {
    Msg = I.message();
    EC = I.convertToErrorCode();
  });
  EXPECT_EQ(Msg, "RECORD line 1 has more than 3 fields (path, hash, size)");
  EXPECT_EQ(EC, std::error_code(wasmrpath::make_error_code(
                    wasmrpath::errc::malformed)));
}

TEST(RecordParseTest, MemoryBudget) {
  std::string Text;
  for (int I = 0; I < 100000; ++I)
    Text += "p" + std::to_string(I) + ",,\n";
  // About 130 bytes a row here: 100,000 rows fit in 64 MiB, not in 1 MiB.
  Expected<Record> Fits = Record::parse(Text, 64 << 20);
  EXPECT_EQ(errorOf(Fits), "success");
  Expected<Record> R = Record::parse(Text, 1 << 20);
  ASSERT_FALSE(bool(R));
  std::string Msg = toString(R.takeError());
  EXPECT_TRUE(StringRef(Msg).starts_with("RECORD is too large: its rows up "
                                         "to line "))
      << Msg;
}

TEST(RecordParseTest, FindUsesTheIndexAndSeesAppendedRows) {
  Expected<Record> R = Record::parse("a,h1,1\nb,h2,2\n");
  ASSERT_TRUE(bool(R));
  EXPECT_EQ(R->find("b")->Hash, "h2");
  R->Rows.push_back({"c", "h3", "3"});
  EXPECT_EQ(R->find("c")->Hash, "h3");
  EXPECT_EQ(R->find("a")->Hash, "h1");
  EXPECT_FALSE(R->find("d"));
}

TEST(RecordParseTest, Errors) {
  auto Err = [](StringRef Text) {
    Expected<Record> R = Record::parse(Text);
    return errorOf(R);
  };
  EXPECT_EQ(Err("a,b,c\nd,e\n"),
            "RECORD line 2 has 2 fields, not 3 (path, hash, size)");
  EXPECT_EQ(Err("a,b,c\n\"multi\nline,b,c,d\n"),
            "RECORD line 2 has an unterminated quoted field");
  EXPECT_EQ(Err("a,b,c\n\"multi\nline\",b,c,d\n"),
            "RECORD line 2 has more than 3 fields (path, hash, size)");
  EXPECT_EQ(Err("a,b,c\r\na,d,e\r\n"), "RECORD line 2 lists 'a' again");
}

TEST(WheelVerifyTest, ThePythonWheel) {
  std::string Path = fixturePath("pkg-1.0-py3-none-any.whl");
  auto In = InputFile::open(Path);
  ASSERT_TRUE(bool(In));
  Expected<Archive> A = Archive::read((*In)->data());
  ASSERT_TRUE(bool(A));
  Expected<WheelName> N = parseWheelName(Path);
  ASSERT_TRUE(bool(N));
  Expected<DistInfo> DI = findDistInfo(*A);
  ASSERT_EQ(errorOf(DI), "success");
  EXPECT_EQ(DI->Dir, "pkg-1.0.dist-info");
  ASSERT_TRUE(DI->Record);
  EXPECT_EQ(DI->Record->name(), "pkg-1.0.dist-info/RECORD");
  EXPECT_FALSE(DI->RecordJWS);
  SmallVector<uint8_t, 0> Text;
  ASSERT_FALSE(A->extract(*DI->Record, Text, 1 << 20));
  Expected<Record> R = Record::parse(toStringRef(ArrayRef<uint8_t>(Text)));
  ASSERT_EQ(errorOf(R), "success");
  // Written by the csv module: we write the same bytes for the same rows.
  EXPECT_EQ(R->serialize(), toStringRef(ArrayRef<uint8_t>(Text)));
  ASSERT_EQ(R->Rows.size(), A->entries().size());
  for (size_t I = 0; I < R->Rows.size(); ++I)
    EXPECT_EQ(R->Rows[I].Path, A->entries()[I].name());
  for (const zip::Entry &E : A->entries())
    EXPECT_EQ(errorOf(verifyMember(*A, E, *R, *DI)), "success") << E.name().str();
  // makeRecordRow agrees with hashlib.
  SmallVector<uint8_t, 0> Init;
  ASSERT_FALSE(A->extract(A->entries()[0], Init, 1 << 20));
  RecordRow Row = makeRecordRow("pkg/__init__.py", Init);
  EXPECT_EQ(Row.Hash, R->Rows[0].Hash);
  EXPECT_EQ(Row.Size, R->Rows[0].Size);
}

/// An in-memory wheel: \p Members, then \p R at \p RecordPath (if any).
std::string makeWheel(ArrayRef<std::pair<std::string, std::string>> Members,
                      const Record &R, StringRef RecordPath) {
  zip::Writer W;
  for (const auto &M : Members)
    EXPECT_FALSE(W.addEntry(M.first, bytes(M.second)));
  if (!RecordPath.empty()) {
    EXPECT_FALSE(W.addEntry(RecordPath, bytes(R.serialize())));
  }
  return materialize(W.finish());
}

TEST(WheelVerifyTest, Mismatches) {
  std::vector<std::pair<std::string, std::string>> Members = {
      {"pkg/", ""},
      {"pkg/good.py", "good"},
      {"pkg/bad.py", "bad content"},
      {"pkg/unlisted.py", "x"},
      {"pkg/md5.py", "y"},
      {"pkg/nohash.py", "z"},
      {"pkg/size.py", "size"},
      {"pkg/badsize.py", "q"},
      {"pkg/sha512.py", "strong"},
      {"pkg-1.0.dist-info/RECORD.jws", "signature"},
  };
  Record R;
  R.Rows.push_back(makeRecordRow("pkg/good.py", bytes("good")));
  R.Rows.push_back(makeRecordRow("pkg/bad.py", bytes("bad contenT")));
  R.Rows.push_back({"pkg/md5.py", "md5=abc", "1"});
  R.Rows.push_back({"pkg/nohash.py", "", ""});
  R.Rows.push_back(makeRecordRow("pkg/size.py", bytes("size")));
  R.Rows.back().setSize("5");
  R.Rows.push_back(makeRecordRow("pkg/badsize.py", bytes("q")));
  R.Rows.back().setSize("1x");
  Hasher H = cantFail(Hasher::create(HashAlgorithm::SHA512));
  H.update(bytes("strong"));
  R.Rows.push_back(
      {"pkg/sha512.py", "sha512=" + base64UrlNoPad(cantFail(H.final())), "6"});
  R.Rows.push_back({"pkg-1.0.dist-info/RECORD", "", ""});
  std::string Bytes = makeWheel(Members, R, "pkg-1.0.dist-info/RECORD");
  Expected<Archive> A = Archive::read(bytes(Bytes));
  ASSERT_TRUE(bool(A));
  Expected<DistInfo> DI = findDistInfo(*A);
  ASSERT_EQ(errorOf(DI), "success");
  ASSERT_TRUE(DI->RecordJWS);
  auto Verify = [&](StringRef Name) {
    const zip::Entry *E = A->find(Name);
    EXPECT_TRUE(E) << Name.str();
    return E ? errorOf(verifyMember(*A, *E, R, *DI)) : "no such member";
  };
  EXPECT_EQ(Verify("pkg/"), "success");
  EXPECT_EQ(Verify("pkg/good.py"), "success");
  EXPECT_EQ(Verify("pkg/sha512.py"), "success");
  EXPECT_EQ(Verify("pkg-1.0.dist-info/RECORD"), "success");
  EXPECT_EQ(Verify("pkg-1.0.dist-info/RECORD.jws"), "success");
  EXPECT_EQ(Verify("pkg/bad.py"),
            "member 'pkg/bad.py' hash does not match RECORD");
  EXPECT_EQ(Verify("pkg/unlisted.py"), "member 'pkg/unlisted.py' is not in RECORD");
  EXPECT_EQ(Verify("pkg/md5.py"),
            "member 'pkg/md5.py': unsupported hash algorithm 'md5' in RECORD");
  EXPECT_EQ(Verify("pkg/nohash.py"),
            "member 'pkg/nohash.py' has no hash in RECORD");
  EXPECT_EQ(Verify("pkg/size.py"),
            "member 'pkg/size.py' size 4 does not match RECORD (5)");
  EXPECT_EQ(Verify("pkg/badsize.py"),
            "member 'pkg/badsize.py' has a bad size '1x' in RECORD");
}

TEST(WheelDistInfoTest, Choices) {
  Record R;
  auto Find = [&](ArrayRef<std::pair<std::string, std::string>> Members,
                  const WheelName *N) {
    std::string Bytes = makeWheel(Members, R, "");
    Expected<Archive> A = Archive::read(bytes(Bytes));
    EXPECT_TRUE(bool(A));
    Expected<DistInfo> DI = findDistInfo(*A);
    return DI ? DI->Dir : toString(DI.takeError());
  };
  EXPECT_EQ(Find({{"pkg/a.py", ""}}, nullptr), "no .dist-info directory");
  EXPECT_EQ(Find({{"pkg-1.0.dist-info/METADATA", ""}}, nullptr),
            "'pkg-1.0.dist-info/RECORD' is missing");
  // No directory entry needed; a top-level file named like one counts, as
  // pip counts the first component of every name.
  EXPECT_EQ(Find({{"x.dist-info", ""}, {"pkg-1.0.dist-info/RECORD", ""}},
                 nullptr),
            "multiple .dist-info directories found: 'x.dist-info', "
            "'pkg-1.0.dist-info' (installers refuse such a wheel)");
  std::vector<std::pair<std::string, std::string>> Two = {
      {"other-2.0.dist-info/RECORD", ""},
      {"My.Pkg-1.0.dist-info/RECORD", ""}};
  // pip refuses two, whatever the file name says.
  const char *Multiple = "multiple .dist-info directories found: "
                         "'other-2.0.dist-info', 'My.Pkg-1.0.dist-info' "
                         "(installers refuse such a wheel)";
  EXPECT_EQ(Find(Two, nullptr), Multiple);
  Expected<WheelName> N = parseWheelName("my_pkg-1.0-py3-none-any.whl");
  ASSERT_TRUE(bool(N));
  EXPECT_EQ(Find(Two, &*N), Multiple);
}

} // namespace
