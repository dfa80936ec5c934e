# The last install rule: writes <prefix>/share/wasm-rpath/installed-files,
# the SHA-256 and the prefix-relative path of every file this install wrote,
# which scripts/uninstall.sh (installed next to it) reads to remove exactly
# those files and only while they are unchanged. Not written when DESTDIR is
# set (packaging, cpack): the package manager removes what it installed.
install(PROGRAMS scripts/uninstall.sh DESTINATION ${CMAKE_INSTALL_DATADIR}/wasm-rpath)
set(_wasm_rpath_manifest_code [[
if("$ENV{DESTDIR}" STREQUAL "")
  set(_lines "")
  foreach(_f IN LISTS CMAKE_INSTALL_MANIFEST_FILES)
    if(EXISTS "${_f}" AND NOT IS_SYMLINK "${_f}" AND NOT IS_DIRECTORY "${_f}")
      file(RELATIVE_PATH _rel "${CMAKE_INSTALL_PREFIX}" "${_f}")
      file(SHA256 "${_f}" _hash)
      string(APPEND _lines "${_hash}  ${_rel}\n")
    endif()
  endforeach()
  file(WRITE "${CMAKE_INSTALL_PREFIX}/@CMAKE_INSTALL_DATADIR@/wasm-rpath/installed-files" "${_lines}")
  message(STATUS "Installed files listed in ${CMAKE_INSTALL_PREFIX}/@CMAKE_INSTALL_DATADIR@/wasm-rpath/installed-files (remove them with share/wasm-rpath/uninstall.sh)")
endif()
]])
string(CONFIGURE "${_wasm_rpath_manifest_code}" _wasm_rpath_manifest_code @ONLY)
install(CODE "${_wasm_rpath_manifest_code}")
