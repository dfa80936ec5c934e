//===- wasm-rpath/Wheel.h - Wheel names, .dist-info and RECORD ---*- C++ -*-===//
//
// The rules of the wheel format (PEP 427, PEP 491; the "binary distribution
// format" specification) that a repair of a Pyodide wheel needs, on top of
// the zip layer (Zip.h): the file name's fields, the .dist-info directory,
// and RECORD, whose rows give each member's SHA-256 and size and which
// pip checks on install. RECORD is CSV as Python's csv module reads and
// writes it, so it is parsed and written here exactly that way.
//
// Hashing uses OpenSSL's libcrypto (SHA-NI where the CPU has it): RECORD
// verification reads every member of a wheel, so the hash is the cost.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_WHEEL_H
#define WASM_RPATH_WHEEL_H

#include "wasm-rpath/Zip.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wasmrpath {
namespace wheel {

/// The fields of a wheel file name,
/// {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl.
/// Tags may be compressed tag sets ("py2.py3"); they are kept as written.
struct WheelName {
  std::string Distribution; ///< As in the name (escaped: '-' became '_').
  std::string Version;
  std::string Build; ///< Empty if there is none.
  std::string PythonTag;
  std::string AbiTag;
  std::string PlatformTag;

  /// The .dist-info directory this name implies, "{dist}-{version}.dist-info".
  std::string distInfoDir() const;
};

/// Parses the file name \p FileName (a path is allowed; only its last
/// component is read). Errors: no ".whl" suffix, not 5 or 6 dash-separated
/// fields, an empty field, a build tag that does not start with a digit.
llvm::Expected<WheelName> parseWheelName(llvm::StringRef FileName);

/// PEP 503 normalization of a distribution name: lower case, runs of '-',
/// '_' and '.' become one '-'. Installers compare names this way.
std::string normalizeName(llvm::StringRef Name);

/// Whether the .dist-info directory \p Dir ("bar-1.0.dist-info") is the
/// one \p Name implies: the distribution parts equal after
/// normalizeName(), the versions equal as written.
bool distInfoMatches(const WheelName &Name, llvm::StringRef Dir);

/// The .dist-info directory of a wheel and its signature-related members.
struct DistInfo {
  std::string Dir; ///< "name-1.0.dist-info", no trailing slash.
  const zip::Entry *Record = nullptr; ///< Always set.
  const zip::Entry *RecordJWS = nullptr;
  const zip::Entry *RecordP7S = nullptr;
};

/// Finds the .dist-info directory: the top-level directories whose names
/// end in ".dist-info" (from member paths; there need not be directory
/// entries). There must be exactly one: pip refuses a wheel with several
/// ("multiple .dist-info directories found"), whichever the file name
/// implies. Errors: none, several (naming them), no RECORD in it.
llvm::Expected<DistInfo> findDistInfo(const zip::Archive &A);

/// The hash algorithms RECORD may use (the specification requires sha256
/// or stronger from hashlib; these are the ones seen in practice).
enum class HashAlgorithm { SHA256, SHA384, SHA512 };

/// "sha256" -> SHA256 and so on; nullopt for anything else (md5, sha1...).
std::optional<HashAlgorithm> parseHashAlgorithm(llvm::StringRef Name);

/// An incremental hash (OpenSSL's SHA-2 functions), for members streamed through
/// zip::Archive::forEachChunk(). OpenSSL can fail (out of memory, a
/// provider that refuses the algorithm): that is an error from create()
/// or final(), never the end of the process.
class Hasher {
public:
  /// Errors: OpenSSL cannot set up the digest (std::errc::not_enough_memory
  /// or errc::unsupported).
  static llvm::Expected<Hasher> create(HashAlgorithm A = HashAlgorithm::SHA256);
  ~Hasher();
  Hasher(Hasher &&);
  Hasher &operator=(Hasher &&);
  /// Adds \p Bytes; a failure is kept and returned by final().
  void update(llvm::ArrayRef<uint8_t> Bytes);
  /// The digest; the Hasher must not be used afterwards.
  llvm::Expected<std::vector<uint8_t>> final();

private:
  Hasher();
  struct Impl;
  std::unique_ptr<Impl> P;
};

/// SHA-256 of \p Bytes. If OpenSSL fails, LLVM's portable SHA-256 (slower,
/// the same digest) computes it: this cannot fail.
std::array<uint8_t, 32> sha256Digest(llvm::ArrayRef<uint8_t> Bytes);

/// URL-safe base64 without '=' padding, as RECORD writes digests.
std::string base64UrlNoPad(llvm::ArrayRef<uint8_t> Bytes);

/// One RECORD row. Hash is "algorithm=digest" or empty (RECORD's own row,
/// and the signature files); Size is decimal or empty, kept as text.
///
/// The fields are views of bytes the row shares (Owned): the text a
/// Record parsed, held once for all its rows, or the row's own copy. So a
/// RECORD of a million rows is held once, and copying a row copies no
/// bytes.
struct RecordRow {
  RecordRow() = default;
  /// A row of copies of the three fields.
  RecordRow(llvm::StringRef Path, llvm::StringRef Hash, llvm::StringRef Size);
  /// Sets Path to a copy of \p P (the other fields keep their bytes).
  void setPath(llvm::StringRef P) { *this = RecordRow(P, Hash, Size); }
  /// Sets Size to a copy of \p S.
  void setSize(llvm::StringRef S) { *this = RecordRow(Path, Hash, S); }

