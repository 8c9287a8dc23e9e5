/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h -- one entry point per subcommand (cmd_<name>.c).  Each gets the
 * arguments after the subcommand name (argv[0] is the subcommand) and
 * returns the process exit status (see docs/man/mailsoar.1.md):
 *   0  success; 1  some inputs could not be processed (others were);
 *   2  usage error; 3  a limit was hit on some input (results still given).
 */
#ifndef MS_CLI_H
#define MS_CLI_H

#define CLI_EXIT_OK	0
#define CLI_EXIT_INPUT	1
#define CLI_EXIT_USAGE	2
#define CLI_EXIT_LIMIT	3

int	cmd_analyze(int argc, char **argv);
int	cmd_extract(int argc, char **argv);
int	cmd_vault(int argc, char **argv);

/* Read a whole file ("-" = stdin) up to 'max' bytes into a g_malloc'd
 * buffer.  Returns 0, or -1 with a message naming the file on stderr
 * (too big: errno EFBIG). */
int	cli_read_file(const char *path, size_t max, char **buf, size_t *len);

#endif /* MS_CLI_H */
