/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exit status of every tdverity program (tdverity-build, tdverity-verify): one table,
 * the same condition gives the same code (README.md, "Exit status").  Never 0 on doubt.
 *
 *   0  success: built, verified, printed
 *   1  not verified: a mismatch, or a verdict that is only PARTIAL (something unpinned)
 *   2  usage: a bad command line or environment
 *   3  bad input: an input file or value is unreadable, malformed or refused (a cmdline
 *      that weakens the boot, a template that does not parse, a truncated quote ...)
 *   4  I/O or system error: writing an output failed (stdout, stderr, an output file),
 *      out of memory, a library failed
 */
#pragma once

enum tdv_exit {
	TDV_EXIT_OK = 0,
	TDV_EXIT_NOT_VERIFIED = 1,
	TDV_EXIT_USAGE = 2,
	TDV_EXIT_BAD_INPUT = 3,
	TDV_EXIT_IO = 4,
};

/*
 * Flush and close stdout and check stderr's error flag (util-linux's close_stdout idea):
 * a program whose output did not reach its reader must not exit 0.  Called once, at the
 * end of main.  0, or -EIO when any write to stdout or stderr failed.
 */
int stdio_close_check(void);
