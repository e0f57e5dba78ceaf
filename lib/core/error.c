/* SPDX-License-Identifier: Apache-2.0 */
#include "core/error.h"

#include <stdio.h>

int tdv_error_set(struct tdv_error *err, int r, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return r;
}
