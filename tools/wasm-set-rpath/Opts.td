// Options of wasm-set-rpath. The names and meanings follow patchelf, so that
// scripts written for ELF carry over.

include "llvm/Option/OptParser.td"

// An option that takes a value as the next argument or after '='.
multiclass Value<string name, string meta, string help> {
  def NAME : Separate<["--"], name>, MetaVarName<meta>, HelpText<help>;
  def NAME # _eq : Joined<["--"], name # "=">, Alias<!cast<Separate>(NAME)>;
}

def grp_rpath : OptionGroup<"rpath">, HelpText<"RUN-TIME PATH">;
def grp_needed : OptionGroup<"needed">, HelpText<"NEEDED LIBRARIES">;
def grp_general : OptionGroup<"general">, HelpText<"GENERAL">;

def print_rpath : Flag<["--"], "print-rpath">, Group<grp_rpath>,
  HelpText<"Print the run-time path, ':'-joined (empty line when none)">;
defm set_rpath : Value<"set-rpath", "<path>",
  "Replace the run-time path with the ':'-separated entries of <path>">,
  Group<grp_rpath>;
defm add_rpath : Value<"add-rpath", "<path>",
  "Append the ':'-separated entries of <path> not already present">,
  Group<grp_rpath>;
defm rpath_entry : Value<"rpath-entry", "<entry>",
  "One entry, taken verbatim (may contain ':'); with --add-rpath it is "
  "added, otherwise it sets the path. Repeatable">, Group<grp_rpath>;
def remove_rpath : Flag<["--"], "remove-rpath">, Group<grp_rpath>,
  HelpText<"Remove the run-time path">;
def shrink_rpath : Flag<["--"], "shrink-rpath">, Group<grp_rpath>,
  HelpText<"Keep only entries that are not absolute ($ORIGIN...) or that "
           "hold a NEEDED wasm library">;
defm allowed_rpath_prefixes : Value<"allowed-rpath-prefixes", "<prefixes>",
  "With --shrink-rpath, also drop absolute entries that start with none of "
  "the ':'-separated <prefixes>">, Group<grp_rpath>;
// patchelf's --force-rpath writes DT_RPATH instead of DT_RUNPATH. Build
// scripts (conda-build, Spack, wheel repair) pass it out of habit, so it is
// accepted; WebAssembly has one kind of run-time path, so it changes nothing.
def force_rpath : Flag<["--"], "force-rpath">, Group<grp_rpath>,
  HelpText<"Accepted for patchelf scripts; no effect: WebAssembly has one "
           "kind of run-time path (RUNTIME_PATH, searched like DT_RUNPATH)">;
defm rpath_section : Value<"rpath-section", "<place>",
  "Where the run-time path is read and written: 'dylink' (RUNTIME_PATH of "
  "dylink.0), 'rpath.0' (custom section) or 'both' (default)">,
  Group<grp_rpath>;

def print_needed : Flag<["--"], "print-needed">, Group<grp_needed>,
  HelpText<"Print the NEEDED libraries, one per line">;
defm add_needed : Value<"add-needed", "<name>",
  "Add a NEEDED library (repeatable)">, Group<grp_needed>;
defm remove_needed : Value<"remove-needed", "<name>",
  "Remove a NEEDED library (repeatable)">, Group<grp_needed>;
def replace_needed : MultiArg<["--"], "replace-needed", 2>,
  MetaVarName<"<old> <new>">, Group<grp_needed>,
  HelpText<"Rename a NEEDED library (repeatable)">;

def grp_strip : OptionGroup<"strip">, HelpText<"STRIPPING (dylink.0, RUNTIME_PATH and rpath.0 are always kept)">;
def strip_debug : Flag<["--"], "strip-debug">, Group<grp_strip>,
  HelpText<"Remove debug sections (.debug_*, external_debug_info, "
           "sourceMappingURL), as llvm-strip --strip-debug">;
def strip_all : Flag<["--"], "strip-all">, Group<grp_strip>,
  HelpText<"Remove debug sections and also name, producers, linking and "
           "reloc.*, as llvm-strip --strip-all">;
defm keep_section : Value<"keep-section", "<name>",
  "With --strip-debug or --strip-all, keep the custom section <name> "
  "(repeatable)">, Group<grp_strip>;

def json : Flag<["--"], "json">, Group<grp_general>,
  HelpText<"Print the run-time path of both places and the NEEDED list as "
           "JSON (an array with one object per input)">;
defm output : Value<"output", "<file>",
  "Write the result to <file> instead of editing the input in place">,
  Group<grp_general>;
def : Separate<["-"], "o">, Alias<output>, HelpText<"Alias for --output">,
  Group<grp_general>;
def in_place : Flag<["--"], "in-place">, Group<grp_general>,
  HelpText<"Overwrite each file in its existing inode, so that hard links "
           "share the edit; NOT atomic (a crash while it writes leaves a "
           "damaged file). Default: a new file renamed over the old one">;
defm jobs : Value<"jobs", "<n>",
  "Process the inputs with <n> threads (default 1; 0: one per hardware "
  "thread). Output and errors come in input order all the same">,
  Group<grp_general>;
def : JoinedOrSeparate<["-"], "j">, Alias<jobs>, MetaVarName<"<n>">,
  HelpText<"Alias for --jobs">, Group<grp_general>;
def debug : Flag<["--"], "debug">, Group<grp_general>,
  HelpText<"Report on stderr, per file, what the edit changes and whether "
           "the file is written (as patchelf --debug)">;
def help : Flag<["--", "-"], "help">, Group<grp_general>,
  HelpText<"Display this help">;
def : Flag<["-"], "h">, Alias<help>, HelpText<"Alias for --help">,
  Group<grp_general>;
def version : Flag<["--"], "version">, Group<grp_general>,
  HelpText<"Display the version">;
