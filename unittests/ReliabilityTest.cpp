//===- ReliabilityTest.cpp - Hostile input, failures, concurrent writers --===//
//
// The library-level half of docs/reliability.md (the lit tests in
// test/reliability/ run the tools): allocation bounded by the input for
// hostile counts, escaping of strings from modules, stale temporary files
// of killed writers, the input changing under a writer, and in-place
// writes.
//
//===----------------------------------------------------------------------===//

#include "IO/OutputFile.h"
#include "ModuleBuilder.h"
#include "Object/Writer.h"
#include "ScratchDir.h"
#include "wasm-rpath/Display.h"
#include "wasm-rpath/FileIO.h"
#include "wasm-rpath/RPathEdit.h"
#include "wasm-rpath/Reader.h"
#include "gtest/gtest.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <atomic>
#include <cstdlib>
#include <fcntl.h>
#include <new>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace llvm;
using namespace wasmrpath;
using namespace wasmrpath::testing;

// Counts the bytes that operator new hands out while Counting is set, so
// that a test can bound what a parse allocates. Replacing the global
// operators affects the whole test binary; outside a measurement they only
// forward to malloc/free.
static std::atomic<bool> Counting{false};
static std::atomic<size_t> AllocatedBytes{0};

void *operator new(size_t Size) {
  if (Counting)
    AllocatedBytes += Size;
  if (void *P = std::malloc(Size ? Size : 1))
    return P;
  std::abort(); // Built without exceptions: nothing to throw.
}
void *operator new[](size_t Size) { return operator new(Size); }
void operator delete(void *P) noexcept { std::free(P); }
void operator delete[](void *P) noexcept { std::free(P); }
void operator delete(void *P, size_t) noexcept { std::free(P); }
void operator delete[](void *P, size_t) noexcept { std::free(P); }

namespace {

/// Bytes allocated by \p F.
template <typename Fn> size_t allocatedBy(Fn F) {
  AllocatedBytes = 0;
  Counting = true;
  F();
  Counting = false;
  return AllocatedBytes;
}

//===----------------------------------------------------------------------===//
// Hostile sizes
//===----------------------------------------------------------------------===//

// A count of 2^32-1 followed by a megabyte of zero bytes: every zero reads
// as an empty name, so a reader that decodes as it goes builds a million
// strings (tens of MB) before it meets the end. It must fail having
// allocated next to nothing. (This is the shape of a sparse file's hole.)
TEST(HostileSizeTest, CountOverZerosFailsWithoutAllocating) {
  std::string Zeros(1 << 20, '\0');
  for (StringRef Where : {"rpath.0", "needed"}) {
    std::string M =
        Where == "rpath.0"
            ? preamble() + custom("dylink.0", memInfo()) +
                  custom("rpath.0", uleb(0xFFFFFFFF) + Zeros)
            : preamble() +
                  custom("dylink.0",
                         memInfo() + subsection(2, uleb(0xFFFFFFFF) + Zeros));
    std::string Message;
    size_t Bytes = allocatedBy([&] {
      Expected<Object> Obj = readObject(bytes(M));
      Message = Obj ? "" : toString(Obj.takeError());
    });
    EXPECT_NE(Message.find("truncated"), std::string::npos) << Where.str();
    EXPECT_LT(Bytes, 64u * 1024) << Where.str();
  }
}

// Lengths and section sizes that claim gigabytes in a tiny file fail at
// once, without reserving anything for them.
TEST(HostileSizeTest, HugeLengthsFailWithoutAllocating) {
  std::vector<std::string> Modules = {
      // A name of 4 GiB - 1 bytes, with 3 present.
      preamble() +
          custom("dylink.0",
                 memInfo() + subsection(2, uleb(1) + uleb(0xFFFFFFFF) + "abc")),
      // A section of 4 GiB - 1 bytes.
      preamble() + "\x00" + uleb(0xFFFFFFFF) + "\x08" + "dylink.0",
      // A subsection of 4 GiB - 1 bytes.
      preamble() + custom("dylink.0", "\x02" + uleb(0xFFFFFFFF) + "\x01"),
  };
  for (const std::string &M : Modules) {
    bool Failed = false;
    size_t Bytes = allocatedBy([&] {
      Expected<Object> Obj = readObject(bytes(M));
      Failed = !Obj;
      if (!Obj)
        consumeError(Obj.takeError());
    });
    EXPECT_TRUE(Failed);
    EXPECT_LT(Bytes, 4096u);
  }
}

// Thousands of entries are fine: set, written, read back, in order.
TEST(HostileSizeTest, ThousandsOfEntries) {
  std::vector<std::string> Entries, Names;
  for (int I = 0; I < 5000; ++I) {
    Entries.push_back("/opt/lib" + std::to_string(I));
    Names.push_back("lib" + std::to_string(I) + ".so");
  }
  std::string M = preamble() + custom("dylink.0", memInfo());
  Expected<Object> Obj = readObject(bytes(M));
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(setRPath(*Obj, Entries, RPathPlace::Both)));
  ASSERT_TRUE(succeeded(addNeeded(*Obj, Names)));
  std::string Out;
  raw_string_ostream OS(Out);
  cantFail(writeObject(*Obj, OS));
  Expected<Object> Again = readObject(bytes(Out));
  ASSERT_TRUE(succeeded(Again));
  EXPECT_EQ(*Again->Dylink->RuntimePath, Entries);
  EXPECT_EQ(*Again->RPathSection, Entries);
  EXPECT_EQ(Again->Dylink->Needed, Names);
}

