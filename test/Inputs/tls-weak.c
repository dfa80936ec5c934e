// A side module whose dylink.0 has all four subsections that come before
// RUNTIME_PATH: MEM_INFO, NEEDED (link it against libb.so), EXPORT_INFO (the
// thread-local export; needs -matomics -mbulk-memory and --shared-memory)
// and IMPORT_INFO (the weak import).
__attribute__((weak)) int maybe_there(void);
_Thread_local int c_counter = 3;
int c_value(void) { return (maybe_there ? maybe_there() : 0) + c_counter; }
