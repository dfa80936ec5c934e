// wasm-rpath.mjs: run-time search paths of WebAssembly side modules, for
// JavaScript loaders.
//
// A side module (an Emscripten/WASIX shared library, ".so") names the
// libraries it needs in the NEEDED subsection of its "dylink.0" custom
// section, and where to look for them in RUNTIME_PATH (subsection 5, the
// DT_RUNPATH analogue). wasm-rpath's tools can also write the same list to an
// "rpath.0" custom section, which a loader holding a WebAssembly.Module can
// read with WebAssembly.Module.customSections() without parsing dylink.0.
//
// This module reads both (strictly: malformed input throws an Error) and
// resolves NEEDED names the way real loaders do, so that a JavaScript loader
// can adopt the same rules and a tool can predict what a loader will load:
//
//  - "pyodide": Emscripten's rules in Pyodide 314.0.7's environment
//    (LD_LIBRARY_PATH /usr/lib:/lib/python3.14/site-packages);
//  - "emscripten": Emscripten 5.0.3's libdylink.js as shipped in Pyodide
//    314.0.7 (checked against it by test/wasm-ldd/conformance-pyodide.test);
//  - "wasmer": wasmer's WASIX linker (from its sources; not run here).
//
// The rules are wasm-ldd's (include/wasm-rpath/Resolve.h), as the same data
// (loaderRules, checked equal to LoaderRules) driving one resolver; both
// are tested against test/vectors/resolution.json. No dependencies; runs in
// browsers, node, deno and bun.

const DYLINK = "dylink.0";
const RPATH0 = "rpath.0";
const SUB_NEEDED = 2;
const SUB_RUNTIME_PATH = 5;


const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

function fail(msg) {
  throw new Error(`wasm-rpath: ${msg}`);
}

function toBytes(input, what) {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (typeof SharedArrayBuffer !== "undefined" && input instanceof SharedArrayBuffer) {
    return new Uint8Array(input);
  }
  if (ArrayBuffer.isView(input)) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }
  fail(`${what}: expected an ArrayBuffer or a typed array, got ${Object.prototype.toString.call(input)}`);
}

function isModule(x) {
  return typeof WebAssembly !== "undefined" && x instanceof WebAssembly.Module;
}

/** A bounds-checked cursor over bytes[pos, end). */
class Reader {
  constructor(bytes, pos, end, what) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
    this.what = what;
  }

  atEnd() {
    return this.pos >= this.end;
  }

  byte() {
    if (this.pos >= this.end) fail(`${this.what}: unexpected end at offset ${this.pos}`);
    return this.bytes[this.pos++];
  }

  /** varuint32: at most 5 bytes, value below 2^32. */
  u32() {
    const start = this.pos;
    let result = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) fail(`${this.what}: truncated LEB128 at offset ${start}`);
      const b = this.bytes[this.pos++];
      if (i === 4 && (b & 0xf0) !== 0) {
        fail(`${this.what}: LEB128 at offset ${start} is too long or exceeds 32 bits`);
      }
      result += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return result;
    }
    /* unreachable: the fifth byte either ends the number or fails above */
    fail(`${this.what}: LEB128 at offset ${start} is too long`);
  }

  /** A length (varuint32) that must fit in what is left. */
  length(kind) {
    const at = this.pos;
    const n = this.u32();
    if (n > this.end - this.pos) {
      fail(`${this.what}: ${kind} of ${n} bytes at offset ${at} runs past the end (${this.end - this.pos} left)`);
    }
    return n;
  }

  string(kind) {
    const n = this.length(kind);
    const start = this.pos;
    this.pos += n;
    try {
      return utf8.decode(this.bytes.subarray(start, start + n));
    } catch {
      fail(`${this.what}: ${kind} at offset ${start} is not valid UTF-8`);
    }
  }

  /** count:varuint32, then count strings. */
  stringList(kind) {
    const at = this.pos;
    const count = this.u32();
    // Each string takes at least one byte: reject absurd counts early.
    if (count > this.end - this.pos) {
      fail(`${this.what}: ${count} ${kind} entries at offset ${at} cannot fit`);
    }
    const out = [];
    for (let i = 0; i < count; i++) out.push(this.string(kind));
    return out;
  }
}

