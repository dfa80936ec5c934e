# WasmRPath.cmake - run-time paths for Emscripten side modules, set the way
# CMake sets them for ELF shared libraries, with wasm-set-rpath.
#
# Included by WasmRPathConfig.cmake (find_package(WasmRPath)); it runs the
# imported executable WasmRPath::wasm-set-rpath. It only defines functions, so
# the install scripts it writes can include it again in script mode.
#
#   wasm_rpath_apply(<target>... [DESTINATION <dir>] [COMPONENT <component>])
#
#     Honours the standard target properties. After <target> links
#     (POST_BUILD), the module in the build tree gets BUILD_RPATH, or
#     INSTALL_RPATH if BUILD_WITH_INSTALL_RPATH is set; nothing is done there
#     if SKIP_BUILD_RPATH is set (initialised from CMAKE_SKIP_BUILD_RPATH).
#     With DESTINATION (the one given to install(TARGETS) for the module,
#     relative to the install prefix or absolute), `cmake --install` (with
#     DESTDIR and --prefix honoured) gives the installed file INSTALL_RPATH, or
#     none if CMAKE_SKIP_INSTALL_RPATH is set, as CMake does for ELF. Call it
#     after that install(TARGETS), in the same directory, with the same
#     COMPONENT. Without DESTINATION, only the build tree is handled.
#     CMAKE_SKIP_RPATH (when the function is called) makes it a no-op. The
#     directories of linked libraries are not added (CMake does that for ELF
#     build trees, and for INSTALL_RPATH_USE_LINK_PATH); list them yourself.
#
#     The properties are read when the build system is generated, so they may
#     be set before or after the call, and may hold generator expressions.
#     Each list element is one entry, passed verbatim (`$ORIGIN/../lib` stays
#     as written; write `\${ORIGIN}` in CMake code for that spelling); empty
#     elements are dropped; an entry cannot end in a backslash (CMake would
#     read `\;` as part of the entry); an empty property removes the path.
#
#   wasm_rpath_set(<target> RPATH [<entry>...])
#
#     After <target> links (POST_BUILD), set the module's run-time path to
#     exactly these entries (none: remove it). Build tree only.
#
# Both work with any generator; they need CMake 3.16.

if(CMAKE_VERSION VERSION_LESS 3.16)
  message(FATAL_ERROR "WasmRPath.cmake needs CMake 3.16 or later (this is ${CMAKE_VERSION})")
endif()

# The install scripts include this file again, by its path.
set_property(GLOBAL PROPERTY WASM_RPATH_MODULE_FILE "${CMAKE_CURRENT_LIST_FILE}")

# The real (non-alias) target behind <target>, checked to be something that
# links a module.
function(_wasm_rpath_check_target out target caller)
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "${caller}: '${target}' is not a target")
  endif()
  get_target_property(aliased "${target}" ALIASED_TARGET)
  if(aliased)
    set(target "${aliased}")
  endif()
  get_target_property(imported "${target}" IMPORTED)
  get_target_property(type "${target}" TYPE)
  if(imported OR NOT type MATCHES "^(SHARED_LIBRARY|MODULE_LIBRARY|EXECUTABLE)$")
    message(FATAL_ERROR "${caller}: '${target}' is not a module built here "
      "(a SHARED or MODULE library, or an executable linked as a side module)")
  endif()
  set(${out} "${target}" PARENT_SCOPE)
endfunction()

# The command that runs wasm-set-rpath: its path as a generator expression.
# When the tool is built in the same project (not imported), the module's
# target also depends on it.
function(_wasm_rpath_tool out target)
  if(NOT TARGET WasmRPath::wasm-set-rpath)
    message(FATAL_ERROR "WasmRPath::wasm-set-rpath is not defined: "
      "use find_package(WasmRPath) rather than including WasmRPath.cmake alone")
  endif()
  get_target_property(tool WasmRPath::wasm-set-rpath ALIASED_TARGET)
  if(tool)
    add_dependencies("${target}" "${tool}")
  endif()
  set(${out} "$<TARGET_FILE:WasmRPath::wasm-set-rpath>" PARENT_SCOPE)
endfunction()

function(wasm_rpath_set target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "RPATH")
  if(arg_UNPARSED_ARGUMENTS OR NOT "RPATH" IN_LIST ARGN)
    message(FATAL_ERROR "usage: wasm_rpath_set(<target> RPATH [<entry>...])")
  endif()
  _wasm_rpath_check_target(target "${target}" wasm_rpath_set)
  _wasm_rpath_tool(tool "${target}")
  set(args)
  foreach(entry IN LISTS arg_RPATH)
    if(NOT entry STREQUAL "")
      list(APPEND args "--rpath-entry=${entry}")
    endif()
  endforeach()
  if(NOT args)
    set(args --remove-rpath)
  endif()
  add_custom_command(TARGET "${target}" POST_BUILD
    COMMAND "${tool}" ${args} "$<TARGET_FILE:${target}>"
    VERBATIM)
endfunction()

