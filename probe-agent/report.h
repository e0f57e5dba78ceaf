/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The probe agent's machine-readable console lines.  Every line starts with
 * "TDVERITY-PROBE: " and is written with one write(2), so the kernel's own console output
 * cannot split it.  Binary blobs go out as numbered hex chunks that a test reassembles:
 *
 *   TDVERITY-PROBE: blob NAME size=N chunks=K
 *   TDVERITY-PROBE: hex NAME INDEX HEX...        (PROBE_HEX_CHUNK bytes per chunk)
 *   TDVERITY-PROBE: blob-end NAME sha256=HEX     (SHA-256 of the whole blob)
 *
 * tests/vm/vm-lib.sh (probe_blob) reads them back and checks size, order and digest.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define PROBE_PREFIX "TDVERITY-PROBE: "
#define PROBE_HEX_CHUNK 48

/* One line: PROBE_PREFIX + the formatted text + '\n'.  Returns 0 or -errno. */
int probe_line(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A blob as the three kinds of lines above.  name must hold no spaces. */
int probe_blob(int fd, const char *name, const uint8_t *data, size_t len);
