#!/usr/bin/env node
// custom-sections.mjs: read a side module's run-time path through node's own
// WebAssembly engine (V8), as a JavaScript loader would.
//
//   node custom-sections.mjs FILE
//
// Compiles FILE with `new WebAssembly.Module` (so V8 must accept the whole
// module) and prints, for the lit tests:
//
//   rpath.0 count: <number of rpath.0 sections>
//   rpath.0 bytes: <payload in hex>          (one line per section)
//   rpath.0 entry: <string>                  (one line per entry)
//   dylink.0 subsections: <types in order>
//   dylink.0 RUNTIME_PATH entry: <string>    (one line per entry)
//
// The payloads come from WebAssembly.Module.customSections(); the decoding
// below is written from the tool-conventions spec and shares no code with
// wasm-rpath or the other test readers. Exit status 1 on a decoding error.

import fs from "node:fs";

if (process.argv.length !== 3) {
  process.stderr.write("usage: custom-sections.mjs FILE\n");
  process.exit(2);
}
const module = new WebAssembly.Module(fs.readFileSync(process.argv[2]));

function fail(msg) {
  process.stderr.write(`custom-sections: ${msg}\n`);
  process.exit(1);
}

// A cursor over one payload.
function reader(bytes) {
  let pos = 0;
  const r = {
    get pos() { return pos; },
    done: () => pos >= bytes.length,
    byte() {
      if (pos >= bytes.length) fail("unexpected end of payload");
      return bytes[pos++];
    },
    uleb() {
      let result = 0, shift = 0, b;
      do {
        b = r.byte();
        result += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80);
      return result;
    },
    bytes(n) {
      if (pos + n > bytes.length) fail("string runs past the payload");
      const out = bytes.subarray(pos, pos + n);
      pos += n;
      return out;
    },
  };
  return r;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

// count:varuint32, then count strings; must fill the body exactly.
function stringVector(bytes) {
  const r = reader(bytes);
  const out = [];
  for (let n = r.uleb(); n > 0; n--) out.push(utf8.decode(r.bytes(r.uleb())));
  if (!r.done()) fail("trailing bytes after the string vector");
  return out;
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");

const rpath = WebAssembly.Module.customSections(module, "rpath.0");
console.log(`rpath.0 count: ${rpath.length}`);
for (const buf of rpath) {
  const bytes = new Uint8Array(buf);
  console.log(`rpath.0 bytes: ${hex(bytes)}`);
  for (const s of stringVector(bytes)) console.log(`rpath.0 entry: ${s}`);
}

const dylink = WebAssembly.Module.customSections(module, "dylink.0");
if (dylink.length !== 1) fail(`expected one dylink.0 section, found ${dylink.length}`);
const r = reader(new Uint8Array(dylink[0]));
const types = [];
const runtimePath = [];
while (!r.done()) {
  const type = r.uleb();
  const size = r.uleb();
  const body = r.bytes(size);
  types.push(type);
  if (type === 5) runtimePath.push(...stringVector(body));
}
console.log(`dylink.0 subsections: ${types.join(" ")}`);
for (const s of runtimePath) console.log(`dylink.0 RUNTIME_PATH entry: ${s}`);
