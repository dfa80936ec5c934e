// Parses a side module with the reader compiled as with an LLVM built with
// ABI-breaking checks (LLVM_ENABLE_ABI_BREAKING_CHECKS=1), under which an
// llvm::Expected that is used without being checked aborts the process.
// Used by test/reliability/abi-checks.test.
#include "wasm-rpath/Reader.h"
#include <cstdio>
#include <cstdlib>
#include <string>
using namespace wasmrpath;
int main() {
  // dylink.0 with a MEM_INFO subsection.
  std::string M("\0asm\1\0\0\0", 8);
  std::string Payload = std::string("\x08") + "dylink.0" + std::string("\x01\x04\x10\x02\x00\x00", 6);
  M += std::string(1, '\0') + std::string(1, char(Payload.size())) + Payload;
  auto Obj = readObject(llvm::ArrayRef(reinterpret_cast<const uint8_t *>(M.data()), M.size()));
  if (!Obj) { llvm::consumeError(Obj.takeError()); std::puts("error"); return 1; }
  std::puts("parsed");
  return 0;
}
// Only defined by an LLVM built with ABI-breaking checks.
void llvm::Error::fatalUncheckedError() const {
  std::fputs("fatal: unchecked llvm::Error\n", stderr);
  std::abort();
}
