/* A side module that needs libgreet.so (NEEDED, from the link). */
int greet_answer(void);
int app_answer(void) { return greet_answer() + 1; }
