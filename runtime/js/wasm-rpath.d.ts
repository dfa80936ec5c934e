// Type declarations for wasm-rpath.mjs (the package's only module). Kept
// next to it by hand; test/install/npm-package.test checks that every export
// of the module is declared here and that a TypeScript-free consumer can
// import the packed package.

/** What readDylink() finds in a side module. */
export interface DylinkInfo {
  /** The NEEDED library names, in order. */
  needed: string[];
  /** RUNTIME_PATH of dylink.0 (what loaders read), or null when absent. */
  runtimePath: string[] | null;
  /** The entries of the rpath.0 custom section, or null when absent. */
  rpath0: string[] | null;
}

/** A module as bytes, or compiled (read through WebAssembly.Module.customSections()). */
export type ModuleOrBytes = WebAssembly.Module | ArrayBuffer | ArrayBufferView;

export type LoaderName = "pyodide" | "emscripten" | "wasmer";

/**
 * One loader's rules, field for field wasm-ldd's LoaderRules
 * (include/wasm-rpath/Resolve.h; `wasm-ldd --print-loader-rules`).
 */
export interface LoaderRules {
  readonly name: LoaderName;
  /** How a leading "$ORIGIN" is replaced: as text, or joined as a path. */
  readonly origin: "js-replace" | "path-join";
  readonly expandBracedOrigin: boolean;
  /** Entries are joined and split again at these characters ("" for none). */
  readonly splitChars: string;
  /** Candidates of this many UTF-8 bytes or more are skipped (0: no limit). */
  readonly maxCandidateLength: number;
  readonly walksDotDot: boolean;
  readonly loadsRelativePaths: boolean;
  readonly defaultDirs: readonly string[];
  readonly retryFrom: string;
  readonly retryTo: string;
  readonly defaultCwd: string;
  readonly defaultLibraryPath: readonly string[];
  readonly sitePackages: string;
}


/**
 * Reads a side module's dynamic-linking metadata from its bytes.
 * @throws Error (message starting "wasm-rpath:") on malformed input or a
 *   module without dylink.0
 */
export function readDylink(bytes: ArrayBuffer | ArrayBufferView): DylinkInfo;

/** The NEEDED library names of a side module, in order. */
export function readNeeded(moduleOrBytes: ModuleOrBytes): string[];

/**
 * The run-time path as written ("$ORIGIN" unexpanded): "dylink" is
 * RUNTIME_PATH, "rpath.0" the custom section, "both" (default) RUNTIME_PATH
 * if present, else rpath.0. null if the chosen place(s) hold no path.
 */
export function readRunPath(
  moduleOrBytes: ModuleOrBytes,
  options?: { section?: "both" | "dylink" | "rpath.0" },
): string[] | null;

/** Lexically normalizes an absolute loader path ("//", ".", ".."). */
export function normalizePath(path: string): string;

/** The loader names resolveNeeded() and resolveTree() accept. */
export const loaderNames: readonly LoaderName[];

/** Every loader's rules, by name: the data the resolver follows. */
export const loaderRules: Readonly<Record<LoaderName, LoaderRules>>;

/** The directories a module searches, with the entry each came from. */
export function expandRunPath(
  runPath: string[],
  modulePath: string,
  loader?: LoaderName,
): { dir: string; entry: string }[];

/** How one NEEDED name resolves. */
export interface Resolution {
  /** Loader path of the library found (normalized), or null if not found. */
  path: string | null;
  via: "path" | "library_path" | "runtime_path" | "default" | "not_found";
  /**
   * The search entry that matched, as written; null for "path" and
   * "not_found", except where the search stopped at a relative entry.
   */
  entry: string | null;
  /** Candidate paths looked at, in order, absolute and normalized. */
  tried: string[];
  /** Why a candidate that exists was not used. */
  reason?: string;
}

export interface ResolveOptions {
  /** Loader path of the module that needs the name (absolute). */
  modulePath: string;
  /** That module's own run-time path (not inherited). */
  runPath?: string[];
  /** LD_LIBRARY_PATH: a list, or a ':'-separated string (default: the loader's). */
  libraryPath?: string[] | string;
  loader?: LoaderName;
  /** Whether a normalized absolute loader path names a file. */
  exists: (path: string) => boolean;
  /** Whether a loader path names a directory (Emscripten walks ".."). */
  isDirectory?: (path: string) => boolean;
  /** The loader's working directory ("/home/pyodide" for Emscripten, "/" for wasmer). */
  cwd?: string;
}

/** Resolves one NEEDED name the way a loader will. */
export function resolveNeeded(name: string, options: ResolveOptions): Resolution;

export interface ResolveTreeOptions {
  /** The bytes of the file at a loader path, or null if there is none. */
  readFile: (path: string) => ArrayBuffer | ArrayBufferView | null;
  exists?: (path: string) => boolean;
  isDirectory?: (path: string) => boolean;
  libraryPath?: string[] | string;
  loader?: LoaderName;
  cwd?: string;
  /** Which run-time path a module is taken to have (default "dylink"). */
  section?: "dylink" | "rpath.0";
}

/**
 * Resolves a module's whole dependency tree: for every module reached (root
 * first), its NEEDED names mapped to the loader path found, or null.
 */
export function resolveTree(
  rootPath: string,
  options: ResolveTreeOptions,
): Record<string, Record<string, string | null>>;
