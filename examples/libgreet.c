/* A dependency: lives in <prefix>/lib. */
int greet_answer(void) { return 42; }
