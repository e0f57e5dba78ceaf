/* SPDX-License-Identifier: Apache-2.0 */
#include "core/exit-status.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

int stdio_close_check(void)
{
	/* fflush before ferror: buffered output is only written (and fails, e.g. ENOSPC on
	 * /dev/full) here.  fclose catches a failure that only close() reports (NFS). */
	bool failed = fflush(stdout) != 0 || ferror(stdout);
	failed |= fclose(stdout) != 0;
	failed |= ferror(stderr) != 0;
	return failed ? -EIO : 0;
}
