// Test helpers: build minimal side modules in memory, written from the
// format description (docs/format.md), independently of the reader.

const enc = new TextEncoder();

/** varuint32, minimal unless `width` bytes are asked for (padded LEB). */
export function leb(n, width = 0) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0 || out.length + 1 < width) b |= 0x80;
    out.push(b);
  } while (n !== 0 || out.length < width);
  return out;
}

export function str(s) {
  const b = [...enc.encode(s)];
  return [...leb(b.length), ...b];
}

export function strList(list) {
  return [...leb(list.length), ...list.flatMap(str)];
}

export function custom(name, payload) {
  const body = [...str(name), ...payload];
  return [0, ...leb(body.length), ...body];
}

export function sub(type, body) {
  return [type, ...leb(body.length), ...body];
}

export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/**
 * A side module: dylink.0 (MEM_INFO, NEEDED, RUNTIME_PATH when given) first,
 * then rpath.0 when given, then `tail` (more sections).
 */
export function sideModule({ needed = [], runtimePath = null, rpath0 = null, tail = [] } = {}) {
  let payload = sub(1, [0, 0, 0, 0]);
  if (needed.length) payload = [...payload, ...sub(2, strList(needed))];
  if (runtimePath) payload = [...payload, ...sub(5, strList(runtimePath))];
  const bytes = [...HEADER, ...custom("dylink.0", payload)];
  if (rpath0) bytes.push(...custom("rpath.0", strList(rpath0)));
  bytes.push(...tail);
  return new Uint8Array(bytes);
}

/** A module with exactly these sections after the header. */
export function moduleOf(...sections) {
  return new Uint8Array([...HEADER, ...sections.flat()]);
}