/**
 * Parses the payload of a dylink.0 section (the bytes after its name).
 * @param {Uint8Array} payload
 * @returns {{needed: string[], runtimePath: (string[]|null)}}
 */
function parseDylinkPayload(payload) {
  const r = new Reader(payload, 0, payload.length, DYLINK);
  let needed = null;
  let runtimePath = null;
  while (!r.atEnd()) {
    // One byte, as Emscripten's loader reads it (getU8); lld and Binaryen
    // write a LEB128, the same byte below 128.
    const type = r.byte();
    const size = r.length("subsection");
    const sub = new Reader(payload, r.pos, r.pos + size, `${DYLINK} subsection ${type}`);
    r.pos += size;
    if (type === SUB_NEEDED || type === SUB_RUNTIME_PATH) {
      const name = type === SUB_NEEDED ? "NEEDED" : "RUNTIME_PATH";
      if ((type === SUB_NEEDED ? needed : runtimePath) !== null) fail(`${DYLINK}: duplicate ${name} subsection`);
      const list = sub.stringList(name);
      if (!sub.atEnd()) fail(`${DYLINK}: ${name} subsection has ${sub.end - sub.pos} trailing bytes`);
      if (type === SUB_NEEDED) needed = list;
      else runtimePath = list;
    }
    // Other subsections (MEM_INFO, EXPORT_INFO, IMPORT_INFO, unknown) are skipped.
  }
  return { needed: needed ?? [], runtimePath };
}

/** Parses the payload of an rpath.0 section: count, then strings, exactly. */
function parseRpath0Payload(payload) {
  const r = new Reader(payload, 0, payload.length, RPATH0);
  const list = r.stringList("entry");
  if (!r.atEnd()) fail(`${RPATH0}: ${r.end - r.pos} trailing bytes`);
  return list;
}

/**
 * Walks the sections of a module file; returns the payloads of dylink.0
 * (which must be the first section) and rpath.0.
 */
function scanModule(bytes) {
  if (bytes.length < 8) fail("not a WebAssembly module: file too short");
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    fail("not a WebAssembly module: bad magic number");
  }
  const version = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  if (version !== 1) {
    fail(`unsupported WebAssembly version 0x${(version >>> 0).toString(16)} (a component, or not a core module)`);
  }
  const r = new Reader(bytes, 8, bytes.length, "module");
  let dylink = null;
  let rpath0 = null;
  let first = true;
  while (!r.atEnd()) {
    const id = r.byte();
    const size = r.length("section");
    const end = r.pos + size;
    if (id === 0) {
      const s = new Reader(bytes, r.pos, end, "custom section");
      const name = s.string("section name");
      const payload = bytes.subarray(s.pos, end);
      if (name === DYLINK) {
        if (dylink !== null) fail(`duplicate ${DYLINK} section`);
        if (!first) fail(`${DYLINK} is not the first section (loaders require it first)`);
        dylink = payload;
      } else if (name === RPATH0) {
        if (rpath0 !== null) fail(`duplicate ${RPATH0} section`);
        rpath0 = payload;
      }
    } else if (id > 13) {
      fail(`unknown section id ${id} at offset ${r.pos - 1}`);
    }
    r.pos = end;
    first = false;
  }
  if (dylink === null) fail(`not a shared library: no ${DYLINK} section`);
  return { dylink, rpath0 };
}

function customSection(module, name) {
  const found = WebAssembly.Module.customSections(module, name);
  if (found.length > 1) fail(`duplicate ${name} section`);
  return found.length ? new Uint8Array(found[0]) : null;
}

/**
 * Reads a side module's dynamic-linking metadata from its bytes.
 *
 * @param {ArrayBuffer|ArrayBufferView} bytes the whole module file
 * @returns {{needed: string[], runtimePath: (string[]|null), rpath0: (string[]|null)}}
 *   the NEEDED names; RUNTIME_PATH of dylink.0 and the rpath.0 section's
 *   entries, each null when absent
 * @throws {Error} if the bytes are not a core WebAssembly module whose first
 *   section is dylink.0, or any LEB128, length, string or subsection is
 *   malformed
 */
