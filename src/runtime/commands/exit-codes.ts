/** The exit codes of the command line (DSL.md section 7), for every command. */

/** Bad usage: an unknown option, a missing argument, a bad value or combination, an input that cannot be opened. */
export const EXIT_USAGE = 2;
/** `cep run` and `cep check`: a rule error. */
export const EXIT_RULE_ERRORS = 1;
/** `cep run`: reading an input or writing alerts failed during the run. */
export const EXIT_RUN_FAILED = 1;
/** `cep test`: the alerts differ from the expected ones. */
export const EXIT_DIFFERENT = 1;
/** `cep test`: a rule error, told apart from a difference. */
export const EXIT_TEST_RULE_ERRORS = 3;
