#!/usr/bin/env node
// compare-js-cpp.mjs: the JavaScript resolver (runtime/js) and wasm-ldd give
// the same answer, candidate for candidate, on every vector and loader.
//
//   node compare-js-cpp.mjs VECTORS.json TREE WASM_LDD
//
// TREE holds every vector built by build-vector-tree.py --all. For each
// vector and each loader of wasm-ldd --print-loader-rules, runs wasm-ldd
// --json on the vector's root and, for every module it reached, resolves
// each NEEDED name again with runtime/js's resolveNeeded over the same
// tree; path, via, entry and the tried list must be equal. Also checks
// that runtime/js's loaderRules are wasm-ldd's LoaderRules. Prints PASS or
// FAIL per vector and loader and a summary; exits 1 on any difference.

import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const here = path.dirname(fileURLToPath(import.meta.url));
const js = await import(path.join(here, "..", "..", "runtime", "js", "wasm-rpath.mjs"));
const [vectorsFile, tree, wasmLdd] = process.argv.slice(2);
const vectors = JSON.parse(fs.readFileSync(vectorsFile, "utf8"));

const cppRules = JSON.parse(execFileSync(wasmLdd, ["--print-loader-rules"], { encoding: "utf8" }));
let failed = 0;
try {
  assert.deepEqual(cppRules, JSON.parse(JSON.stringify(js.loaderRules)));
  console.log("PASS loader rules");
} catch (e) {
  console.log("FAIL loader rules: " + e.message.split("\n").join(" "));
  failed++;
}

const stat = (p) => { try { return fs.statSync(path.join(tree, p)); } catch { return null; } };
const exists = (p) => stat(p)?.isFile() ?? false;
const isDirectory = (p) => stat(p)?.isDirectory() ?? false;

let passed = 0;
for (const v of vectors) {
  for (const loader of Object.keys(cppRules)) {
    const args = ["--json", "--root", tree, "--loader", loader];
    if (v.library_path !== undefined) {
      if (v.library_path.length === 0) args.push("--library-path=");
      for (const d of v.library_path) args.push("--library-path-entry", d);
    }
    args.push(path.join(tree, v.load));
    let out;
    try {
      out = JSON.parse(execFileSync(wasmLdd, args, { encoding: "utf8" }));
    } catch (e) {
      console.log(`FAIL ${v.name} [${loader}]: wasm-ldd failed: ${e.message}`);
      failed++;
      continue;
    }
    const problems = [];
    for (const lib of out.libraries) {
      if (lib.error !== null) continue;
      for (const n of lib.needed) {
        const r = js.resolveNeeded(n.name, {
          modulePath: lib.path, runPath: lib.runtime_path ?? [], loader, exists, isDirectory,
          libraryPath: v.library_path,
        });
        const got = { path: r.path, via: r.via, entry: r.entry, tried: r.tried };
        const want = { path: n.path, via: n.via, entry: n.entry, tried: n.tried };
        try {
          assert.deepEqual(got, want);
        } catch {
          problems.push(`${lib.path}: ${n.name}: js ${JSON.stringify(got)} != wasm-ldd ${JSON.stringify(want)}`);
        }
      }
    }
    if (problems.length) {
      console.log(`FAIL ${v.name} [${loader}]: ${problems.join("; ")}`);
      failed++;
    } else {
      console.log(`PASS ${v.name} [${loader}]`);
      passed++;
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
