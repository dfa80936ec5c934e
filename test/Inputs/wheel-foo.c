// A library vendored by the wasm-auditwheel tests; -DFOO_VERSION=N makes
// versions that differ in content (and so in their sha256-mangled names).
int foo_version(void) { return FOO_VERSION; }
