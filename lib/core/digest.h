/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hash algorithms, one-shot digests, hex encoding and constant-time comparison, over
 * OpenSSL's libcrypto (which links statically into /init).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#define DIGEST_MAX_SIZE 64
#define SHA1_SIZE 20
#define SHA256_SIZE 32
#define SHA384_SIZE 48
#define SHA512_SIZE 64

#define SM3_256_SIZE 32

/*
 * The SHA-2 algorithms are what tdverity hashes with (dm-verity, manifests, RTMRs).  SHA-1
 * and SM3-256 exist only as TPM PCR banks: a bank that is active must be extended like the
 * others (else anyone could extend it later to a value of their choosing), so /init and
 * the verifier compute them, but nothing else accepts them.
 */
enum hash_alg {
	HASH_SHA256,
	HASH_SHA384,
	HASH_SHA512,
	HASH_SHA1,
	HASH_SM3_256,
	_HASH_ALG_MAX,
};

/* "sha256", "sha1", "sm3_256" etc.; NULL for an invalid value. */
const char *hash_alg_name(enum hash_alg alg);
/*
 * Parse a name as veritysetup spells it: sha256, sha384 or sha512 only (SHA-1 and SM3 are
 * PCR banks, never a verity or manifest algorithm); -EINVAL otherwise.
 */
int hash_alg_from_name(const char *name, enum hash_alg *ret_alg);
/* Any algorithm by name, PCR-bank-only ones included ("sha1", "sm3_256"). */
int hash_alg_from_bank_name(const char *name, enum hash_alg *ret_alg);
/* Digest size in bytes; 0 for an invalid value. */
size_t hash_alg_size(enum hash_alg alg);
/* TCG algorithm id (TPM_ALG_SHA1 = 0x0004, SHA256 = 0x000B, SHA384 = 0x000C, SHA512 =
 * 0x000D, SM3_256 = 0x0012). */
uint16_t hash_alg_tcg_id(enum hash_alg alg);
int hash_alg_from_tcg_id(uint16_t id, enum hash_alg *ret_alg);
/* NULL for SM3-256 when libcrypto's providers have no SM3. */
const EVP_MD *hash_alg_md(enum hash_alg alg);

/*
 * out receives hash_alg_size(alg) bytes.  Returns 0, -EIO (libcrypto failure) or
 * -EOPNOTSUPP (SM3-256 where it is not available, see digest_sm3()).
 */
int digest_buf(enum hash_alg alg, const void *data, size_t len, uint8_t *out);
/*
 * SM3-256 (lib/core/digest-sm3.c): libcrypto has SM3 only behind its EVP/provider layer,
 * which would quadruple the static /init (1.2 -> 4.6 MB).  A link-time seam: tdverity-init's
 * main.c defines both functions to refuse (-EOPNOTSUPP / NULL), so its link never pulls
 * digest-sm3.o; every other program gets libcrypto's SM3 when its providers have it.
 */
int digest_sm3(const void *a, size_t alen, const void *b, size_t blen, uint8_t *out);
const EVP_MD *digest_sm3_md(void);

/* Digest of the concatenation a ‖ b (the extend operation's building block). */
int digest_two(enum hash_alg alg, const void *a, size_t alen, const void *b, size_t blen,
	       uint8_t *out);
/*
 * A streaming digest: digest_stream_init(), digest_stream_update() any number of times,
 * digest_stream_final() once (it writes hash_alg_size(alg) bytes and wipes the state).
 * A plain value, no allocation; built on libcrypto's low-level SHA-2 calls, like
 * digest_two(), so the static /init does not pull in the EVP machinery.  SHA-2 only:
 * -EINVAL for any other algorithm (the SHA-1 and SM3 PCR banks go through
 * hash_alg_md()), -EIO for a libcrypto failure.
 */
struct digest_stream {
	enum hash_alg alg;
	union {
		SHA256_CTX sha256;
		SHA512_CTX sha512; /* SHA-384 too */
	} state;
};
int digest_stream_init(struct digest_stream *s, enum hash_alg alg);
int digest_stream_update(struct digest_stream *s, const void *data, size_t len);
int digest_stream_final(struct digest_stream *s, uint8_t *out);

/* Stream a whole file through the hash (no size limit, constant memory). */
int digest_file(enum hash_alg alg, const char *path, uint8_t *out);
int digest_fd(enum hash_alg alg, int fd, uint8_t *out);

/*
 * Constant-time equality for digests and other secrets-adjacent values: the time taken
 * does not depend on where the first difference is (CRYPTO_memcmp).
 */
bool digest_equal(const void *a, const void *b, size_t len);

/* Lower-case hex; out must hold 2*len+1 bytes. */
void hex_encode(const uint8_t *in, size_t len, char *out);
/* Newly allocated lower-case hex string, NULL on OOM. */
char *hex_encode_alloc(const uint8_t *in, size_t len);
/*
 * Decode exactly 2*out_len hex digits (either case) from a NUL-terminated string.
 * -EINVAL on a wrong length or a non-hex character.
 */
int hex_decode_exact(const char *hex, uint8_t *out, size_t out_len);
/* Decode a hex string of any even length ≤ 2*max_len; *ret_len receives the byte count. */
int hex_decode(const char *hex, uint8_t *out, size_t max_len, size_t *ret_len);