  llvm::StringRef Path;
  llvm::StringRef Hash;
  llvm::StringRef Size;
  /// The bytes the fields point into.
  std::shared_ptr<const std::string> Owned;
};

/// The row for \p Path with content \p Content: "sha256=<digest>", size.
RecordRow makeRecordRow(llvm::StringRef Path, llvm::ArrayRef<uint8_t> Content);

/// The content of a RECORD file.
class Record {
public:
  /// Parses \p Text as Python's csv.reader does (fields quoted with '"',
  /// '""' inside quotes, "\n" or "\r\n" line ends, newlines allowed inside
  /// quotes; empty lines skipped). Errors (errc::malformed), with the line
  /// number: a row without exactly three fields (found at the fourth, so a
  /// row of a million commas costs nothing), an unterminated quote, a path
  /// listed twice. The rows and their index may take at most \p MaxMemory
  /// bytes (estimated as they are stored); past it the parse stops with
  /// std::errc::value_too_large, so a small wheel whose RECORD inflates to
  /// millions of rows cannot exhaust memory. The rows are views of one
  /// copy of \p Text (about 60 bytes a row beyond it), so the default
  /// allows about 8 million rows of usual paths.
  static llvm::Expected<Record> parse(llvm::StringRef Text,
                                      uint64_t MaxMemory = DefaultMaxMemory);
  static constexpr uint64_t DefaultMaxMemory = uint64_t(512) << 20;

  std::vector<RecordRow> Rows;

  /// The row for \p Path, or null. Constant time for the rows parse()
  /// made (an index); rows appended to Rows afterwards are scanned.
  const RecordRow *find(llvm::StringRef Path) const;
  /// The row for member \p E: by its name as installers decode it
  /// (Entry::decodedName(), which pip compares RECORD's paths with), else,
  /// for a name not flagged UTF-8 that is not ASCII, by its raw bytes (what
  /// a writer that copied the bytes into RECORD lists).
  const RecordRow *find(const zip::Entry &E) const;

  /// RECORD as `wheel` and pip write it: "\n" line ends, fields quoted
  /// (QUOTE_MINIMAL) only when they hold ',', '"', '\r' or '\n', rows in
  /// the order of Rows (a repair lists them in the archive's member order,
  /// RECORD's own row, with empty hash and size, among them). Byte for
  /// byte what Python's csv.writer writes, except for a path holding '\r',
  /// which Python 3.11 leaves unquoted so that its own reader splits the
  /// row there; here it is quoted, and reads back.
  std::string serialize() const;

private:
  /// The parsed text, unquoted in place: what the parsed rows point into.
  std::shared_ptr<const std::string> Text;
  /// Path -> index into Rows, for the rows parse() made.
  zip::NameIndex Index;
  size_t IndexSlots = 0;
  size_t Indexed = 0;
};

/// Checks that every member of \p A installs where its name says, and as a
/// file of its own (installers, pip's and Pyodide's, write members under
/// site-packages by name). Errors (errc::malformed), naming the member:
/// a name that is absolute, holds a backslash, or has a ".", ".." or empty
/// component ("pkg/./a.so", ".data/scripts/../../x", "pkg//a.so", a
/// directory entry "../../etc/cron.d/"); a member below another member
/// that is a file ("pkg/a" and "pkg/a/b"); a member of
/// "<dist>.data/purelib/" or "platlib/" that pip would install over a
/// member of the same path at the top.
llvm::Error checkMemberPaths(const zip::Archive &A);
/// The same checks over member names (a directory's ends with '/'): those
/// of an archive about to be written, checked before it is.
llvm::Error checkMemberPaths(llvm::ArrayRef<llvm::StringRef> Names);

/// Checks member \p E of \p A against \p R: its row must exist and have a
/// hash of a supported algorithm, and the member's content must have that
/// digest and the row's size. Directories (names ending in '/') and
/// RECORD, RECORD.jws and RECORD.p7s of \p DI are not checked (their rows,
/// if any, have no hash). The content is streamed (forEachChunk), so
/// memory stays bounded. Errors name the member: "member 'x' is not in
/// RECORD", "has no hash in RECORD", "unsupported hash algorithm 'md5'",
/// "hash does not match RECORD", "size N does not match RECORD (M)", and
/// the zip layer's extraction errors.
///
/// With \p CheckHash false, everything but the content is checked (the row,
/// its algorithm, the size from the central directory), and nothing is
/// decompressed. With \p Content, the member's content as extracted
/// (zip::Archive::extract(), which checked its CRC), that is hashed
/// instead of the member being read again.
llvm::Error verifyMember(const zip::Archive &A, const zip::Entry &E,
                         const Record &R, const DistInfo &DI,
                         bool CheckHash = true,
                         const llvm::ArrayRef<uint8_t> *Content = nullptr);

} // namespace wheel
} // namespace wasmrpath

#endif // WASM_RPATH_WHEEL_H
