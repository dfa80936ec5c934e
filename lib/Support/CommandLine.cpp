//===- CommandLine.cpp - What every tool does with its command line -------===//
//
// Response files are read here rather than by cl::ExpansionContext, whose
// reading stops at a NUL byte without a word and reads a device such as
// /dev/zero until memory runs out.
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/CommandLine.h"
#include "wasm-rpath/Error.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Errno.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace llvm;

namespace wasmrpath {

namespace {

constexpr unsigned MaxNesting = 64;

Error responseFileError(StringRef Name, const Twine &Problem,
                        std::error_code EC = make_error_code(
                            errc::invalid_argument)) {
  return createStringError(EC, "response file '" + Name + "' " + Problem);
}

/// Reads \p Name whole, refusing NUL bytes and more than
/// MaxResponseFileSize bytes as it goes.
Expected<std::string> readResponseFile(StringRef Name) {
  int FD = sys::RetryAfterSignal(-1, ::open, Name.str().c_str(),
                                 O_RDONLY | O_CLOEXEC);
  if (FD < 0)
    return responseFileError(Name, "cannot be read: " + sys::StrError(errno),
                             std::error_code(errno, std::generic_category()));
  std::string Text;
  char Buf[64 * 1024];
  Error E = Error::success();
  for (;;) {
    char *Into = Buf;
    ssize_t N = sys::RetryAfterSignal(-1, ::read, FD, Into, sizeof(Buf));
    if (N < 0) {
      E = responseFileError(Name, "cannot be read: " + sys::StrError(errno),
                            std::error_code(errno, std::generic_category()));
      break;
    }
    if (N == 0)
      break;
    if (std::memchr(Buf, '\0', N)) {
      E = responseFileError(Name, "contains a NUL byte");
      break;
    }
    if (Text.size() + N > MaxResponseFileSize) {
      E = responseFileError(Name,
                            "is larger than " +
                                Twine(MaxResponseFileSize >> 20) + " MiB",
                            make_error_code(errc::limit_exceeded));
      break;
    }
    Text.append(Buf, N);
  }
  ::close(FD);
  if (E)
    return E;
  return Text;
}

Error expand(SmallVectorImpl<const char *> &Args, StringSaver &Saver,
             cl::TokenizerCallback Tokenizer,
             SmallVectorImpl<sys::fs::UniqueID> &Open) {
  SmallVector<const char *, 0> Out;
  for (const char *Arg : Args) {
    StringRef Name(Arg);
    if (!Name.consume_front("@") || Name.empty()) {
      Out.push_back(Arg);
      continue;
    }
    sys::fs::file_status Status;
    std::error_code EC = sys::fs::status(Name, Status);
    if (EC == std::errc::no_such_file_or_directory) {
      // Not a response file: the tool sees the argument itself.
      Out.push_back(Arg);
      continue;
    }
    if (EC)
      return responseFileError(Name, "cannot be read: " + EC.message(), EC);
    if (Status.type() == sys::fs::file_type::directory_file)
      return responseFileError(Name, "is a directory",
                               std::make_error_code(std::errc::is_a_directory));
    sys::fs::UniqueID ID = Status.getUniqueID();
    if (is_contained(Open, ID))
      return responseFileError(Name, "includes itself");
    if (Open.size() == MaxNesting)
      return responseFileError(
          Name, "is nested more than " + Twine(MaxNesting) + " deep",
          make_error_code(errc::limit_exceeded));
    Expected<std::string> Text = readResponseFile(Name);
    if (!Text)
      return Text.takeError();
    SmallVector<const char *, 16> Inner;
    Tokenizer(*Text, Saver, Inner, /*MarkEOLs=*/false);
    Open.push_back(ID);
    Error E = expand(Inner, Saver, Tokenizer, Open);
    Open.pop_back();
    if (E)
      return E;
    Out.append(Inner.begin(), Inner.end());
  }
  Args.assign(Out.begin(), Out.end());
  return Error::success();
}

} // namespace

Error expandResponseFiles(SmallVectorImpl<const char *> &Args,
                          StringSaver &Saver,
                          cl::TokenizerCallback Tokenizer) {
  SmallVector<sys::fs::UniqueID, 4> Open;
  return expand(Args, Saver, Tokenizer, Open);
}

bool flushStandardOutput(StringRef ToolName) {
  raw_fd_ostream &OS = outs();
  OS.flush();
  if (!OS.has_error())
    return true;
  WithColor::error(errs(), ToolName)
      << "cannot write standard output: " << OS.error().message() << "\n";
  OS.clear_error();
  return false;
}

} // namespace wasmrpath
