//===- Error.cpp - Error codes of the wasm-rpath library ------------------===//
//
// The error category behind wasmrpath::errc (see Error.h).
//
//===----------------------------------------------------------------------===//

#include "wasm-rpath/Error.h"
#include <string>

using namespace llvm;

namespace wasmrpath {

namespace {

class WasmRPathCategory : public std::error_category {
public:
  const char *name() const noexcept override { return "wasm-rpath"; }
  std::string message(int Code) const override {
    switch (static_cast<errc>(Code)) {
    case errc::malformed:
      return "malformed input";
    case errc::not_shared_library:
      return "not a shared library";
    case errc::invalid_argument:
      return "invalid argument";
    case errc::unsupported:
      return "not supported by the format";
    case errc::input_changed:
      return "input changed while being read";
    case errc::not_found:
      return "not found";
    case errc::limit_exceeded:
      return "over a limit of the library";
    case errc::unsupported_file_kind:
      return "not a regular file";
    case errc::cannot_replace:
      return "the destination cannot be replaced";
    }
    return "unknown wasm-rpath error";
  }
};

} // namespace

const std::error_category &wasmRPathCategory() {
  static WasmRPathCategory Category;
  return Category;
}

Error makeNotSharedLibraryError() {
  return makeError(errc::not_shared_library,
                   "not a shared library: no dylink.0 section");
}

} // namespace wasmrpath
