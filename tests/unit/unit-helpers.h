/* SPDX-License-Identifier: Apache-2.0 */
/* Shared bits for the cmocka unit tests. */
#pragma once

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

/* Exit status for "skipped" (as automake and systemd use). */
#define EXIT_TEST_SKIP 77

/* Path of the shared TDX test data folder, or NULL (and a printed "skip:" reason). */
const char *unit_testdata_dir(void);

/* Decode a hex literal into a fresh buffer (test helper; aborts on bad input). */
uint8_t *unit_unhex(const char *hex, size_t *ret_len);
/* Compare a buffer with a hex literal. */
void unit_assert_hex(const uint8_t *buf, size_t len, const char *hex);

/* A TDX quote made and correctly signed here with fresh P-256 keys: version 4 or 5, body
 * type 2 (TDX 1.0) or 3 (1.5), RTMR0..3 from rtmrs (4 × 48 bytes) when not NULL.  The PCK
 * "chain" is one self-signed certificate (pck_pem), usable as --root-ca. */
struct unit_quote {
	uint8_t *q;
	size_t len;
	char *pck_pem;
	size_t pck_pem_len;
};
struct unit_quote unit_quote_make(int version, int body_type, const uint8_t *rtmrs);
/* The same with TDATTRIBUTES (8 bytes) set before signing, when not NULL. */
struct unit_quote unit_quote_make_attributes(int version, int body_type, const uint8_t *rtmrs,
					     const uint8_t *td_attributes);
/* The same; intel_qe: the QE report carries Intel's public TD QE identity (MRSIGNER,
 * ISVPRODID 2, ATTRIBUTES), as a careful forger would; else it is all zero but its
 * REPORTDATA.  The two above set intel_qe. */
struct unit_quote unit_quote_make_qe(int version, int body_type, const uint8_t *rtmrs,
				     const uint8_t *td_attributes, bool intel_qe);
/* ... and MRCONFIGID (48 bytes) when not NULL. */
struct unit_quote unit_quote_make_fields(int version, int body_type, const uint8_t *rtmrs,
					 const uint8_t *td_attributes, const uint8_t *mrconfigid);
void unit_quote_free(struct unit_quote *q);
/* A self-signed certificate for key as PEM text (NUL-terminated); caller frees. */
char *unit_self_signed_pem(EVP_PKEY *key, const char *cn, size_t *ret_len);

/*
 * A fresh scratch folder "$TMPDIR/<prefix>.XXXXXX" (TMPDIR defaults to /tmp) written into
 * buf; 0 or -1.  unit_scratch_dir_remove() deletes it with everything below it, without
 * following symlinks (nftw, FTW_PHYS); 0 or -1.
 */
int unit_scratch_dir_make(char *buf, size_t size, const char *prefix);
int unit_scratch_dir_remove(const char *path);

/* ECDSA-P256/SHA-256 signature of msg by key as raw r||s (as quotes and Intel's
 * collateral carry them). */
void unit_sign_raw(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t rs[64]);

/* A crypto-agile TCG2 event log in memory: unit_log_start() writes the Spec ID header with
 * one SHA-384 bank; unit_log_record() appends a record of data whose digest is
 * SHA-384(hashed) (pass the data itself for an honest record).  Aborts on failure. */
struct unit_log {
	uint8_t *p;
	size_t len;
};
void unit_log_start(struct unit_log *b);
void unit_log_add(struct unit_log *b, const void *data, size_t n); /* raw bytes */
void unit_log_record(struct unit_log *b, uint32_t mr, uint32_t type, const void *data, size_t len,
		     const void *hashed, size_t hashed_len);

/* What an honest default tdverity line runs (core/measure.h): /sbin/init with no argument,
 * tdverity.measure=auto, panic-on-corruption. */
#include "core/measure.h"
extern const struct rootfs_event_run unit_run_default;
