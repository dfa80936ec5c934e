/* A library in <prefix>/bin that needs libgreet.so from <prefix>/lib. */
int greet_answer(void);
int app_answer(void) { return greet_answer() + 1; }