function(wasm_rpath_apply)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "DESTINATION;COMPONENT" "")
  if(NOT arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "usage: wasm_rpath_apply(<target>... "
      "[DESTINATION <dir>] [COMPONENT <component>])")
  endif()
  if(CMAKE_SKIP_RPATH)
    return()
  endif()
  if(NOT arg_COMPONENT)
    set(arg_COMPONENT "${CMAKE_INSTALL_DEFAULT_COMPONENT_NAME}")
    if(NOT arg_COMPONENT)
      set(arg_COMPONENT Unspecified)
    endif()
  endif()
  get_property(module GLOBAL PROPERTY WASM_RPATH_MODULE_FILE)

  foreach(target IN LISTS arg_UNPARSED_ARGUMENTS)
    _wasm_rpath_check_target(target "${target}" wasm_rpath_apply)
    _wasm_rpath_tool(tool "${target}")
    set(prop "$<TARGET_PROPERTY:${target},")
    set(with_install "$<BOOL:${prop}BUILD_WITH_INSTALL_RPATH>>")
    if(CMAKE_SKIP_INSTALL_RPATH)
      set(install_entries "")
    else()
      set(install_entries "${prop}INSTALL_RPATH>")
    endif()

    # Build tree. The entries become one `--rpath-entry=E` argument each
    # (COMMAND_EXPAND_LISTS); VERBATIM quotes them for the shell and the
    # generator, so `$ORIGIN` reaches the tool as written.
    set(entries "$<IF:${with_install},${install_entries},${prop}BUILD_RPATH>>")
    set(entries "$<FILTER:${entries},EXCLUDE,^$>")
    set(args "$<IF:$<STREQUAL:${entries},>,--remove-rpath,--rpath-entry=$<JOIN:${entries},;--rpath-entry=>>")
    # As for ELF, BUILD_WITH_INSTALL_RPATH wins over SKIP_BUILD_RPATH.
    set(skip "$<AND:$<NOT:${with_install}>,$<BOOL:${prop}SKIP_BUILD_RPATH>>>")
    add_custom_command(TARGET "${target}" POST_BUILD
      COMMAND "$<IF:${skip},${CMAKE_COMMAND};-E;true,${tool};${args};$<TARGET_FILE:${target}>>"
      COMMAND_EXPAND_LISTS
      VERBATIM)

    # Install tree: the install script calls _wasm_rpath_install_fixup on the
    # installed file. Bracket arguments keep `$ORIGIN` and `${ORIGIN}` literal.
    if(DEFINED arg_DESTINATION)
      install(CODE "include([==[${module}]==])
_wasm_rpath_install_fixup(
  TOOL [==[${tool}]==]
  SOURCE [==[$<TARGET_FILE:${target}>]==]
  DESTINATION [==[${arg_DESTINATION}]==]
  FILE_NAME [==[$<TARGET_FILE_NAME:${target}>]==]
  RPATH [==[${install_entries}]==])"
        COMPONENT "${arg_COMPONENT}")
    endif()
  endforeach()
endfunction()

# Runs at install time (cmake --install / make install), in script mode.
# CMAKE_INSTALL_PREFIX is the one of the install run (--prefix).
function(_wasm_rpath_install_fixup)
  # Not PARSE_ARGV: the RPATH bracket argument is a ;-list to be split, and
  # its empty elements dropped.
  cmake_parse_arguments(arg "" "TOOL;SOURCE;DESTINATION;FILE_NAME" "RPATH" ${ARGN})
  if(IS_ABSOLUTE "${arg_DESTINATION}")
    set(file "$ENV{DESTDIR}${arg_DESTINATION}/${arg_FILE_NAME}")
  else()
    set(file "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${arg_DESTINATION}/${arg_FILE_NAME}")
  endif()
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "wasm_rpath_apply: '${file}' was not installed: call "
      "wasm_rpath_apply() after the install(TARGETS) that installs it, in the "
      "same directory, with the same DESTINATION and COMPONENT")
  endif()
  set(args)
  foreach(entry IN LISTS arg_RPATH)
    list(APPEND args "--rpath-entry=${entry}")
  endforeach()
  if(NOT args)
    set(args --remove-rpath)
  endif()
  if(NOT CMAKE_INSTALL_MESSAGE MATCHES "^(NEVER|LAZY)$")
    if(arg_RPATH)
      string(REPLACE ";" ":" shown "${arg_RPATH}")
      message(STATUS "Set runtime path of \"${file}\" to \"${shown}\"")
    else()
      message(STATUS "Removed runtime path from \"${file}\"")
    endif()
  endif()
  execute_process(COMMAND "${arg_TOOL}" ${args} "${file}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "wasm_rpath_apply: wasm-set-rpath failed on '${file}'")
  endif()
  # As CMake does after changing an ELF run-time path at install: give the
  # installed file the time of the built one again, so that the next install
  # finds it up to date instead of copying it again.
  if(CMAKE_HOST_UNIX)
    execute_process(COMMAND touch -r "${arg_SOURCE}" "${file}" RESULT_VARIABLE rc)
  endif()
endfunction()