//===----------------------------------------------------------------------===//
// Escaping
//===----------------------------------------------------------------------===//

TEST(DisplayTest, EscapesWhatCouldDriveATerminal) {
  // Plain strings, non-ASCII UTF-8 and backslashes are kept.
  EXPECT_EQ(escapeForDisplay("libb.so"), "libb.so");
  EXPECT_EQ(escapeForDisplay("$ORIGIN/../lib"), "$ORIGIN/../lib");
  EXPECT_EQ(escapeForDisplay("/home/jos\xC3\xA9/\xE6\x97\xA5"),
            "/home/jos\xC3\xA9/\xE6\x97\xA5");
  EXPECT_EQ(escapeForDisplay("C:\\lib"), "C:\\lib");
  // C0 controls, DEL, NUL.
  EXPECT_EQ(escapeForDisplay("lib\x1b[31mred.so"), "lib\\x1B[31mred.so");
  EXPECT_EQ(escapeForDisplay("a\nb\r\tc"), "a\\x0Ab\\x0D\\x09c");
  EXPECT_EQ(escapeForDisplay(StringRef("x\0y\x7f", 4)), "x\\x00y\\x7F");
  // C1 controls (U+009B is CSI), bidirectional overrides (U+202E, U+2066).
  EXPECT_EQ(escapeForDisplay("a\xC2\x9B"
                             "31m"),
            "a\\xC2\\x9B31m");
  EXPECT_EQ(escapeForDisplay("lib\xE2\x80\xAEos.so"),
            "lib\\xE2\\x80\\xAEos.so");
  EXPECT_EQ(escapeForDisplay("\xE2\x81\xA6x"), "\\xE2\\x81\\xA6x");
  // Malformed UTF-8 a byte at a time; what follows is decoded again.
  EXPECT_EQ(escapeForDisplay("\xff\xC3\xA9"), "\\xFF\xC3\xA9");
  EXPECT_EQ(escapeForDisplay("\xC3"), "\\xC3");
  EXPECT_EQ(escapeForDisplay("\xED\xA0\x80"), "\\xED\\xA0\\x80"); // Surrogate.
  EXPECT_EQ(escapeForDisplay("\xC0\xAF"), "\\xC0\\xAF");          // Over-long.
}

