/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rootfs measurement event and the bytes around it, shared by the three programs:
 * tdverity-init extends and logs it, tdverity-verify and tdverity-build predict it.
 *
 * The event (docs/DESIGN.md decision 4) is an attestation-agent (AAEL) tagged event:
 *
 *     event data = u32le 0x4141454C ‖ u32le N ‖ "tdverity rootfs <canonical JSON>" (N bytes)
 *     digest     = HASH(event data)           (SHA-384 for an RTMR)
 *     record     = TCG_PCR_EVENT2{ mr_index, EV_EVENT_TAG, digests, event data }
 *
 * The canonical JSON (version 2) has its keys sorted and no whitespace:
 *     {"alg":"sha256","argv":["/sbin/init"],"data_block_size":4096,"data_blocks":N,
 *      "hash_block_size":4096,"init":"/sbin/init","measure":"auto","on_corruption":"panic",
 *      "root_hash":"<hex>","salt":"<hex>","v":2}
 * It binds what runs, not only the content: the program /init execs and the exact argv it
 * passes (/init passes nothing of its own argv on), how the root was measured and what a
 * corruption does.  Threat: on a distro root tdverity.init=/bin/sh, a rescue runlevel word
 * or restart-on-corruption would otherwise leave a byte-identical RTMR3 and log.
 * Strings are JSON-escaped (", \ and control characters).  One encoder for /init, the
 * builder and the verifier: kernel-cmdline's verity_cmdline_rootfs_event() fills it from
 * the cmdline /init obeys.
 */
#pragma once

#include "core/digest.h"
#include "core/verity.h"

#include <stddef.h>
#include <stdint.h>

#define AAEL_EVENT_TAG_ID 0x4141454CU /* "AAEL" read as a little-endian u32 */
#define EV_NO_ACTION 0x00000003U
#define EV_SEPARATOR 0x00000004U
#define EV_EVENT_TAG 0x00000006U
#define EV_IPL 0x0000000DU

#define ROOTFS_EVENT_DOMAIN "tdverity"
#define ROOTFS_EVENT_OPERATION "rootfs"

/* The TCG2 log's register field for an RTMR: CC MR index 1..4 = RTMR0..3. */
#define RTMR_TO_CC_MR_INDEX(rtmr) ((uint32_t)(rtmr) + 1)

#define ROOTFS_EVENT_VERSION 2

/* What runs once the root is measured. */
struct rootfs_event_run {
	const char *init;	   /* the program /init execs */
	const char *const *argv;   /* exactly its argv, NULL-terminated (argv[0] = init) */
	const char *measure;	   /* tdverity.measure: "auto", "tdx" or "tpm" */
	const char *on_corruption; /* "panic" or "restart" */
};

/* The canonical JSON content of a volume's event (alg, sizes, data_blocks, salt, root
 * hash, and what runs; hash_offset, superblock and uuid are not part of it).  -EINVAL for
 * a bad volume or a missing field of run.  Caller frees *ret_json. */
int rootfs_event_content(const struct verity_root *r, const struct rootfs_event_run *run,
			 char **ret_json);

/*
 * AAEL tagged-event data for "<domain> <operation> <content>".  domain and operation
 * must be non-empty and free of spaces; no part may hold NUL or newline (-EINVAL).
 */
int aael_event_data(const char *domain, const char *operation, const char *content,
		    uint8_t **ret_data, size_t *ret_len);

/* rootfs_event_content() + aael_event_data() in one step. */
int rootfs_event_data(const struct verity_root *r, const struct rootfs_event_run *run,
		      uint8_t **ret_data, size_t *ret_len);

struct tcg2_digest {
	enum hash_alg alg;
	uint8_t value[DIGEST_MAX_SIZE];
};

/*
 * Serialise one TCG_PCR_EVENT2 record (crypto-agile format):
 *     u32 register ‖ u32 type ‖ u32 count ‖ count × (u16 alg ‖ digest) ‖ u32 size ‖ data
 */
int tcg2_record_encode(uint32_t register_index, uint32_t event_type,
		       const struct tcg2_digest *digests, size_t n_digests, const uint8_t *event,
		       size_t event_len, uint8_t **ret_record, size_t *ret_len);

/* mr ← HASH(mr ‖ digest), both hash_alg_size(alg) bytes. */
int mr_extend(enum hash_alg alg, uint8_t *mr, const uint8_t *digest);
