// A library that, like a vendored zlib, exports names the Pyodide main
// module exports too (zlibVersion, crc32), and needs libbar.so.
int b_value(void);
const char *zlibVersion(void) { return "vendored"; }
unsigned long crc32(unsigned long c, const unsigned char *b, unsigned n) {
  return c + n + b_value();
}