export function readDylink(bytes) {
  const b = toBytes(bytes, "readDylink");
  const { dylink, rpath0 } = scanModule(b);
  const { needed, runtimePath } = parseDylinkPayload(dylink);
  return { needed, runtimePath, rpath0: rpath0 === null ? null : parseRpath0Payload(rpath0) };
}

function readFromModule(module) {
  const dylink = customSection(module, DYLINK);
  if (dylink === null) fail(`not a shared library: no ${DYLINK} section`);
  const { needed, runtimePath } = parseDylinkPayload(dylink);
  const rpath0 = customSection(module, RPATH0);
  return { needed, runtimePath, rpath0: rpath0 === null ? null : parseRpath0Payload(rpath0) };
}

/**
 * The NEEDED library names of a side module, in order.
 *
 * @param {WebAssembly.Module|ArrayBuffer|ArrayBufferView} moduleOrBytes a
 *   compiled module (read through WebAssembly.Module.customSections(m,
 *   "dylink.0")) or the module file's bytes
 * @returns {string[]}
 * @throws {Error} on a module without dylink.0 or malformed metadata
 */
export function readNeeded(moduleOrBytes) {
  if (isModule(moduleOrBytes)) return readFromModule(moduleOrBytes).needed;
  return readDylink(moduleOrBytes).needed;
}

/**
 * The run-time path of a side module: a list of directory entries, as
 * written (with "$ORIGIN" unexpanded).
 *
 * @param {WebAssembly.Module|ArrayBuffer|ArrayBufferView} moduleOrBytes a
 *   compiled module (its custom sections are read with
 *   WebAssembly.Module.customSections()) or the module file's bytes
 * @param {{section?: "both"|"dylink"|"rpath.0"}} [options] where to read:
 *   "dylink" is RUNTIME_PATH (what released loaders use); "rpath.0" the
 *   custom section; "both" (default) RUNTIME_PATH if present, else rpath.0
 *   (as `wasm-set-rpath --print-rpath`)
 * @returns {string[]|null} null if the chosen place(s) hold no path
 * @throws {Error} on a module without dylink.0 or malformed metadata
 */
export function readRunPath(moduleOrBytes, { section = "both" } = {}) {
  if (!["both", "dylink", "rpath.0"].includes(section)) fail(`unknown section choice '${section}'`);
  const d = isModule(moduleOrBytes) ? readFromModule(moduleOrBytes) : readDylink(moduleOrBytes);
  if (section === "dylink") return d.runtimePath;
  if (section === "rpath.0") return d.rpath0;
  return d.runtimePath ?? d.rpath0;
}

// ---------------------------------------------------------------------------
// Resolution

/**
 * Lexically normalizes an absolute loader path ("//", ".", ".."; ".." at the
 * root stays at the root).
 * @param {string} path
 * @returns {string}
 */