TEST(DisplayTest, OutputIsOneLineOfPrintableBytes) {
  std::string All;
  for (int B = 0; B < 256; ++B)
    All += static_cast<char>(B);
  std::string Shown = escapeForDisplay(All);
  for (unsigned char C : Shown)
    EXPECT_TRUE(C >= 0x20 && C != 0x7F) << int(C);
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

class ReliabilityFileTest : public ScratchDirTest {
protected:
  ino_t inode(StringRef Path) {
    struct stat St;
    EXPECT_EQ(::stat(Path.str().c_str(), &St), 0);
    return St.st_ino;
  }
  /// Sets the run-time path of the module at \p File to \p Entry.
  Error edit(StringRef File, StringRef Entry,
             WriteMode Mode = WriteMode::Replace) {
    return editModuleFile(
        File,
        [&](Object &Obj) {
          return setRPath(Obj, {Entry.str()}, RPathPlace::Dylink);
        },
        "", Mode);
  }

  std::string module() {
    return preamble() + custom("dylink.0", memInfo()) + body();
  }
  std::string edited(StringRef Entry) {
    return preamble() +
           custom("dylink.0",
                  memInfo() + subsection(5, strVec({Entry.str()}))) +
           body();
  }
};

// A temporary left by a killed writer (no lock) is removed by the next
// write to the same destination; one that a live writer holds locked,
// temporaries of other destinations and other names are left alone.
TEST_F(ReliabilityFileTest, StaleTemporariesAreRemovedLockedOnesKept) {
  std::string File = path("m.so");
  writeFile(File, module());
  writeFile(path(".m.so.wasm-rpath-0a1b2c.tmp"), "stale");
  writeFile(path(".m.so.wasm-rpath-ffffff.tmp"), "live");
  writeFile(path(".other.so.wasm-rpath-0a1b2c.tmp"), "another file's");
  writeFile(path(".m.so.wasm-rpath-0a1b2.tmp"), "not our pattern");
  writeFile(path(".m.so.wasm-rpath-0a1b2x.tmp"), "not our pattern");
  int Live = ::open(path(".m.so.wasm-rpath-ffffff.tmp").c_str(), O_RDONLY);
  ASSERT_GE(Live, 0);
  ASSERT_EQ(::flock(Live, LOCK_EX), 0);

  ASSERT_TRUE(succeeded(edit(File, "/x")));
  EXPECT_EQ(readFile(File), edited("/x"));
  EXPECT_EQ(listDir(),
            (std::vector<std::string>{
                ".m.so.wasm-rpath-0a1b2.tmp", ".m.so.wasm-rpath-0a1b2x.tmp",
                ".m.so.wasm-rpath-ffffff.tmp",
                ".other.so.wasm-rpath-0a1b2c.tmp", "m.so"}));
  // Once its writer is gone, the next run removes it: a process reads a
  // directory for temporaries once (see FileIO.cpp), so this is checked
  // across processes, in test/reliability/kill.test.
  ::close(Live);
}

// The input is modified in place (as `cp new old` does) after it was read
// and before the output is renamed: the output would mix two versions, so
// nothing is written and the other writer's file stays.
TEST_F(ReliabilityFileTest, InputChangedWhileEditingIsNotOverwritten) {
  std::string File = path("m.so");
  writeFile(File, module());
  for (WriteMode Mode : {WriteMode::Replace, WriteMode::InPlace}) {
    auto In = InputFile::open(File);
    ASSERT_TRUE(succeeded(In));
    Expected<Object> Obj = readObject((*In)->data());
    ASSERT_TRUE(succeeded(Obj));
    ASSERT_TRUE(succeeded(setRPath(*Obj, {"/x"}, RPathPlace::Dylink)));
    // Another process rewrites the file in place: same size, new content,
    // a modification time that differs from the one read.
    std::string Other = module();
    Other.back() ^= 1;
    writeFile(File, Other);
    struct timespec Times[2] = {{0, UTIME_OMIT}, {12345, 678}};
    ASSERT_EQ(::utimensat(AT_FDCWD, File.c_str(), Times, 0), 0);

    Error E = Mode == WriteMode::Replace
                  ? writeOutputFile(**In, layoutObject(*Obj), File)
                  : writeOutputFileInPlace(**In, layoutObject(*Obj), File);
    ASSERT_TRUE(bool(E));
    EXPECT_NE(toString(std::move(E)).find("changed while being read"),
              std::string::npos);
    EXPECT_EQ(readFile(File), Other);
    EXPECT_EQ(listDir(), std::vector<std::string>{"m.so"});
    writeFile(File, module());
  }
}

// Replacing the file by rename while a writer works is not a change of the
// input (the writer edits the version it opened): the last writer wins,
// with a whole file.
TEST_F(ReliabilityFileTest, InputReplacedByRenameLastWriterWins) {
  std::string File = path("m.so");
  writeFile(File, module());
  auto In = InputFile::open(File);
  ASSERT_TRUE(succeeded(In));
  Expected<Object> Obj = readObject((*In)->data());
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(setRPath(*Obj, {"/x"}, RPathPlace::Dylink)));
  writeFile(path("new.so"), edited("/other"));
  ASSERT_FALSE(sys::fs::rename(path("new.so"), File));
  ASSERT_TRUE(succeeded(writeOutputFile(**In, layoutObject(*Obj), File)));
  EXPECT_EQ(readFile(File), edited("/x"));
}

