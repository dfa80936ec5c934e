// Options of wasm-ldd, after ldd/lddtree.

include "llvm/Option/OptParser.td"

multiclass Value<string name, string meta, string help> {
  def NAME : Separate<["--"], name>, MetaVarName<meta>, HelpText<help>;
  def NAME # _eq : Joined<["--"], name # "=">, Alias<!cast<Separate>(NAME)>;
}

defm root : Value<"root", "<dir>",
  "The loader's file system root (an unpacked wheel, a site-packages tree); "
  "absolute paths are looked up under it. Default: /">;
defm library_path : Value<"library-path", "<dirs>",
  "LD_LIBRARY_PATH of the loader: ':'-separated loader directories, searched "
  "first (repeatable)">;
defm library_path_entry : Value<"library-path-entry", "<dir>",
  "One LD_LIBRARY_PATH entry, taken verbatim (repeatable; in order with "
  "--library-path)">;
defm loader : Value<"loader", "<name>",
  "Whose rules to follow: emscripten (default; Emscripten >= 4.0.8, Pyodide) "
  "or wasmer">;
defm rpath_section : Value<"rpath-section", "<place>",
  "Which run-time path a module has: 'dylink' (RUNTIME_PATH, what loaders "
  "read; default) or 'rpath.0'">;
defm cwd : Value<"cwd", "<dir>",
  "The loader's working directory, for relative names and entries (default: "
  "/home/pyodide for emscripten, as in Pyodide; / for wasmer)">;
def json : Flag<["--"], "json">,
  HelpText<"Print the resolution as JSON (an array with one object per input)">;
def check : Flag<["--"], "check">,
  HelpText<"Warn about portability hazards and exit non-zero if a library is "
           "not found or not usable">;
def help : Flag<["--", "-"], "help">, HelpText<"Display this help">;
def : Flag<["-"], "h">, Alias<help>, HelpText<"Alias for --help">;
def version : Flag<["--"], "version">, HelpText<"Display the version">;