export function normalizePath(path) {
  const out = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

function dirname(path) {
  const n = normalizePath(path);
  const i = n.lastIndexOf("/");
  return i <= 0 ? "/" : n.slice(0, i);
}

function absolute(cwd, path) {
  return path.startsWith("/") ? path : `${cwd}/${path}`;
}

/**
 * Emscripten's file system resolves ".." by walking the tree: every
 * component before a ".." must be an existing directory. Returns the
 * normalized path, or null if the walk fails.
 */
function walk(path, isDirectory) {
  const parts = path.split("/");
  const out = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (isDirectory && !isDirectory("/" + out.join("/"))) return null;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return "/" + out.join("/");
}

function asList(libraryPath) {
  if (libraryPath == null) return [];
  if (typeof libraryPath === "string") return libraryPath.split(":").filter((d) => d !== "");
  return [...libraryPath];
}

/**
 * The loaders' rules as data, field for field the LoaderRules of
 * include/wasm-rpath/Resolve.h (test/wasm-ldd/js-runtime.test compares the
 * two with `wasm-ldd --print-loader-rules`), so that one generic resolver
 * below follows any of them, as wasm-ldd's does.
 *
 *  - origin: how a leading "$ORIGIN" becomes the module's directory:
 *    "js-replace" (as text, by String.replace: "$ORIGINAL" is "<dir>AL",
 *    and "$&", "$$", "$`", "$'" in the directory are patterns) or
 *    "path-join" ("<dir>/AL");
 *  - expandBracedOrigin: "${ORIGIN}" is expanded too;
 *  - splitChars: entries (and LD_LIBRARY_PATH) are joined and split again
 *    at these characters (Emscripten hands musl one string);
 *  - maxCandidateLength: "dir/name" of this many bytes or more is skipped
 *    (0: no limit);
 *  - walksDotDot: ".." is resolved by walking, so the directory before it
 *    must exist;
 *  - loadsRelativePaths: a relative name with '/' (or a candidate from a
 *    relative entry) can be loaded from the working directory; if not, a
 *    relative candidate that exists stops the search, unloadable;
 *  - defaultDirs: searched after the run-time path;
 *  - retryFrom/retryTo: a candidate ending in retryFrom that does not exist
 *    is retried at once with retryTo;
 *  - defaultCwd, defaultLibraryPath: the loader's environment;
 *  - sitePackages: where a wheel is installed ("" if no packages).
 */
const EMSCRIPTEN_RULES = Object.freeze({
  name: "emscripten",
  origin: "js-replace",
  expandBracedOrigin: false,
  splitChars: ":\n",
  // Emscripten builds each candidate in a 2*NAME_MAX+2 byte buffer.
  maxCandidateLength: 512,
  walksDotDot: true,
  loadsRelativePaths: false,
  defaultDirs: Object.freeze([]),
  retryFrom: "",
  retryTo: "",
  defaultCwd: "/home/pyodide",
  defaultLibraryPath: Object.freeze([]),
  sitePackages: "",
});

export const loaderRules = Object.freeze({
  // Pyodide 314.0.7: its Emscripten 5.0.3 in the environment it sets up.
  pyodide: Object.freeze({
    ...EMSCRIPTEN_RULES,
    name: "pyodide",
    defaultLibraryPath: Object.freeze(["/usr/lib", "/lib/python3.14/site-packages"]),
    sitePackages: "/lib/python3.14/site-packages",
  }),
  emscripten: EMSCRIPTEN_RULES,
  // wasmer's WASIX linker (lib/wasix/src/state/linker/locator.rs).
  wasmer: Object.freeze({
    name: "wasmer",
    origin: "path-join",
    expandBracedOrigin: true,
    splitChars: "",
    maxCandidateLength: 0,
    walksDotDot: false,
    loadsRelativePaths: true,
    defaultDirs: Object.freeze(["/lib", "/usr/lib", "/usr/local/lib"]),
    retryFrom: ".so",
    retryTo: ".wasm",
    defaultCwd: "/",
    defaultLibraryPath: Object.freeze([]),
    sitePackages: "",
  }),
});

/** The loader names resolveNeeded() and resolveTree() accept. */
export const loaderNames = Object.freeze(Object.keys(loaderRules));

function rulesFor(loader) {
  const rules = loaderRules[loader ?? "emscripten"];
  if (!rules) fail(`unknown loader '${loader}' (expected one of ${loaderNames.join(", ")})`);
  return rules;
}

function expandOrigin(entry, moduleDir, rules) {
  let token = null;
  if (entry.startsWith("$ORIGIN")) token = "$ORIGIN";
  else if (rules.expandBracedOrigin && entry.startsWith("${ORIGIN}")) token = "${ORIGIN}";
  if (token === null) return entry;
  // As libdylink.js: String.replace with a string, patterns and all.
  if (rules.origin === "js-replace") return entry.replace(token, moduleDir);
  const rest = entry.slice(token.length);
  if (rest === "") return moduleDir;
  return rest.startsWith("/") ? moduleDir + rest : `${moduleDir}/${rest}`;
}

/** The directories one (expanded) entry stands for, empty pieces dropped. */
function splitEntry(expanded, rules) {
  if (rules.splitChars === "") return expanded === "" ? [] : [expanded];
  const out = [];
  let piece = "";
  for (const c of expanded) {
    if (rules.splitChars.includes(c)) {
      if (piece !== "") out.push(piece);
      piece = "";
    } else {
      piece += c;
    }
  }
  if (piece !== "") out.push(piece);
  return out;
}

/**
 * The run-time path directories a module searches, with the entry each came
 * from: "$ORIGIN" expanded; for Emscripten, entries joined with ':' and split
 * again at ':' and '\n' (so an entry containing ':' acts as several), empty
 * pieces dropped.
 *
 * @param {string[]} runPath entries as written in the module
 * @param {string} modulePath loader path of the module
 * @param {string} [loader="emscripten"] a name of loaderNames
 * @returns {{dir: string, entry: string}[]}
 */
export function expandRunPath(runPath, modulePath, loader = "emscripten") {
  const rules = rulesFor(loader);
  const moduleDir = dirname(modulePath);
  const out = [];
  for (const entry of runPath ?? []) {
    for (const dir of splitEntry(expandOrigin(entry, moduleDir, rules), rules)) out.push({ dir, entry });
  }
  return out;
}

/**
 * @typedef {object} Resolution
 * @property {string|null} path loader path of the library found (normalized),
 *   or null if the loader will not find it
 * @property {"path"|"library_path"|"runtime_path"|"default"|"not_found"} via
 *   how: a NEEDED name with '/', LD_LIBRARY_PATH, the run-time path,
 *   wasmer's default directories
 * @property {string|null} entry the search entry that matched, as written
 *   (for the run-time path: before "$ORIGIN" expansion); null for "path"
 *   and "not_found", except where the search stopped at a relative entry
 * @property {string[]} tried candidate paths looked at, in order, absolute
 *   and normalized (as wasm-ldd's)
 * @property {string} [reason] why a candidate that exists was not used
 */

/**
 * Resolves one NEEDED name the way a loader will.
 *
 * @param {string} name the NEEDED name
 * @param {object} options
 * @param {string} options.modulePath loader path of the module that needs it
 *   (absolute; "$ORIGIN" is its directory)
 * @param {string[]} [options.runPath] that module's own run-time path
 *   (RUNTIME_PATH; not its parent's: run-time paths are not inherited)
 * @param {string[]|string} [options.libraryPath] LD_LIBRARY_PATH, a list of
 *   directories or a ':'-separated string; default: the loader's
 *   (pyodide: "/usr/lib:/lib/python3.14/site-packages", others: empty)
 * @param {string} [options.loader="emscripten"] "pyodide", "emscripten" or
 *   "wasmer" (loaderNames)
 * @param {(path: string) => boolean} options.exists whether a normalized
 *   absolute loader path names a file
 * @param {(path: string) => boolean} [options.isDirectory] whether a loader
 *   path names a directory; Emscripten resolves ".." by walking the tree,
 *   so with it a ".." after a missing directory fails, as in the loader;
 *   without it ".." is taken lexically
 * @param {string} [options.cwd] the loader's working directory, for
 *   relative entries and names (default: the loader's)
 * @returns {Resolution}
 */
export function resolveNeeded(name, options) {
  const { modulePath, runPath = [], libraryPath, loader = "emscripten", exists, isDirectory } = options ?? {};
  const rules = rulesFor(loader);
  if (typeof name !== "string" || name === "") fail("resolveNeeded: name must be a non-empty string");
  if (typeof modulePath !== "string" || !modulePath.startsWith("/")) {
    fail("resolveNeeded: modulePath must be an absolute loader path");
  }
  if (typeof exists !== "function") fail("resolveNeeded: exists(path) is required");
  const cwd = options.cwd ?? rules.defaultCwd;
  const tried = [];
  const notFound = (extra = {}) => ({ path: null, via: "not_found", entry: null, tried, ...extra });
  const resolve = (path) =>
    rules.walksDotDot && isDirectory ? walk(path, isDirectory) : normalizePath(path);
  // One candidate, and its retry (wasmer: x.so as x.wasm) if it is missing.
  const tryOne = (raw) => {
    const p = resolve(raw);
    if (p === null) return null;
    tried.push(p);
    return exists(p) ? p : null;
  };
  const tryCandidate = (raw) => {
    const p = tryOne(raw);
    if (p !== null || rules.retryFrom === "" || !raw.endsWith(rules.retryFrom)) return p;
    return tryOne(raw.slice(0, -rules.retryFrom.length) + rules.retryTo);
  };

  if (name.includes("/")) {
    if (!name.startsWith("/") && !rules.loadsRelativePaths) {
      return notFound({ reason: `${rules.name} does not load a relative path with '/'` });
    }
    const p = tryCandidate(absolute(cwd, name));
    return p !== null ? { path: p, via: "path", entry: null, tried } : notFound();
  }
  const libraryEntries = libraryPath == null ? rules.defaultLibraryPath : asList(libraryPath);
  const lists = [
    ["library_path", libraryEntries.flatMap((entry) => splitEntry(entry, rules).map((dir) => ({ dir, entry })))],
    ["runtime_path", expandRunPath(runPath, modulePath, rules.name)],
    ["default", rules.defaultDirs.map((dir) => ({ dir, entry: dir }))],
  ];
  for (const [via, dirs] of lists) {
    for (const { dir, entry } of dirs) {
      const candidate = `${dir}/${name}`;
      if (rules.maxCandidateLength && utf8Encoder.encode(candidate).length >= rules.maxCandidateLength) continue;
      const p = tryCandidate(absolute(cwd, candidate));
      if (p === null) continue;
      if (!candidate.startsWith("/") && !rules.loadsRelativePaths) {
        // Found relative to the working directory: Emscripten stops here
        // and then cannot load the relative path.
        return notFound({ entry, reason: `found as relative path '${candidate}', which ${rules.name} cannot load` });
      }
      return { path: p, via, entry, tried };
    }
  }
  return notFound();
}

/**
 * Resolves the whole dependency tree of a module, as a loader would load it:
 * depth-first in NEEDED order, each library once (by resolved path), cycles
 * allowed; unlike a loader it carries on past libraries that are not found.
 *
 * @param {string} rootPath loader path of the module loaded first
 * @param {object} options
 * @param {(path: string) => (ArrayBuffer|ArrayBufferView|null)} options.readFile
 *   the bytes of the file at a loader path, or null if there is none
 * @param {(path: string) => boolean} [options.exists] whether a file exists
 *   (default: readFile(path) !== null)
 * @param {(path: string) => boolean} [options.isDirectory] see resolveNeeded
 * @param {string[]|string} [options.libraryPath] LD_LIBRARY_PATH
 * @param {"emscripten"|"wasmer"} [options.loader="emscripten"]
 * @param {string} [options.cwd] see resolveNeeded
 * @param {"dylink"|"rpath.0"} [options.section="dylink"] which run-time path
 *   a module is taken to have: RUNTIME_PATH (what loaders read) or rpath.0
 * @returns {Object<string, Object<string, string|null>>} for every module
 *   reached (root first), its NEEDED names mapped to the loader path found or
 *   null. A path found that is not a side module (not wasm, no dylink.0)
 *   appears as a value but not as a key: a loader would fail on it.
 * @throws {Error} if the root cannot be read or is not a side module
 */
export function resolveTree(rootPath, options) {
  const { readFile, libraryPath, loader = "emscripten", isDirectory, cwd, section = "dylink" } = options ?? {};
  if (typeof readFile !== "function") fail("resolveTree: readFile(path) is required");
  if (section !== "dylink" && section !== "rpath.0") fail(`unknown section choice '${section}'`);
  rulesFor(loader);
  const existsCache = new Map();
  const exists = options.exists ?? ((p) => {
    if (!existsCache.has(p)) existsCache.set(p, readFile(p) != null);
    return existsCache.get(p);
  });
  const root = normalizePath(rootPath);
  const rootBytes = readFile(root);
  if (rootBytes == null) fail(`cannot read ${root}`);
  const result = {};
  const visited = new Set();
  const visit = (path, bytes) => {
    visited.add(path);
    let info;
    try {
      info = readDylink(bytes);
    } catch (e) {
      if (path === root) throw e;
      return; // found, but not loadable as a side module
    }
    const runPath = (section === "dylink" ? info.runtimePath : info.rpath0) ?? [];
    const deps = {};
    result[path] = deps;
    for (const name of info.needed) {
      const r = resolveNeeded(name, { modulePath: path, runPath, libraryPath, loader, exists, isDirectory, cwd });
      deps[name] = r.path;
      if (r.path !== null && !visited.has(r.path)) {
        const b = readFile(r.path);
        if (b == null) {
          visited.add(r.path); // vanished between the two calls: not a module
          continue;
        }
        visit(r.path, b);
      }
    }
  };
  visit(root, rootBytes);
  return result;
}
