// The shared resolution vectors (test/vectors/resolution.json) drive
// resolveTree() for both loaders, over an in-memory file system whose
// modules carry each vector's NEEDED names and run-time paths.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { resolveTree, loaderNames } from "../wasm-rpath.mjs";
import { sideModule } from "./helpers.mjs";

const vectorsFile = fileURLToPath(new URL("../../../test/vectors/resolution.json", import.meta.url));
const vectors = JSON.parse(fs.readFileSync(vectorsFile, "utf8"));

function fileSystem(files) {
  const bytes = new Map();
  for (const [path, spec] of Object.entries(files)) {
    bytes.set(path, spec.not_module
      ? new TextEncoder().encode(`not a WebAssembly module: ${path}\n`)
      : sideModule({ needed: spec.needed, runtimePath: spec.runtime_path, rpath0: spec["rpath.0"] }));
  }
  const dirs = new Set(["/"]);
  for (const path of bytes.keys()) {
    for (let i = path.indexOf("/", 1); i > 0; i = path.indexOf("/", i + 1)) dirs.add(path.slice(0, i));
  }
  return {
    readFile: (p) => bytes.get(p) ?? null,
    isDirectory: (p) => dirs.has(p),
  };
}

// pyodide is emscripten in Pyodide's environment: a vector without its own
// "pyodide" expectation must give the "emscripten" one with the default
// LD_LIBRARY_PATH (none of a vector's files lie there), as wasm-ldd does.
const expectFor = (v, loader) => v.expect[loader] ?? (loader === "pyodide" ? v.expect.emscripten : undefined);

test("the vectors cover every loader", () => {
  assert.ok(vectors.length >= 20);
  for (const v of vectors) {
    for (const loader of loaderNames) assert.ok(expectFor(v, loader), `${v.name}: ${loader}`);
  }
});

for (const v of vectors) {
  for (const loader of loaderNames) {
    test(`${v.name} (${loader})`, () => {
      const { readFile, isDirectory } = fileSystem(v.files);
      // A vector's library_path replaces the loader's default; without
      // one, bare emscripten and wasmer have none, pyodide its own.
      const libraryPath = v.library_path ?? (loader === "pyodide" ? undefined : []);
      const got = resolveTree(v.load, { readFile, isDirectory, libraryPath, loader });
      assert.deepEqual(got, expectFor(v, loader), v.description);
      // The root comes first.
      assert.equal(Object.keys(got)[0], v.load);
    });
  }
}

test("section: 'rpath.0' searches with rpath.0 instead", () => {
  const v = vectors.find((x) => x.name === "rpath0-not-read");
  const { readFile, isDirectory } = fileSystem(v.files);
  const got = resolveTree(v.load, { readFile, isDirectory, section: "rpath.0" });
  const top = "/v-rpath0-not-read";
  assert.deepEqual(got, {
    [`${top}/bin/liba.so`]: { "libb.so": `${top}/decoy/libb.so` },
    [`${top}/decoy/libb.so`]: {},
  });
});

test("without isDirectory, '..' is lexical", () => {
  const v = vectors.find((x) => x.name === "dotdot-through-missing-dir");
  const { readFile } = fileSystem(v.files);
  const got = resolveTree(v.load, { readFile });
  assert.equal(got[v.load]["libb.so"], "/v-dotdot-through-missing-dir/lib/libb.so");
});
