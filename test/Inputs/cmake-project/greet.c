/* A side module that others need. */
int greet_answer(void) { return 42; }
