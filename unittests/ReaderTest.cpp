//===- ReaderTest.cpp - Reader and writer unit tests ----------------------===//

#include "ModuleBuilder.h"
#include "Object/Writer.h"
#include "ScratchDir.h"
#include "wasm-rpath/Error.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Reader.h"
#include "gtest/gtest.h"
#include "llvm/ADT/StringExtras.h"
#include <fcntl.h>
#include <unistd.h>

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

namespace {

std::string write(const Object &Obj) {
  std::string Out;
  raw_string_ostream OS(Out);
  cantFail(writeObject(Obj, OS));
  return Out;
}

std::string readError(const std::string &Module) {
  Expected<Object> Obj = readObject(bytes(Module));
  if (Obj)
    return "";
  return toString(Obj.takeError());
}

TEST(ReaderTest, DecodesDylinkAndKeepsUnknownSubsections) {
  std::string Unknown = subsection(9, "opaque");
  std::string M = preamble() +
                  custom("dylink.0", memInfo() +
                                         subsection(2, strVec({"libb.so"})) +
                                         Unknown +
                                         subsection(5, strVec({"$ORIGIN"}))) +
                  body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(Obj->isSharedLibrary());
  EXPECT_EQ(Obj->Dylink->Needed, std::vector<std::string>{"libb.so"});
  ASSERT_TRUE(Obj->Dylink->RuntimePath);
  EXPECT_EQ(*Obj->Dylink->RuntimePath, std::vector<std::string>{"$ORIGIN"});
  ASSERT_EQ(Obj->Dylink->Subsections.size(), 4u);
  EXPECT_EQ(Obj->Dylink->Subsections[2].Type, 9);
  EXPECT_EQ(toStringRef(Obj->Dylink->Subsections[2].Raw), Unknown);
  EXPECT_EQ(Obj->Sections.size(), 3u);
  EXPECT_FALSE(Obj->isModified());
  // Unmodified output is the input, byte for byte.
  EXPECT_EQ(write(*Obj), M);
}

TEST(ReaderTest, AcceptsPaddedSizes) {
  // llvm-objcopy --add-section writes 5-byte section sizes.
  std::string M = preamble() +
                  custom("dylink.0",
                         memInfo() + subsection(2, strVec({"x.so"}), 5), 5) +
                  custom("rpath.0", strVec({"/lib"}), 5) + body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  EXPECT_EQ(Obj->Dylink->Needed, std::vector<std::string>{"x.so"});
  EXPECT_EQ(*Obj->RPathSection, std::vector<std::string>{"/lib"});
}

TEST(ReaderTest, NonSharedModule) {
  Expected<Object> Obj = readObject(bytes(preamble() + body()));
  ASSERT_TRUE(succeeded(Obj));
  EXPECT_FALSE(Obj->isSharedLibrary());
}

TEST(ReaderTest, LegacyDylink) {
  std::string M = preamble() +
                  custom("dylink", uleb(16) + uleb(2) + uleb(0) + uleb(0) +
                                       strVec({"liba.so", "libb.so"})) +
                  body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  EXPECT_TRUE(Obj->Dylink->IsLegacy);
  EXPECT_EQ(Obj->Dylink->Needed.size(), 2u);
}

TEST(ReaderTest, RejectsMalformedInput) {
  std::string Dylink = custom("dylink.0", memInfo());
  EXPECT_EQ(readError(""), "empty file, not a WebAssembly module");
  EXPECT_EQ(readError("#!/bin/sh\n"), "not a WebAssembly file (bad magic number)");
  EXPECT_EQ(readError("\x7f" "ELF\x02\x01\x01\x00"),
            "an ELF file, not a WebAssembly module (built for the host "
            "instead of wasm32-emscripten?)");
  EXPECT_EQ(readError("PK\x03\x04\x14\x00\x00\x00"),
            "a zip archive (a wheel?), not a WebAssembly module; unpack it "
            "and edit the modules inside");
  EXPECT_EQ(readError("!<arch>\n"),
            "an ar archive (a static library), not a WebAssembly module");
  EXPECT_EQ(readError(std::string("\0asm\1\0", 6)),
            "truncated WebAssembly header");
  EXPECT_EQ(readError(std::string("\0asm\2\0\0\0", 8)),
            "unsupported WebAssembly version 2 (expected 1)");
  EXPECT_NE(readError(std::string("\0asm\x0d\0\1\0", 8)).find("component"),
            std::string::npos);
  // Truncated section header, and a section running past the end.
  EXPECT_EQ(readError(preamble() + "\x01"),
            "truncated section header at offset 0x9");
  EXPECT_NE(readError(preamble() + section(1, "abcd").substr(0, 4))
                .find("runs past the end of the file"),
            std::string::npos);
  // Over-long LEB: six bytes for a varuint32.
  EXPECT_NE(readError(preamble() + std::string("\x01\x80\x80\x80\x80\x80\x00", 7))
                .find("longer than 5 bytes"),
            std::string::npos);
  // Regression (found by the fuzzer): an 11-byte LEB made LLVM's decoder
  // shift past 64 bits (UBSan); decoding is now bounded to 5 bytes.
  EXPECT_NE(readError(preamble() + "\x01" + std::string(10, '\x80') +
                      std::string(1, '\0'))
                .find("longer than 5 bytes"),
            std::string::npos);
  // A 5-byte LEB whose value does not fit in 32 bits.
  EXPECT_NE(readError(preamble() + std::string("\x01\xff\xff\xff\xff\x7f", 6))
                .find("out of range"),
            std::string::npos);
  // dylink.0 must be first, and only once.
  EXPECT_NE(readError(preamble() + body() + Dylink).find("not the first"),
            std::string::npos);
  EXPECT_NE(readError(preamble() + Dylink + Dylink).find("duplicate"),
            std::string::npos);
  // A subsection running past the end of dylink.0.
  EXPECT_NE(readError(preamble() + custom("dylink.0", "\x02\x10\x00"))
                .find("runs past the end of the section"),
            std::string::npos);
  // Invalid UTF-8 in a NEEDED name.
  EXPECT_NE(readError(preamble() +
                      custom("dylink.0", subsection(2, uleb(1) + str("\xff"))))
                .find("invalid UTF-8"),
            std::string::npos);
  // Trailing bytes in a known subsection.
  EXPECT_NE(readError(preamble() +
                      custom("dylink.0", subsection(5, strVec({"a"}) + "x")))
                .find("trailing"),
            std::string::npos);
}

TEST(ReaderTest, HostileCountsFailWithoutAllocating) {
  // 2^32-1 NEEDED entries claimed in a 6-byte body: must fail at the first
  // missing string, not reserve or loop over the claim.
  std::string M =
      preamble() + custom("dylink.0", subsection(2, uleb(0xffffffff) + "\x01")) +
      body();
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_FALSE(bool(Obj));
  EXPECT_NE(toString(Obj.takeError()).find("runs past its end"),
            std::string::npos);
}

TEST(ReaderTest, TruncatedAnywhereIsAnError) {
  std::string M = preamble() +
                  custom("dylink.0", memInfo() +
                                         subsection(2, strVec({"libb.so"})) +
                                         subsection(5, strVec({"$ORIGIN"}))) +
                  custom("rpath.0", strVec({"$ORIGIN"})) + body();
  {
    Expected<Object> Full = readObject(bytes(M));
    ASSERT_TRUE(succeeded(Full));
  }
  for (size_t Len = 0; Len < M.size(); ++Len) {
    Expected<Object> Obj = readObject(bytes(M.substr(0, Len)));
    // Cutting at a section boundary leaves a valid, shorter module; every
    // other cut must be reported.
    if (Obj) {
      bool AtBoundary = Len == 8;
      for (const Section &S : Obj->Sections)
        AtBoundary |= S.End == Len;
      EXPECT_TRUE(AtBoundary) << "accepted a module cut at " << Len;
    } else {
      consumeError(Obj.takeError());
    }
  }
}

} // namespace

