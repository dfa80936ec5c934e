#!/usr/bin/env node
// pyodide-run.mjs: run Python code inside the real Pyodide (Emscripten) loader, in node.
//
// Used by wasm-rpath's end-to-end lit tests to check that side modules whose
// dylink.0 RUNTIME_PATH was rewritten really load (e.g. via ctypes.CDLL) in a
// released runtime. Works offline: Pyodide is loaded from node_modules.
//
//   node pyodide-run.mjs [--copy HOSTDIR[:GUESTDIR]]... [--env NAME=VALUE]...
//                        [--wheel FILE.whl]...
//                        (--code 'python source' | --file script.py)
//
//   --copy  copy the host tree HOSTDIR (files only; symlinks are followed)
//           into Pyodide's in-memory FS at GUESTDIR (default: HOSTDIR's
//           absolute host path). The split is at the last ':'.
//   --env   set os.environ[NAME] (and the libc environment the dynamic loader
//           reads) after boot; LD_LIBRARY_PATH replaces Pyodide's default
//           "/usr/lib:/lib/python3.14/site-packages".
//   --wheel install a local wheel with pyodide.loadPackage(absolute path), as
//           a user would (after the copies, in the order given): Pyodide
//           unpacks it into site-packages and preloads its .so files. What
//           loadPackage reports as an error ("Failed to load ...") goes to
//           stderr prefixed with "loadPackage: ".
//
// Pyodide is found in $PYODIDE_DIR if set, else in ../node_modules/pyodide
// (run `npm ci --prefix test`). stdout carries only what the Python code
// prints. On a Python exception the traceback goes to stderr and the exit
// status is 1; SystemExit(n) exits with n; usage errors exit 2.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

function die(msg, code = 2) {
  process.stderr.write(`pyodide-run: ${msg}\n`);
  process.exit(code);
}

const copies = [];
const env = [];
const wheels = [];
let code;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const opt = argv[i];
  const val = () => (++i < argv.length ? argv[i] : die(`${opt} needs a value`));
  if (opt === "--copy") {
    const v = val();
    const c = v.lastIndexOf(":");
    const host = path.resolve(c < 0 ? v : v.slice(0, c));
    copies.push([host, c < 0 ? host : v.slice(c + 1)]);
  } else if (opt === "--env") {
    const v = val();
    const e = v.indexOf("=");
    if (e <= 0) die(`--env expects NAME=VALUE, got '${v}'`);
    env.push([v.slice(0, e), v.slice(e + 1)]);
  } else if (opt === "--wheel") {
    wheels.push(path.resolve(val()));
  } else if (opt === "--code") {
    code = val();
  } else if (opt === "--file") {
    const f = val();
    try { code = fs.readFileSync(f, "utf8"); } catch (e) { die(`cannot read ${f}: ${e.message}`); }
  } else {
    die(`unknown argument '${opt}'`);
  }
}
if (code === undefined) die("one of --code or --file is required");

// Locate pyodide: $PYODIDE_DIR (the package directory) or test/node_modules.
const here = path.dirname(fileURLToPath(import.meta.url));
let pyodideDir = process.env.PYODIDE_DIR;
if (!pyodideDir) {
  const require = createRequire(path.join(here, "..", "package.json"));
  try {
    pyodideDir = path.dirname(require.resolve("pyodide/package.json"));
  } catch {
    die(`pyodide not found: set PYODIDE_DIR or run 'npm ci --prefix ${path.dirname(here)}'`);
  }
}
pyodideDir = path.resolve(pyodideDir);
if (!fs.existsSync(path.join(pyodideDir, "pyodide.mjs"))) die(`no pyodide.mjs in ${pyodideDir}`);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);

// Swallow anything printed while booting; the real handlers are set below.
const pyodide = await loadPyodide({
  indexURL: pyodideDir + path.sep,
  stdout: () => {},
  stderr: () => {},
});
const raw = (stream) => ({ write: (buf) => { stream.write(Buffer.from(buf)); return buf.length; } });
pyodide.setStdout(raw(process.stdout));
pyodide.setStderr(raw(process.stderr));

// Copy host trees into the in-memory FS (following symlinks, guarding against cycles).
const FS = pyodide.FS;
function copyTree(host, guest, seen) {
  let real;
  try { real = fs.realpathSync(host); } catch { return; } // dangling symlink
  const st = fs.statSync(real);
  if (st.isDirectory()) {
    if (seen.has(real)) return;
    FS.mkdirTree(guest);
    const inner = new Set(seen).add(real);
    for (const name of fs.readdirSync(real).sort()) {
      copyTree(path.join(host, name), path.posix.join(guest, name), inner);
    }
  } else if (st.isFile()) {
    FS.mkdirTree(path.posix.dirname(guest));
    FS.writeFile(guest, fs.readFileSync(real));
  }
}
for (const [host, guest] of copies) {
  if (!fs.existsSync(host)) die(`--copy: no such host path ${host}`);
  copyTree(host, path.posix.resolve(FS.cwd(), guest), new Set());
}

for (const whl of wheels) {
  if (!fs.existsSync(whl)) die(`--wheel: no such file ${whl}`);
  await pyodide.loadPackage(whl, {
    messageCallback: () => {},
    errorCallback: (msg) => process.stderr.write(`loadPackage: ${msg}\n`),
  });
}

if (env.length) {
  const os = pyodide.pyimport("os");
  for (const [k, v] of env) os.environ.__setitem__(k, v);
  os.destroy();
}

let status = 0;
try {
  pyodide.runPython(code);
} catch (e) {
  const msg = String(e?.message ?? e);
  const m = e?.type === "SystemExit" ? /SystemExit(?:: ?(.*))?\s*$/.exec(msg) : null;
  if (m) {
    // sys.exit(): an int is the status; anything else is printed and gives 1.
    const arg = (m[1] ?? "").trim();
    if (arg === "" || arg === "None") status = 0;
    else if (/^-?\d+$/.test(arg)) status = Number(arg) & 255;
    else { process.stderr.write(arg + "\n"); status = 1; }
  } else {
    process.stderr.write(msg.endsWith("\n") ? msg : msg + "\n");
    status = 1;
  }
}
// Flush Python's buffered text streams (output without a final newline).
pyodide.runPython("import sys\nfor f in (sys.stdout, sys.stderr):\n    f.flush()");
process.exitCode = status;
