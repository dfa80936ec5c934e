// readDylink / readNeeded / readRunPath on well-formed and malformed input,
// and resolveNeeded's individual rules.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { readDylink, readNeeded, readRunPath, resolveNeeded, normalizePath, expandRunPath } from "../wasm-rpath.mjs";
import { HEADER, custom, leb, moduleOf, sideModule, str, strList, sub } from "./helpers.mjs";

const memInfo = sub(1, [0, 0, 0, 0]);
const rejects = (bytes, pattern) => assert.throws(() => readDylink(bytes), pattern);

test("reads NEEDED, RUNTIME_PATH and rpath.0", () => {
  const m = sideModule({ needed: ["liba.so", "/abs/libb.so"], runtimePath: ["$ORIGIN/../lib", "/x:y"], rpath0: ["$ORIGIN"] });
  assert.deepEqual(readDylink(m), { needed: ["liba.so", "/abs/libb.so"], runtimePath: ["$ORIGIN/../lib", "/x:y"], rpath0: ["$ORIGIN"] });
  assert.deepEqual(readNeeded(m), ["liba.so", "/abs/libb.so"]);
  assert.deepEqual(readRunPath(m), ["$ORIGIN/../lib", "/x:y"]);
  assert.deepEqual(readRunPath(m, { section: "rpath.0" }), ["$ORIGIN"]);
  assert.deepEqual(readRunPath(m, { section: "dylink" }), ["$ORIGIN/../lib", "/x:y"]);
});

test("absent parts are [] (NEEDED) and null (run-time paths)", () => {
  const m = sideModule();
  assert.deepEqual(readDylink(m), { needed: [], runtimePath: null, rpath0: null });
  assert.equal(readRunPath(m), null);
  const only0 = sideModule({ rpath0: ["/lib"] });
  assert.deepEqual(readRunPath(only0), ["/lib"], "both: falls back to rpath.0");
  assert.equal(readRunPath(only0, { section: "dylink" }), null);
});

test("accepts ArrayBuffer, typed-array views and Buffer", () => {
  const m = sideModule({ needed: ["x.so"] });
  const padded = new Uint8Array(m.length + 6);
  padded.set(m, 3);
  assert.deepEqual(readNeeded(m.buffer), ["x.so"]);
  assert.deepEqual(readNeeded(padded.subarray(3, 3 + m.length)), ["x.so"]);
  assert.deepEqual(readNeeded(new DataView(padded.buffer, 3, m.length)), ["x.so"]);
  assert.deepEqual(readNeeded(Buffer.from(m)), ["x.so"]);
  assert.throws(() => readNeeded("x.so"), /expected an ArrayBuffer/);
});

test("a WebAssembly.Module is read through customSections()", () => {
  const m = sideModule({ needed: ["liba.so"], runtimePath: ["$ORIGIN"], rpath0: ["/r0"] });
  const mod = new WebAssembly.Module(m);
  assert.deepEqual(readNeeded(mod), ["liba.so"]);
  assert.deepEqual(readRunPath(mod), ["$ORIGIN"]);
  assert.deepEqual(readRunPath(mod, { section: "rpath.0" }), ["/r0"]);
  assert.throws(() => readNeeded(new WebAssembly.Module(new Uint8Array(HEADER))), /no dylink\.0/);
});

test("padded LEBs (5 bytes, as llvm-objcopy writes) are accepted", () => {
  const needed = [...leb(1, 5), ...leb(3, 3), 0x61, 0x2e, 0x73];
  const payload = [...str("dylink.0"), ...memInfo, 2, ...leb(needed.length, 5), ...needed];
  const m = moduleOf([0, ...leb(payload.length, 5), ...payload]);
  assert.deepEqual(readNeeded(m), ["a.s"]);
});

test("unknown subsections and other custom sections are skipped", () => {
  const payload = [...memInfo, ...sub(9, [1, 2, 3]), ...sub(2, strList(["n.so"])), ...sub(200 & 0x7f, [])];
  const m = moduleOf(custom("dylink.0", payload), custom("name", [1, 2]), [1, 1, 0]);
  assert.deepEqual(readDylink(m), { needed: ["n.so"], runtimePath: null, rpath0: null });
});

test("rpath.0 after the code section (as wasm-opt moves it) is found", () => {
  const m = sideModule({ tail: [...[1, 1, 0], ...custom("rpath.0", strList(["$ORIGIN"]))] });
  assert.deepEqual(readRunPath(m), ["$ORIGIN"]);
});

