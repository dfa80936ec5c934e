// Options of wasm-ld-rpath.
//
// The wrapper forwards everything to the real wasm-ld, so this table is not
// a list of what it accepts. It has two parts:
//
//  * the options the wrapper acts on: its own (--wasm-rpath-*, which never
//    reach the linker), the rpath flags of wasm-ld 21 and the output file;
//  * every wasm-ld option that can take its value as the next argument,
//    copied from lld/wasm/Options.td with the same prefixes and kinds, so
//    that a value such as the one in `-mllvm -opt-bisect-limit=1` is skipped
//    exactly as wasm-ld skips it instead of being read as `-o pt-bisect...`.
//
// Anything else is one argument the wrapper does not look into.

include "llvm/Option/OptParser.td"

// wasm-ld's multiclasses: the value separate or after '=', with one or two
// dashes (Eq) or with two only (EEq).
multiclass Eq<string name> {
  def NAME : Separate<["--", "-"], name>;
  def NAME # _eq : Joined<["--", "-"], name # "=">,
    Alias<!cast<Separate>(NAME)>;
}
multiclass EEq<string name> {
  def NAME : Separate<["--"], name>;
  def NAME # _eq : Joined<["--"], name # "=">, Alias<!cast<Separate>(NAME)>;
}
// The wrapper's own options, two dashes only, as in the help text.
multiclass WrapperEq<string name, string meta, string help> {
  def NAME : Separate<["--"], name>, MetaVarName<meta>, HelpText<help>;
  def NAME # _eq : Joined<["--"], name # "=">, Alias<!cast<Separate>(NAME)>;
}

//===----------------------------------------------------------------------===//
// The wrapper's own options. They are removed before the linker runs.
//===----------------------------------------------------------------------===//

defm wasm_rpath_linker : WrapperEq<"wasm-rpath-linker", "<path>",
  "The real wasm-ld (default: $WASM_RPATH_LINKER, else the next program "
  "with the wrapper's name on PATH)">;
defm wasm_rpath_section : WrapperEq<"wasm-rpath-section", "<place>",
  "Where the run-time path goes: 'dylink' (RUNTIME_PATH), 'rpath.0' or "
  "'both' (default: $WASM_RPATH_SECTION, else both)">;
defm wasm_rpath : WrapperEq<"wasm-rpath", "<dir>",
  "Same as -rpath <dir>, in a spelling that compiler drivers which drop "
  "-rpath (emcc < 4.0.5) pass through">;
def wasm_rpath_help : Flag<["--"], "wasm-rpath-help">,
  HelpText<"Display this help, whatever the wrapper's name">;

// wasm-ld's own --help and --version. Run under a linker's name (wasm-ld,
// wasm-ld-<N>) the wrapper passes them on, since a build system that asks
// the linker wants the linker's answer; run as wasm-ld-rpath it answers
// itself.
def help : Flag<["--", "-"], "help">,
  HelpText<"Display this help (when run as wasm-ld or wasm-ld-<N>: the "
           "linker's help)">;
def version : Flag<["--", "-"], "version">,
  HelpText<"Display the version of the wrapper and the linker it runs (when "
           "run as wasm-ld or wasm-ld-<N>: the linker's version)">;

//===----------------------------------------------------------------------===//
// Options of wasm-ld that the wrapper acts on.
//===----------------------------------------------------------------------===//

// wasm-ld >= 21; defm rpath: Eq<"rpath", ...> in lld.
defm rpath : Eq<"rpath">;
def o : JoinedOrSeparate<["-"], "o">;
// Not a wasm-ld option today (it is lld's ELF spelling); read so that the
// output is found if a linker accepts it.
defm output : EEq<"output">;
// Selects the tokenizer for @file, as in wasm-ld.
defm rsp_quoting : Eq<"rsp-quoting">;

//===----------------------------------------------------------------------===//
// Other options of wasm-ld that may take a separate value (skipped).
//===----------------------------------------------------------------------===//

def entry : Separate<["--", "-"], "entry">;
def : JoinedOrSeparate<["-"], "e">, Alias<entry>;
defm error_limit : EEq<"error-limit">;
def library : JoinedOrSeparate<["-"], "l">;
def : Separate<["--", "-"], "library">, Alias<library>;
def library_path : JoinedOrSeparate<["-"], "L">;
def : Separate<["--", "-"], "library-path">, Alias<library_path>;
def m : JoinedOrSeparate<["-"], "m">;
defm mllvm : Eq<"mllvm">;
defm Map : Eq<"Map">;
def O : JoinedOrSeparate<["-"], "O">;
defm reproduce : EEq<"reproduce">;
defm threads : Eq<"threads">;
defm trace_symbol : Eq<"trace-symbol">;
def : JoinedOrSeparate<["-"], "y">, Alias<trace_symbol>;
defm undefined : Eq<"undefined">;
def : JoinedOrSeparate<["-"], "u">, Alias<undefined>;
defm unresolved_symbols : Eq<"unresolved-symbols">;
defm wrap : Eq<"wrap">;
def z : JoinedOrSeparate<["-"], "z">;
def allow_undefined_file_s : Separate<["-"], "allow-undefined-file">;
defm export : Eq<"export">;
defm export_if_defined : Eq<"export-if-defined">;
defm keep_section : Eq<"keep-section">;
defm soname : Eq<"soname">;
defm thinlto_cache_policy : EEq<"thinlto-cache-policy">;