namespace {

class ReaderFileTest : public ScratchDirTest {};

// Issue 17 §3: writeObject() on an Object read from a file descriptor
// (which holds only what it decoded) read through a null pointer (exit
// 139). It is an error now, with nothing written; layoutObject() works.
TEST_F(ReaderFileTest, WriteObjectOfADescriptorObjectIsAnError) {
  std::string M = preamble() +
                  custom("dylink.0", memInfo() +
                                         subsection(2, strVec({"libb.so"}))) +
                  body();
  std::string P = path("m.so");
  writeFile(P, M);
  int FD = ::open(P.c_str(), O_RDONLY);
  ASSERT_GE(FD, 0);
  Expected<Object> Obj = readObject(FD, M.size());
  ::close(FD);
  ASSERT_TRUE(succeeded(Obj));
  for (bool Edited : {false, true}) {
    if (Edited) {
      ASSERT_TRUE(succeeded(addNeeded(*Obj, {"libc.so"})));
    }
    std::string Out;
    raw_string_ostream OS(Out);
    Error E = writeObject(*Obj, OS);
    EXPECT_EQ(errorToErrorCode(std::move(E)),
              make_error_code(errc::invalid_argument));
    EXPECT_TRUE(Out.empty());
    EXPECT_FALSE(layoutObject(*Obj).empty());
  }
}

class ShrinkingInputTest : public ScratchDirTest {};

// a file that is shorter than when it was opened (another process
// truncated it) is an error of the reader, not a SIGBUS.
TEST_F(ShrinkingInputTest, TruncatedDuringParseIsAnError) {
  std::string M = preamble() + custom("dylink.0", memInfo()) + body() +
                  custom("big", std::string(1 << 20, 'x'));
  std::string P = path("m.so");
  writeFile(P, M);
  int FD = ::open(P.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(FD, 0);
  ASSERT_EQ(::truncate(P.c_str(), 100), 0);
  Expected<Object> Obj = readObject(FD, M.size());
  ::close(FD);
  ASSERT_FALSE(bool(Obj));
  EXPECT_NE(toString(Obj.takeError()).find("shrank"), std::string::npos);
}

// The pread reader and the in-memory one agree.
TEST_F(ShrinkingInputTest, FileReaderMatchesMemoryReader) {
  std::string M = preamble() +
                  custom("dylink.0", memInfo() + subsection(2, strVec({"a"}))) +
                  body() + custom("rpath.0", strVec({"/p"})) +
                  custom("big", std::string(200000, 'x'));
  std::string P = path("m.so");
  writeFile(P, M);
  int FD = ::open(P.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(FD, 0);
  Expected<Object> FromFile = readObject(FD, M.size());
  ::close(FD);
  Expected<Object> FromMemory = readObject(bytes(M));
  ASSERT_TRUE(succeeded(FromFile));
  ASSERT_TRUE(succeeded(FromMemory));
  ASSERT_EQ(FromFile->Sections.size(), FromMemory->Sections.size());
  for (size_t I = 0; I < FromFile->Sections.size(); ++I) {
    EXPECT_EQ(FromFile->Sections[I].Name, FromMemory->Sections[I].Name);
    EXPECT_EQ(FromFile->Sections[I].End, FromMemory->Sections[I].End);
  }
  EXPECT_EQ(FromFile->Dylink->Needed, FromMemory->Dylink->Needed);
  EXPECT_EQ(FromFile->RPathSection, FromMemory->RPathSection);
}

} // namespace