test("rejects what is not a core module with dylink.0 first", () => {
  rejects(new Uint8Array([0, 0x61, 0x73]), /too short/);
  rejects(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 0, 0, 0]), /bad magic/);
  rejects(new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 0x01, 0]), /unsupported WebAssembly version/);
  rejects(moduleOf(), /no dylink\.0/);
  rejects(moduleOf([1, 1, 0], custom("dylink.0", memInfo)), /not the first section/);
  rejects(moduleOf(custom("dylink.0", memInfo), custom("dylink.0", memInfo)), /duplicate dylink\.0/);
  rejects(moduleOf(custom("dylink.0", memInfo), custom("rpath.0", strList([])), custom("rpath.0", strList([]))), /duplicate rpath\.0/);
  rejects(moduleOf(custom("dylink.0", memInfo), [14, 0]), /unknown section id 14/);
});

test("rejects malformed LEB128", () => {
  // Six bytes.
  rejects(moduleOf([0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), /too long/);
  // Five bytes but more than 32 bits.
  rejects(moduleOf([0, 0xff, 0xff, 0xff, 0xff, 0x1f]), /exceeds 32 bits|too long/);
  // Truncated at the end of the file.
  rejects(moduleOf([0, 0x80, 0x80]), /truncated LEB128/);
  // Truncated at the end of a subsection.
  rejects(moduleOf(custom("dylink.0", [...memInfo, 2, 1, 0x80])), /truncated LEB128/);
});

test("rejects sizes and counts that run past their container", () => {
  rejects(moduleOf([0, 100, ...str("dylink.0")]), /section of 100 bytes .* runs past the end/);
  rejects(moduleOf(custom("dylink.0", [...memInfo, 2, 50, 0])), /subsection of 50 bytes/);
  rejects(moduleOf(custom("dylink.0", [...memInfo, ...sub(2, [1, 9, 0x61])])), /NEEDED of 9 bytes/);
  rejects(moduleOf(custom("dylink.0", [...memInfo, ...sub(2, [...leb(0xffffffff), 0])])), /cannot fit/);
  rejects(moduleOf(custom("dylink.0", [...memInfo, ...sub(5, [2, ...str("a")])])), /truncated LEB128/);
  rejects(moduleOf([0, 3, 20, 0x64, 0x79]), /section name of 20 bytes/);
});

test("rejects trailing bytes, duplicates and bad UTF-8", () => {
  rejects(moduleOf(custom("dylink.0", [...memInfo, ...sub(2, [...strList(["a"]), 0])])), /NEEDED subsection has 1 trailing bytes/);
  rejects(moduleOf(custom("dylink.0", [...sub(5, strList(["a"])), ...sub(5, strList(["b"]))])), /duplicate RUNTIME_PATH/);
  rejects(moduleOf(custom("dylink.0", [...sub(2, strList(["a"])), ...sub(2, strList(["b"]))])), /duplicate NEEDED/);
  rejects(moduleOf(custom("dylink.0", [...memInfo, ...sub(2, [1, 2, 0xc3, 0x28])])), /not valid UTF-8/);
  rejects(moduleOf(custom("dylink.0", memInfo), custom("rpath.0", [...strList(["a"]), 7])), /rpath\.0: 1 trailing bytes/);
  assert.throws(() => readRunPath(sideModule(), { section: "both!" }), /unknown section choice/);
});

// Cross-check with real modules and wasm-set-rpath's own reader, when the lit
// test provides them: WASM_RPATH_JS_CROSSCHECK names a JSON file written by
// `wasm-set-rpath --json FILE...` (file paths absolute).
const crossCheck = process.env.WASM_RPATH_JS_CROSSCHECK;
test("agrees with wasm-set-rpath --json on real modules", { skip: !crossCheck && "WASM_RPATH_JS_CROSSCHECK not set" }, () => {
  const expected = JSON.parse(fs.readFileSync(crossCheck, "utf8"));
  assert.ok(expected.length > 0);
  for (const e of expected) {
    const bytes = fs.readFileSync(e.file);
    assert.deepEqual(readDylink(bytes), { needed: e.needed, runtimePath: e.runtime_path, rpath0: e["rpath.0"] }, e.file);
    assert.deepEqual(readNeeded(new WebAssembly.Module(bytes)), e.needed, e.file);
  }
});

// resolveNeeded's rules, one by one.

const files = (...paths) => (p) => paths.includes(p);

test("emscripten: LD_LIBRARY_PATH before RUNTIME_PATH, $ORIGIN from the module's directory", () => {
  const exists = files("/ld/libb.so", "/app/lib/libb.so");
  const opts = { modulePath: "/app/bin/liba.so", runPath: ["$ORIGIN/../lib"], exists };
  assert.deepEqual(resolveNeeded("libb.so", opts), {
    path: "/app/lib/libb.so", via: "runtime_path", entry: "$ORIGIN/../lib", tried: ["/app/lib/libb.so"],
  });
  const r = resolveNeeded("libb.so", { ...opts, libraryPath: "/nope:/ld" });
  assert.equal(r.path, "/ld/libb.so");
  assert.equal(r.via, "library_path");
  assert.equal(r.entry, "/ld");
});

test("emscripten: names with '/'", () => {
  const exists = files("/x/libb.so", "/home/pyodide/sub/libb.so");
  const m = { modulePath: "/x/liba.so", exists };
  assert.deepEqual(resolveNeeded("/x/libb.so", m), { path: "/x/libb.so", via: "path", entry: null, tried: ["/x/libb.so"] });
  assert.equal(resolveNeeded("/x/libc.so", m).path, null);
  const rel = resolveNeeded("sub/libb.so", m);
  assert.equal(rel.path, null);
  assert.match(rel.reason, /relative path/);
});

test("emscripten: a relative entry that finds the file stops the search, unloadable", () => {
  const exists = files("/home/pyodide/lib/libb.so", "/abs/libb.so");
  const r = resolveNeeded("libb.so", { modulePath: "/m/liba.so", runPath: ["lib", "/abs"], exists });
  assert.equal(r.path, null);
  assert.equal(r.entry, "lib");
  assert.match(r.reason, /relative path 'lib\/libb\.so'/);
  const elsewhere = resolveNeeded("libb.so", { modulePath: "/m/liba.so", runPath: ["lib", "/abs"], exists, cwd: "/tmp" });
  assert.equal(elsewhere.path, "/abs/libb.so");
});

test("wasmer: default directories, ${ORIGIN}, .wasm at each candidate", () => {
  const exists = files("/usr/lib/libz.so", "/m/lib/libq.wasm", "/m/lib/libb.so");
  const m = { modulePath: "/m/bin/liba.so", runPath: ["${ORIGIN}/../lib"], loader: "wasmer", exists };
  assert.deepEqual(resolveNeeded("libz.so", m), {
    path: "/usr/lib/libz.so", via: "default", entry: "/usr/lib",
    tried: ["/m/lib/libz.so", "/m/lib/libz.wasm", "/lib/libz.so", "/lib/libz.wasm", "/usr/lib/libz.so"],
  });
  assert.equal(resolveNeeded("libb.so", m).path, "/m/lib/libb.so");
  assert.equal(resolveNeeded("libq.so", m).path, "/m/lib/libq.wasm");
  assert.equal(resolveNeeded("libq.so.1", m).path, null, "only a .so extension is retried");
  assert.equal(resolveNeeded("/m/lib/libq.so", m).path, "/m/lib/libq.wasm", "paths are retried too");
});

test("expandRunPath and normalizePath", () => {
  assert.deepEqual(expandRunPath(["$ORIGIN/a:/b", "${ORIGIN}", "$ORIGINAL"], "/m/bin/x.so"), [
    { dir: "/m/bin/a", entry: "$ORIGIN/a:/b" }, { dir: "/b", entry: "$ORIGIN/a:/b" },
    { dir: "${ORIGIN}", entry: "${ORIGIN}" }, { dir: "/m/binAL", entry: "$ORIGINAL" },
  ]);
  assert.deepEqual(expandRunPath(["$ORIGIN/a:/b", "${ORIGIN}", "$ORIGINAL"], "/m/bin/x.so", "wasmer"), [
    { dir: "/m/bin/a:/b", entry: "$ORIGIN/a:/b" }, { dir: "/m/bin", entry: "${ORIGIN}" }, { dir: "/m/bin/AL", entry: "$ORIGINAL" },
  ]);
  assert.equal(normalizePath("/a//b/./c/../../d/"), "/a/d");
  assert.equal(normalizePath("/../../x"), "/x");
});

test("bad arguments throw", () => {
  const exists = () => false;
  assert.throws(() => resolveNeeded("x", { modulePath: "/m", exists, loader: "glibc" }), /unknown loader 'glibc'/);
  assert.throws(() => resolveNeeded("x", { modulePath: "rel/m", exists }), /absolute/);
  assert.throws(() => resolveNeeded("x", { modulePath: "/m" }), /exists/);
  assert.throws(() => resolveNeeded("", { modulePath: "/m", exists }), /non-empty/);
});
