/* SPDX-License-Identifier: Apache-2.0 */
/* Shared bits for the cmocka unit tests. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Exit status for "skipped" (as automake and systemd use). */
#define EXIT_TEST_SKIP 77

/* Path of the shared TDX test data folder, or NULL (and a printed "skip:" reason). */
const char *unit_testdata_dir(void);

/* Decode a hex literal into a fresh buffer (test helper; aborts on bad input). */
uint8_t *unit_unhex(const char *hex, size_t *ret_len);
/* Compare a buffer with a hex literal. */
void unit_assert_hex(const uint8_t *buf, size_t len, const char *hex);
