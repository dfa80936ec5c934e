// Options of wasm-ldd, after ldd/lddtree.

include "llvm/Option/OptParser.td"

multiclass Value<string name, string meta, string help> {
  def NAME : Separate<["--"], name>, MetaVarName<meta>, HelpText<help>;
  def NAME # _eq : Joined<["--"], name # "=">, Alias<!cast<Separate>(NAME)>;
}

defm root : Value<"root", "<dir>",
  "The loader's file system root (a sysroot, an unpacked wheel, a "
  "site-packages tree); inputs and absolute paths are looked up under it. "
  "Default: /">;
def : Separate<["-"], "R">, Alias<root>, HelpText<"Alias for --root">;
def no_auto_root : Flag<["--"], "no-auto-root">,
  HelpText<"Take inputs as host paths only (by default an input that is not "
           "under --root is taken inside it, as lddtree does)">;
defm library_path : Value<"library-path", "<dirs>",
  "LD_LIBRARY_PATH of the loader: ':'-separated loader directories, searched "
  "first (repeatable; replaces the loader's default, which for pyodide is "
  "/usr/lib:/lib/python3.14/site-packages)">;
defm library_path_entry : Value<"library-path-entry", "<dir>",
  "One LD_LIBRARY_PATH entry, taken verbatim (repeatable; in order with "
  "--library-path)">;
defm loader : Value<"loader", "<name>",
  "Whose rules to follow: pyodide (default: Emscripten 5.0.3 in Pyodide "
  "314.0.7's environment), emscripten (bare: empty LD_LIBRARY_PATH) or "
  "wasmer">;
defm rpath_section : Value<"rpath-section", "<place>",
  "Which run-time path a module has: 'dylink' (RUNTIME_PATH, what loaders "
  "read; default) or 'rpath.0'">;
defm cwd : Value<"cwd", "<dir>",
  "The loader's working directory, for relative names and entries (default: "
  "/home/pyodide for pyodide and emscripten; / for wasmer)">;
defm main_module : Value<"main-module", "<file>",
  "The main module (e.g. pyodide.asm.wasm), a host path: its exports are "
  "bound first, and --check reports side-module symbols it shadows and "
  "imports nothing provides">;
defm main_glue : Value<"main-glue", "<file>",
  "The main module's JS glue (default: the .mjs or .js beside it): the "
  "functions it provides resolve">;
defm preload : Value<"preload", "[<name>=]<file>",
  "A library the program loads at start-up by name, as Emscripten's "
  "Module.dynamicLibraries: registered under <name> (default: the file's "
  "name), it satisfies a NEEDED name of that name that the search does not "
  "find (repeatable, in load order, after the main module's NEEDED)">;
defm allow_duplicate : Value<"allow-duplicate", "<glob>",
  "A symbol defined by several modules that is safe to share: not "
  "reported (repeatable)">;
def json : Flag<["--"], "json">,
  HelpText<"Print the prediction as JSON (docs/wasm-ldd.schema.json)">;
def check : Flag<["--"], "check">,
  HelpText<"Warn about hazards and exit non-zero if a library is not found "
           "or not usable, a module fails to load, binds to another "
           "module's data, or imports data nothing defines">;
def flat_list : Flag<["-"], "l">,
  HelpText<"Print a flat list of the files loaded (each once), not a tree">;
def show_all : Flag<["-"], "a">,
  HelpText<"Show repeated libraries with their dependencies, not just "
           "'[already listed]'">;
def help : Flag<["--", "-"], "help">, HelpText<"Display this help">;
def : Flag<["-"], "h">, Alias<help>, HelpText<"Alias for --help">;
def version : Flag<["--"], "version">, HelpText<"Display the version">;
def print_loader_rules : Flag<["--"], "print-loader-rules">, Flags<[HelpHidden]>,
  HelpText<"Print every loader's rules (LoaderRules) as JSON, for the test "
           "that holds runtime/js's rules to the same data">;
