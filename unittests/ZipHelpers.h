//===- ZipHelpers.h - Independent zip readers and writers for the tests ---===//
//
// The zip layer is checked against archives that other programs wrote
// (Python's zipfile, Info-ZIP zip: the fixtures, made at build time by
// test/Inputs/zip-fixtures.py into ZIP_FIXTURES_DIR) and its output is read
// back by other programs (zipfile's testzip() and `unzip -t`, through the
// same script). These helpers run the script and read its JSON manifests.
//
//===----------------------------------------------------------------------===//

#ifndef WASM_RPATH_UNITTESTS_ZIPHELPERS_H
#define WASM_RPATH_UNITTESTS_ZIPHELPERS_H

#include "wasm-rpath/Zip.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"
#include <optional>
#include <string>

namespace wasmrpath {
namespace testing {

inline std::string fixturePath(llvm::StringRef Name) {
  llvm::SmallString<256> P(ZIP_FIXTURES_DIR);
  llvm::sys::path::append(P, Name);
  return std::string(P);
}

inline std::string readWholeFile(llvm::StringRef Path) {
  auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  return Buf ? (*Buf)->getBuffer().str() : std::string();
}

inline llvm::ArrayRef<uint8_t> bytes(llvm::StringRef S) {
  return llvm::arrayRefFromStringRef(S);
}

/// Runs test/Inputs/zip-fixtures.py with \p Args; returns its standard
/// output, or nullopt (with a test failure) if it failed.
inline std::optional<std::string>
runFixtureScript(llvm::ArrayRef<std::string> Args) {
  llvm::SmallString<128> Out;
  if (llvm::sys::fs::createTemporaryFile("zip-fixtures", "out", Out)) {
    ADD_FAILURE() << "cannot create a temporary file";
    return std::nullopt;
  }
  std::vector<llvm::StringRef> Argv = {PYTHON_EXECUTABLE, ZIP_FIXTURES_SCRIPT};
  for (const std::string &A : Args)
    Argv.push_back(A);
  std::optional<llvm::StringRef> Redirects[] = {std::nullopt,
                                                llvm::StringRef(Out),
                                                std::nullopt};
  std::string ErrMsg;
  int RC = llvm::sys::ExecuteAndWait(PYTHON_EXECUTABLE, Argv, std::nullopt,
                                     Redirects, 0, 0, &ErrMsg);
  std::string Output = readWholeFile(Out);
  llvm::sys::fs::remove(Out);
  if (RC != 0) {
    ADD_FAILURE() << "zip-fixtures.py " << llvm::join(Args, " ")
                  << " failed (" << RC << ") " << ErrMsg;
    return std::nullopt;
  }
  return Output;
}

/// Parses a manifest (see zip-fixtures.py).
inline std::optional<llvm::json::Value> parseManifest(llvm::StringRef Text) {
  llvm::Expected<llvm::json::Value> V = llvm::json::parse(Text);
  if (!V) {
    ADD_FAILURE() << "bad manifest: " << llvm::toString(V.takeError());
    return std::nullopt;
  }
  return std::move(*V);
}

/// The bytes of an archive laid out by zip::Writer.
inline std::string materialize(llvm::ArrayRef<OutputChunk> Chunks,
                               llvm::ArrayRef<uint8_t> Input = {}) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  zip::writeChunks(Chunks, Input, OS);
  return S;
}

} // namespace testing
} // namespace wasmrpath

#endif