// The default write gives the path a new inode: another hard link keeps the
// old content. An in-place write keeps the inode, so every link sees the
// edit, and leaves no file behind.
TEST_F(ReliabilityFileTest, HardLinksReplaceVersusInPlace) {
  std::string File = path("m.so"), Link = path("link.so");
  writeFile(File, module());
  ASSERT_FALSE(sys::fs::create_hard_link(File, Link));
  ino_t Old = inode(File);

  ASSERT_TRUE(succeeded(edit(File, "/x")));
  EXPECT_NE(inode(File), Old);
  EXPECT_EQ(readFile(File), edited("/x"));
  EXPECT_EQ(readFile(Link), module());

  ASSERT_FALSE(sys::fs::remove(File));
  ASSERT_FALSE(sys::fs::create_hard_link(Link, File));
  ASSERT_EQ(::chmod(File.c_str(), 0604), 0);
  ASSERT_TRUE(succeeded(edit(File, "/in-place", WriteMode::InPlace)));
  EXPECT_EQ(inode(File), Old);
  EXPECT_EQ(readFile(File), edited("/in-place"));
  EXPECT_EQ(readFile(Link), edited("/in-place"));
  struct stat St;
  ASSERT_EQ(::stat(File.c_str(), &St), 0);
  EXPECT_EQ(St.st_mode & 07777, 0604u);
  EXPECT_EQ(St.st_nlink, 2u);
  EXPECT_EQ(listDir(), (std::vector<std::string>{"link.so", "m.so"}));

  // Shorter than before: the tail is cut off.
  ASSERT_TRUE(succeeded(edit(File, "/", WriteMode::InPlace)));
  EXPECT_EQ(readFile(Link), edited("/"));
}

// An in-place write to a file it cannot open for writing fails before
// doing anything; the file is untouched.
TEST_F(ReliabilityFileTest, InPlaceFailsEarlyOnUnwritableDestination) {
  std::string File = path("m.so");
  writeFile(File, module());
  auto In = InputFile::open(File);
  ASSERT_TRUE(succeeded(In));
  Expected<Object> Obj = readObject((*In)->data());
  ASSERT_TRUE(succeeded(Obj));
  ASSERT_TRUE(succeeded(setRPath(*Obj, {"/x"}, RPathPlace::Dylink)));
  Error E = writeOutputFileInPlace(**In, layoutObject(*Obj), path("dir"));
  EXPECT_TRUE(bool(E));
  consumeError(std::move(E));
  ASSERT_FALSE(sys::fs::create_directory(path("dir")));
  E = writeOutputFileInPlace(**In, layoutObject(*Obj), path("dir"));
  EXPECT_TRUE(bool(E));
  consumeError(std::move(E));
  EXPECT_EQ(readFile(File), module());
}

} // namespace
