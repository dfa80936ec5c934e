//===- Wheel.cpp - Wheel names, .dist-info and RECORD ---------------------===//
//
// The wheel rules on top of the zip layer. RECORD is read and written the
// way Python's csv module does (the `wheel` package and pip use it with
// lineterminator "\n"), so that a RECORD we rewrite is byte-identical to
// the one `wheel pack` would write for the same rows.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Wheel.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/Error.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Base64.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
// The low-level SHA-2 functions, deprecated by OpenSSL 3 in favour of EVP
// (see Hasher::Impl for why they are used).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <deque>

using namespace llvm;

namespace wasmrpath {
namespace wheel {

namespace {

/// A malformed wheel: the error of almost everything here.
Error makeError(const Twine &Msg) {
  return wasmrpath::makeError(errc::malformed, Msg);
}

/// An OpenSSL call failed. Its usual cause is memory; a provider
/// configuration that refuses a digest is the other.
Error openSSLError(StringRef What) {
  return createStringError(std::make_error_code(std::errc::not_enough_memory),
                           "OpenSSL: " + What + " failed");
}

std::string quoted(StringRef S) { return "'" + escapeForDisplay(S) + "'"; }


} // namespace

/// PEP 503 normalization: lower case, runs of '-', '_', '.' become '-'.
std::string normalizeName(StringRef Name) {
  std::string Out;
  bool InRun = false;
  for (char C : Name) {
    if (C == '-' || C == '_' || C == '.') {
      if (!InRun)
        Out += '-';
      InRun = true;
      continue;
    }
    InRun = false;
    Out += toLower(C);
  }
  return Out;
}

//===----------------------------------------------------------------------===//
// File name and .dist-info
//===----------------------------------------------------------------------===//

std::string WheelName::distInfoDir() const {
  return Distribution + "-" + Version + ".dist-info";
}

Expected<WheelName> parseWheelName(StringRef FileName) {
  StringRef Base = sys::path::filename(FileName, sys::path::Style::posix);
  std::string Quoted = quoted(Base);
  if (!Base.consume_back(".whl"))
    return makeError("wheel file name " + Quoted + " does not end in .whl");
  SmallVector<StringRef, 6> Parts;
  Base.split(Parts, '-');
  if (Parts.size() != 5 && Parts.size() != 6)
    return makeError("wheel file name " + Quoted + " has " +
                     Twine(Parts.size()) + " dash-separated fields, not "
                     "5 or 6 (name-version[-build]-python-abi-platform)");
  for (StringRef P : Parts)
    if (P.empty())
      return makeError("wheel file name " + Quoted + " has an empty field");
  WheelName N;
  N.Distribution = Parts[0].str();
  N.Version = Parts[1].str();
  size_t I = 2;
  if (Parts.size() == 6) {
    if (!isDigit(Parts[2].front()))
      return makeError("wheel file name " + Quoted + ": build tag " +
                       quoted(Parts[2]) + " does not start with a digit");
    N.Build = Parts[I++].str();
  }
  N.PythonTag = Parts[I++].str();
  N.AbiTag = Parts[I++].str();
  N.PlatformTag = Parts[I].str();
  return N;
}

namespace {
/// The key a .dist-info directory is compared by, as pip compares it: the
/// distribution part normalized, the version exactly. The version is
/// after the last '-': a name that was not escaped may hold dashes.
std::string distInfoKey(StringRef D) {
  D.consume_back(".dist-info");
  auto [Dist, Version] = D.rsplit('-');
  return normalizeName(Dist) + "-" + Version.str();
}
} // namespace

bool distInfoMatches(const WheelName &Name, StringRef Dir) {
  return distInfoKey(Name.distInfoDir()) == distInfoKey(Dir);
}

Expected<DistInfo> findDistInfo(const zip::Archive &A) {
  std::vector<std::string> Dirs;
  StringSet<> Seen;
  for (const zip::Entry &E : A.entries()) {
    // As pip counts them: the first component of every name, a directory
    // or a file (a top-level file "x.dist-info" counts too).
    StringRef Top = E.name().split('/').first;
    if (Top.ends_with(".dist-info") && Seen.insert(Top).second)
      Dirs.push_back(Top.str());
  }
  if (Dirs.empty())
    return makeError("no .dist-info directory");
  // pip refuses a wheel with several ("multiple .dist-info directories
  // found"), whatever the file name says: so does this layer, or a repair
  // would write a wheel that cannot be installed.
  if (Dirs.size() > 1) {
    std::string List;
    for (const std::string &D : Dirs)
      List += (List.empty() ? "" : ", ") + quoted(D);
    return makeError("multiple .dist-info directories found: " + List +
                     " (installers refuse such a wheel)");
  }
  const std::string &Dir = Dirs.front();
  DistInfo DI;
  DI.Dir = Dir;
  DI.Record = A.find(Dir + "/RECORD");
  DI.RecordJWS = A.find(Dir + "/RECORD.jws");
  DI.RecordP7S = A.find(Dir + "/RECORD.p7s");
  if (!DI.Record)
    return makeError(quoted(Dir + "/RECORD") + " is missing");
  return DI;
}

//===----------------------------------------------------------------------===//
// Hashing
//===----------------------------------------------------------------------===//

std::optional<HashAlgorithm> parseHashAlgorithm(StringRef Name) {
  if (Name == "sha256")
    return HashAlgorithm::SHA256;
  if (Name == "sha384")
    return HashAlgorithm::SHA384;
  if (Name == "sha512")
    return HashAlgorithm::SHA512;
  return std::nullopt;
}

/// OpenSSL's low-level SHA-2 functions, not EVP: EVP makes OpenSSL 3 set
/// up its provider and name tables first, about 5 ms and 60 page faults
/// per process (measured: most of the time of repairing a wheel of one
/// small module, more than cp of the wheel), where these run the same
/// assembly (SHA extensions where the CPU has them) with no set-up, no
/// allocation and no per-thread state.
struct Hasher::Impl {
  HashAlgorithm Alg = HashAlgorithm::SHA256;
  SHA256_CTX C256;
  SHA512_CTX C512; // SHA-384 too.
  bool Failed = false;
};

Hasher::Hasher() : P(std::make_unique<Impl>()) {}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher &&) = default;
Hasher &Hasher::operator=(Hasher &&) = default;

Expected<Hasher> Hasher::create(HashAlgorithm A) {
  Hasher H;
  H.P->Alg = A;
  int OK = A == HashAlgorithm::SHA256   ? SHA256_Init(&H.P->C256)
           : A == HashAlgorithm::SHA384 ? SHA384_Init(&H.P->C512)
                                        : SHA512_Init(&H.P->C512);
  if (!OK)
    return openSSLError("SHA-2 initialization");
  return H;
}

void Hasher::update(ArrayRef<uint8_t> Bytes) {
  if (P->Failed)
    return;
  int OK = P->Alg == HashAlgorithm::SHA256
               ? SHA256_Update(&P->C256, Bytes.data(), Bytes.size())
               : SHA512_Update(&P->C512, Bytes.data(), Bytes.size());
  if (!OK)
    P->Failed = true;
}

Expected<std::vector<uint8_t>> Hasher::final() {
  if (P->Failed)
    return openSSLError("SHA-2 update");
  std::vector<uint8_t> Out;
  int OK = 0;
  switch (P->Alg) {
  case HashAlgorithm::SHA256:
    Out.resize(SHA256_DIGEST_LENGTH);
    OK = SHA256_Final(Out.data(), &P->C256);
    break;
  case HashAlgorithm::SHA384:
    Out.resize(SHA384_DIGEST_LENGTH);
    OK = SHA384_Final(Out.data(), &P->C512);
    break;
  case HashAlgorithm::SHA512:
    Out.resize(SHA512_DIGEST_LENGTH);
    OK = SHA512_Final(Out.data(), &P->C512);
    break;
  }
  if (!OK)
    return openSSLError("SHA-2 finalization");
  return Out;
}

std::array<uint8_t, 32> sha256Digest(ArrayRef<uint8_t> Bytes) {
  std::array<uint8_t, 32> Out;
  SHA256_CTX C;
  // Hasher::Impl says why not EVP. These do not fail; if they did, the
  // portable code would give the same digest.
  if (SHA256_Init(&C) && SHA256_Update(&C, Bytes.data(), Bytes.size()) &&
      SHA256_Final(Out.data(), &C))
    return Out;
  return SHA256::hash(Bytes);
}

std::string base64UrlNoPad(ArrayRef<uint8_t> Bytes) {
  std::string S = encodeBase64(Bytes);
  while (!S.empty() && S.back() == '=')
    S.pop_back();
  for (char &C : S)
    C = C == '+' ? '-' : C == '/' ? '_' : C;
  return S;
}

RecordRow::RecordRow(StringRef P, StringRef H, StringRef S) {
  // The three fields in one block the row shares (copies share it too).
  auto Bytes = std::make_shared<std::string>();
  Bytes->reserve(P.size() + H.size() + S.size());
  *Bytes += P;
  *Bytes += H;
  *Bytes += S;
  StringRef All = *Bytes;
  Path = All.substr(0, P.size());
  Hash = All.substr(P.size(), H.size());
  Size = All.substr(P.size() + H.size());
  Owned = std::move(Bytes);
}

RecordRow makeRecordRow(StringRef Path, ArrayRef<uint8_t> Content) {
  return RecordRow(Path, "sha256=" + base64UrlNoPad(sha256Digest(Content)),
                   std::to_string(Content.size()));
}

//===----------------------------------------------------------------------===//
// RECORD
//===----------------------------------------------------------------------===//

Expected<Record> Record::parse(StringRef Text, uint64_t MaxMemory) {
  Record R;
  // The rows are views of one copy of the text, unquoted in place: an
  // unquoted field is never longer than its source, so the write cursor
  // W never passes the read cursor I.
  auto Owned = std::make_shared<std::string>(Text.str());
  char *Buf = Owned->data();
  R.Text = Owned;
  size_t W = 0, FieldStart = 0;
  StringRef Fields[3];
  unsigned NumFields = 0;
  // What the rows and the index hold: the text, then per row the row and
  // (at most) four index slots.
  uint64_t Memory = Text.size();
  // Room for a row a line ends (within the budget), so that the rows are
  // not held twice while the vector grows.
  R.Rows.reserve(std::min<uint64_t>(Text.count('\n') + 1,
                                    MaxMemory / sizeof(RecordRow)));
  enum { StartField, InField, InQuotes, QuoteInQuotes } State = StartField;
  size_t Line = 1, RowLine = 1;
  bool RowStarted = false;
  auto PathAt = [&](uint32_t I) { return R.Rows[I].Path; };

  auto EndRow = [&]() -> Error {
    // A line with nothing on it is no row (csv.reader gives []).
    if (!RowStarted) {
      RowLine = Line;
      return Error::success();
    }
    Fields[NumFields++] = StringRef(Buf + FieldStart, W - FieldStart);
    FieldStart = W;
    if (NumFields != 3)
      return makeError("RECORD line " + Twine(RowLine) + " has " +
                       Twine(NumFields) + " fields, not 3 (path, hash, "
                       "size)");
    Memory += sizeof(RecordRow) + 4 * sizeof(uint32_t);
    if (Memory > MaxMemory)
      return createStringError(
          std::make_error_code(std::errc::value_too_large),
          "RECORD is too large: its rows up to line " + Twine(RowLine) +
              " would take more than " + Twine(MaxMemory) +
              " bytes of memory");
    if (2 * (R.Rows.size() + 1) > R.IndexSlots) {
      // Grow the index (amortized linear): every row again.
      R.IndexSlots = std::max<size_t>(64, 4 * (R.Rows.size() + 1));
      R.Index.reset(R.IndexSlots / 2);
      for (uint32_t I = 0; I < R.Rows.size(); ++I)
        R.Index.slot(R.Rows[I].Path, PathAt) = I;
    }
    uint32_t &Slot = R.Index.slot(Fields[0], PathAt);
    if (Slot != zip::NameIndex::Free)
      return makeError("RECORD line " + Twine(RowLine) + " lists " +
                       quoted(Fields[0]) + " again");
    Slot = uint32_t(R.Rows.size());
    RecordRow Row;
    Row.Path = Fields[0];
    Row.Hash = Fields[1];
    Row.Size = Fields[2];
    Row.Owned = R.Text;
    R.Rows.push_back(std::move(Row));
    NumFields = 0;
    RowStarted = false;
    RowLine = Line;
    return Error::success();
  };

  // A fourth field makes the row wrong whatever follows: stop there, so
  // that a row of millions of commas is not stored first.
  auto EndField = [&]() -> Error {
    if (NumFields >= 2)
      return makeError("RECORD line " + Twine(RowLine) + " has more than 3 "
                       "fields (path, hash, size)");
    Fields[NumFields++] = StringRef(Buf + FieldStart, W - FieldStart);
    FieldStart = W;
    return Error::success();
  };

  for (size_t I = 0; I < Text.size(); ++I) {
    char C = Text[I];
    bool NewLine = C == '\n' || C == '\r';
    if (NewLine && State != InQuotes) {
      // "\r\n" is one line end.
      if (C == '\r' && I + 1 < Text.size() && Text[I + 1] == '\n')
        ++I;
      ++Line;
      if (Error E = EndRow())
        return E;
      State = StartField;
      continue;
    }
    if (C == '\n')
      ++Line;
    RowStarted = true;
    switch (State) {
    case StartField:
      if (C == '"')
        State = InQuotes;
      else if (C == ',') {
        if (Error E = EndField())
          return E;
      } else {
        Buf[W++] = C;
        State = InField;
      }
      break;
    case InField:
      if (C == ',') {
        if (Error E = EndField())
          return E;
        State = StartField;
      } else {
        Buf[W++] = C; // A quote inside an unquoted field is literal.
      }
      break;
    case InQuotes:
      if (C == '"')
        State = QuoteInQuotes;
      else
        Buf[W++] = C;
      break;
    case QuoteInQuotes:
      if (C == '"') {
        Buf[W++] = '"';
        State = InQuotes;
      } else if (C == ',') {
        if (Error E = EndField())
          return E;
        State = StartField;
      } else {
        // csv.reader (not strict) keeps text after a closing quote.
        Buf[W++] = C;
        State = InField;
      }
      break;
    }
  }
  if (State == InQuotes)
    return makeError("RECORD line " + Twine(RowLine) +
                     " has an unterminated quoted field");
  if (Error E = EndRow())
    return E;
  R.Indexed = R.Rows.size();
  return R;
}

const RecordRow *Record::find(StringRef Path) const {
  size_t Covered = std::min(Indexed, Rows.size());
  if (Covered && !Index.empty()) {
    // Rows may have been changed since parse(): look only at the rows
    // the index covers, by their current paths.
    uint32_t I = const_cast<zip::NameIndex &>(Index).slot(
        Path, [&](uint32_t J) {
          return J < Covered ? Rows[J].Path : StringRef();
        });
    if (I != zip::NameIndex::Free && I < Covered && Rows[I].Path == Path)
      return &Rows[I];
  }
  for (size_t I = Covered; I < Rows.size(); ++I)
    if (Rows[I].Path == Path)
      return &Rows[I];
  return nullptr;
}

const RecordRow *Record::find(const zip::Entry &E) const {
  // Called for every member: only a name that decodes otherwise is copied.
  if (E.isNameDecodedAsIs())
    return find(E.name());
  if (const RecordRow *Row = find(E.decodedName()))
    return Row;
  return find(E.name());
}

std::string Record::serialize() const {
  std::string Out;
  auto Put = [&](StringRef F) {
    if (F.find_first_of(",\"\r\n") == StringRef::npos) {
      Out += F;
      return;
    }
    Out += '"';
    for (char C : F) {
      if (C == '"')
        Out += '"';
      Out += C;
    }
    Out += '"';
  };
  for (const RecordRow &Row : Rows) {
    Put(Row.Path);
    Out += ',';
    Put(Row.Hash);
    Out += ',';
    Put(Row.Size);
    Out += '\n';
  }
  return Out;
}

Error checkMemberPaths(ArrayRef<StringRef> Names) {
  // Pass 1: each name on its own.
  for (StringRef Name : Names) {
    bool IsDir = Name.ends_with("/");
    auto Bad = [&](const Twine &Why) {
      return makeError("member " + quoted(Name) + " " + Why);
    };
    if (Name.empty())
      return makeError("a member has an empty name");
    if (Name.starts_with("/"))
      return Bad("would be installed outside site-packages");
    if (Name.contains('\\'))
      return Bad("has a backslash in its path");
    StringRef Path = IsDir ? Name.drop_back() : Name;
    SmallVector<StringRef, 8> Parts;
    Path.split(Parts, '/');
    for (StringRef P : Parts) {
      if (P == "..")
        return Bad("would be installed outside site-packages");
      if (P == "." || P.empty())
        return Bad(Twine("has ") +
                   (P.empty() ? "an empty" : "a '.'") +
                   " component in its path (it would be installed as "
                   "another member's file)");
    }
  }
  // Pass 2: names that install as one file. Names are now canonical, so
  // these are a file that is also a directory, and pip's mapping of
  // <dist>.data/purelib/ and platlib/ onto the top.
  // The files, indexed without copying a name.
  zip::NameIndex FileIndex;
  FileIndex.reset(Names.size());
  auto NameAt = [&](uint32_t I) { return Names[I]; };
  for (uint32_t I = 0; I < Names.size(); ++I)
    if (!Names[I].ends_with("/"))
      FileIndex.slot(Names[I], NameAt) = I;
  struct {
    zip::NameIndex &Index;
    decltype(NameAt) &At;
    bool contains(StringRef Name) {
      return Index.slot(Name, At) != zip::NameIndex::Free;
    }
  } Files{FileIndex, NameAt};
  for (StringRef Name : Names) {
    for (size_t Slash = Name.find('/'); Slash != StringRef::npos &&
                                        Slash + 1 < Name.size() + 1;
         Slash = Name.find('/', Slash + 1)) {
      StringRef Dir = Name.take_front(Slash);
      if (Files.contains(Dir))
        return makeError("member " + quoted(Name) + " is below member " +
                         quoted(Dir) + ", which is a file");
    }
    auto [Top, Rest] = Name.split('/');
    if (Top.ends_with(".data") && !Name.ends_with("/")) {
      auto [Scheme, Path] = Rest.split('/');
      if ((Scheme == "purelib" || Scheme == "platlib") && !Path.empty() &&
          Files.contains(Path))
        return makeError("members " + quoted(Name) + " and " + quoted(Path) +
                         " would be installed as one file");
    }
  }
  return Error::success();
}

Error checkMemberPaths(const zip::Archive &A) {
  // The names as installers read them (zipfile decodes a name not flagged
  // UTF-8 as code page 437): two members may install as one file, or a
  // file under a file, only once decoded. Only the names that decode to
  // other bytes are copied; a deque keeps them in place for the views.
  std::deque<std::string> Decoded;
  std::vector<StringRef> Names;
  Names.reserve(A.entries().size());
  for (const zip::Entry &E : A.entries()) {
    if (E.isNameDecodedAsIs()) {
      Names.push_back(E.name());
      continue;
    }
    Decoded.push_back(E.decodedName());
    Names.push_back(Decoded.back());
  }
  return checkMemberPaths(Names);
}

Error verifyMember(const zip::Archive &A, const zip::Entry &E,
                   const Record &R, const DistInfo &DI, bool CheckHash,
                   const ArrayRef<uint8_t> *Content) {
  if (E.isDirectory() || &E == DI.Record || &E == DI.RecordJWS ||
      &E == DI.RecordP7S)
    return Error::success();
  // Named in a message only: a wheel's every member passes here.
  auto Member = [&] { return "member " + quoted(E.name()); };
  const RecordRow *Row = R.find(E);
  if (!Row)
    return makeError(Member() + " is not in RECORD");
  if (Row->Hash.empty())
    return makeError(Member() + " has no hash in RECORD");
  auto [AlgName, Expected] = StringRef(Row->Hash).split('=');
  std::optional<HashAlgorithm> Alg = parseHashAlgorithm(AlgName);
  if (!Alg)
    return makeError(Member() + ": unsupported hash algorithm " +
                     quoted(AlgName) + " in RECORD");
  if (!Row->Size.empty()) {
    uint64_t Size;
    if (StringRef(Row->Size).getAsInteger(10, Size))
      return makeError(Member() + " has a bad size " + quoted(Row->Size) +
                       " in RECORD");
    if (Size != E.UncompressedSize)
      return makeError(Member() + " size " + Twine(E.UncompressedSize) +
                       " does not match RECORD (" + Twine(Size) + ")");
  }
  if (!CheckHash)
    return Error::success();
  llvm::Expected<Hasher> H = Hasher::create(*Alg);
  if (!H)
    return H.takeError();
  if (Content)
    H->update(*Content);
  else if (Error Err = A.forEachChunk(E, [&](ArrayRef<uint8_t> Chunk) {
             H->update(Chunk);
             return Error::success();
           }))
    return Err;
  llvm::Expected<std::vector<uint8_t>> Digest = H->final();
  if (!Digest)
    return Digest.takeError();
  if (base64UrlNoPad(*Digest) != Expected)
    return makeError(Member() + " hash does not match RECORD");
  return Error::success();
}

} // namespace wheel
} // namespace wasmrpath
