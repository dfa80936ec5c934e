# llvm-config.cmake - the one place that locates LLVM for wasm-rpath.
#
# Honours LLVM_DIR when the caller sets it; otherwise asks Debian's
# llvm-config-19 where LLVM 19's CMake package lives. LLVM 19.1 is required
# because the tools use its Option, Support and BinaryFormat libraries.

if(NOT LLVM_DIR)
  find_program(WASM_RPATH_LLVM_CONFIG
    NAMES llvm-config-19
    PATHS /usr/lib/llvm-19/bin
    NO_DEFAULT_PATH)
  find_program(WASM_RPATH_LLVM_CONFIG NAMES llvm-config-19)
  if(WASM_RPATH_LLVM_CONFIG)
    execute_process(COMMAND "${WASM_RPATH_LLVM_CONFIG}" --cmakedir
      OUTPUT_VARIABLE _wasm_rpath_llvm_cmakedir
      OUTPUT_STRIP_TRAILING_WHITESPACE)
    set(LLVM_DIR "${_wasm_rpath_llvm_cmakedir}" CACHE PATH "LLVM CMake package directory")
  endif()
endif()

# "19.1" rather than "19": LLVM's version file requires major.minor to match.
find_package(LLVM 19.1 REQUIRED CONFIG)
message(STATUS "wasm-rpath: using LLVM ${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}")

list(APPEND CMAKE_MODULE_PATH "${LLVM_CMAKE_DIR}")
include(AddLLVM)
include(TableGen)

separate_arguments(_wasm_rpath_llvm_defs NATIVE_COMMAND "${LLVM_DEFINITIONS}")
add_definitions(${_wasm_rpath_llvm_defs})
include_directories(SYSTEM ${LLVM_INCLUDE_DIRS})

# Tools for tests: LLVM's own FileCheck, not, lit and friends.
set(WASM_RPATH_LLVM_TOOLS_DIR "${LLVM_TOOLS_BINARY_DIR}")
find_program(WASM_RPATH_LIT lit.py
  PATHS "${LLVM_BUILD_MAIN_SRC_DIR}/utils/lit" /usr/lib/llvm-19/build/utils/lit
  NO_DEFAULT_PATH)
