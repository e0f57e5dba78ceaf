/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kata / CoCo initdata (the TOML document a pod's io.katacontainers.config.hypervisor.
 * cc_init_data annotation carries, after base64 and gzip decoding) and the MRCONFIGID a
 * TD launched with it has: the digest of the document's bytes, as they are, with the
 * algorithm its top-level `algorithm` key names (sha256, sha384, sha512), cut or
 * zero-padded to 48 bytes (kata-containers src/libs/kata-types initdata: adjust_digest).
 *
 * Only what the digest needs is read: the top-level `version = "0.1.0"` and `algorithm`
 * keys, before the first [table].  Anything else about the TOML is not interpreted.
 */
#pragma once

#include "core/digest.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

#define INITDATA_MAX_SIZE (1U << 20)

/*
 * The MRCONFIGID of a TD launched with this initdata.  -EINVAL (err: why) when the
 * document names no algorithm, an unknown one, or a version other than 0.1.0, or holds a
 * NUL byte; -EIO from libcrypto.
 */
int initdata_mrconfigid(const uint8_t *toml, size_t len, uint8_t ret[SHA384_SIZE],
			enum hash_alg *ret_alg, struct tdv_error *err);
