// Options of wasm-auditwheel, after auditwheel and `pyodide auditwheel`.

include "llvm/Option/OptParser.td"

multiclass Value<string name, string meta, string help> {
  def NAME : Separate<["--"], name>, MetaVarName<meta>, HelpText<help>;
  def NAME # _eq : Joined<["--"], name # "=">, Alias<!cast<Separate>(NAME)>;
}

defm libdir : Value<"libdir", "<dir>",
  "Look for libraries the wheel lacks in <dir>, <dir>/lib, "
  "<dir>/lib/wasm32-emscripten/pic and <dir>/lib/wasm32-emscripten, as "
  "pyodide-build does (repeatable, searched in order; default: "
  "$WASM_LIBRARY_DIR)">;
def : JoinedOrSeparate<["-"], "L">, Alias<libdir>, MetaVarName<"<dir>">,
  HelpText<"Alias for --libdir">;
defm wheel_dir : Value<"wheel-dir", "<dir>",
  "repair: write repaired wheels to <dir> (default: wheelhouse)">;
def : JoinedOrSeparate<["-"], "w">, Alias<wheel_dir>, MetaVarName<"<dir>">,
  HelpText<"Alias for --wheel-dir">;
defm output_dir : Value<"output-dir", "<dir>",
  "Alias for --wheel-dir (pyodide auditwheel's spelling)">;
defm lib_sdir : Value<"lib-sdir", "<suffix>",
  "Vendored libraries go to <dist><suffix>/ at the wheel's root (default: "
  ".libs)">;
defm exclude : Value<"exclude", "<pattern>",
  "Never vendor libraries whose name matches the glob <pattern>, nor follow "
  "their dependencies (repeatable)">;
defm no_mangle : Value<"no-mangle", "<pattern>",
  "Vendor libraries whose name matches the glob <pattern> under their own "
  "name instead of <base>-<hash>.<ext> (repeatable)">;
def no_mangle_all : Flag<["--"], "no-mangle-all">,
  HelpText<"Vendor every library under its own name (it may then be shadowed "
           "by a library of that name in /usr/lib or site-packages)">;
defm rpath_section : Value<"rpath-section", "<place>",
  "Where run-time paths are written: 'dylink' (RUNTIME_PATH), 'rpath.0' or "
  "'both' (default)">;
defm zip_compression_level : Value<"zip-compression-level", "<level>",
  "Deflate level 0-9 for members that change or are added (default 6); "
  "other members keep their stored bytes">;
def : JoinedOrSeparate<["-"], "z">, Alias<zip_compression_level>,
  MetaVarName<"<level>">, HelpText<"Alias for --zip-compression-level">;
defm main_module : Value<"main-module", "<file>",
  "The runtime's main module (pyodide.asm.wasm): warn when a vendored "
  "library exports a symbol it exports too">;
defm record_check : Value<"record-check", "<what>",
  "repair: how members are checked against RECORD before the output "
  "replaces anything: 'structural' (default; also 'changed': every member "
  "listed with its size, and the side modules, which repair reads and may "
  "rewrite, hashed) or 'full' (every member hashed)">;
def strip : Flag<["--"], "strip">,
  HelpText<"repair: strip every side module written, as wasm-set-rpath "
           "--strip-all does (debug info, name, producers go; dylink.0, "
           "RUNTIME_PATH and rpath.0 stay), rewriting modules that need no "
           "other change too">;
defm keep_section : Value<"keep-section", "<name>",
  "With --strip: keep the custom section <name> (repeatable)">;
def json : Flag<["--"], "json">,
  HelpText<"Print the analysis (show) or what was done (repair) as JSON">;
def help : Flag<["--", "-"], "help">, HelpText<"Display this help">;
def : Flag<["-"], "h">, Alias<help>, HelpText<"Alias for --help">;
def version : Flag<["--"], "version">, HelpText<"Display the version">;
defm plat : Value<"plat", "<platform>",
  "auditwheel's option, ignored with a warning: a Pyodide wheel keeps the "
  "platform tag of the ABI it was built for">;
def only_plat : Flag<["--"], "only-plat">,
  HelpText<"auditwheel's option, ignored with a warning (see --plat)">;
