// A package's side module that needs libfoo.so; -DEXT_CALL=name names its
// entry point, so that several packages can be loaded in one process.
int foo_version(void);
int EXT_CALL(void) { return foo_version() * 10; }
