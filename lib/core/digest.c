/* SPDX-License-Identifier: Apache-2.0 */
/* digest_two() uses libcrypto's low-level SHA-2 functions (deprecated in OpenSSL 3, still
 * exported): EVP_Digest* pulls the whole provider machinery - 3.6 MB - into the static
 * /init, which hashes only a few small buffers.  Same results, same assembly. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "core/digest.h"
#include "core/util.h"

#include <fcntl.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

static const struct {
	const char *name;
	size_t size;
	uint16_t tcg_id;
	bool bank_only; /* a PCR bank we must extend, never an algorithm we choose */
} hash_table[_HASH_ALG_MAX] = {
	[HASH_SHA256] = { "sha256", SHA256_SIZE, 0x000B, false },
	[HASH_SHA384] = { "sha384", SHA384_SIZE, 0x000C, false },
	[HASH_SHA512] = { "sha512", SHA512_SIZE, 0x000D, false },
	[HASH_SHA1] = { "sha1", SHA1_SIZE, 0x0004, true },
	[HASH_SM3_256] = { "sm3_256", SM3_256_SIZE, 0x0012, true },
};

static bool alg_valid(enum hash_alg alg) { return (unsigned)alg < _HASH_ALG_MAX; }

const char *hash_alg_name(enum hash_alg alg) { return alg_valid(alg) ? hash_table[alg].name : NULL; }
size_t hash_alg_size(enum hash_alg alg) { return alg_valid(alg) ? hash_table[alg].size : 0; }
uint16_t hash_alg_tcg_id(enum hash_alg alg) { return alg_valid(alg) ? hash_table[alg].tcg_id : 0; }

static int alg_from_name(const char *name, bool bank_only_ok, enum hash_alg *ret_alg)
{
	for (unsigned i = 0; i < _HASH_ALG_MAX; i++)
		if (name && strcmp(name, hash_table[i].name) == 0 &&
		    (bank_only_ok || !hash_table[i].bank_only)) {
			*ret_alg = (enum hash_alg)i;
			return 0;
		}
	return -EINVAL;
}

/* Threat: SHA-1 as a verity or manifest algorithm would make collisions practical. */
int hash_alg_from_name(const char *name, enum hash_alg *ret_alg)
{
	return alg_from_name(name, false, ret_alg);
}

int hash_alg_from_bank_name(const char *name, enum hash_alg *ret_alg)
{
	return alg_from_name(name, true, ret_alg);
}

int hash_alg_from_tcg_id(uint16_t id, enum hash_alg *ret_alg)
{
	for (unsigned i = 0; i < _HASH_ALG_MAX; i++)
		if (hash_table[i].tcg_id == id) {
			*ret_alg = (enum hash_alg)i;
			return 0;
		}
	return -EINVAL;
}

const EVP_MD *hash_alg_md(enum hash_alg alg)
{
	switch (alg) {
	case HASH_SHA256: return EVP_sha256();
	case HASH_SHA384: return EVP_sha384();
	case HASH_SHA512: return EVP_sha512();
	case HASH_SHA1: return EVP_sha1();
	case HASH_SM3_256: return digest_sm3_md();
	default: return NULL;
	}
}


int digest_two(enum hash_alg alg, const void *a, size_t alen, const void *b, size_t blen,
	       uint8_t *out)
{
	int ok;
	switch (alg) {
	case HASH_SHA256: {
		SHA256_CTX c;
		ok = SHA256_Init(&c) && SHA256_Update(&c, a, alen) &&
		     (blen == 0 || SHA256_Update(&c, b, blen)) && SHA256_Final(out, &c);
		OPENSSL_cleanse(&c, sizeof(c));
		break;
	}
	case HASH_SHA384: {
		SHA512_CTX c;
		ok = SHA384_Init(&c) && SHA384_Update(&c, a, alen) &&
		     (blen == 0 || SHA384_Update(&c, b, blen)) && SHA384_Final(out, &c);
		OPENSSL_cleanse(&c, sizeof(c));
		break;
	}
	case HASH_SHA512: {
		SHA512_CTX c;
		ok = SHA512_Init(&c) && SHA512_Update(&c, a, alen) &&
		     (blen == 0 || SHA512_Update(&c, b, blen)) && SHA512_Final(out, &c);
		OPENSSL_cleanse(&c, sizeof(c));
		break;
	}
	case HASH_SHA1: {
		SHA_CTX c;
		ok = SHA1_Init(&c) && SHA1_Update(&c, a, alen) &&
		     (blen == 0 || SHA1_Update(&c, b, blen)) && SHA1_Final(out, &c);
		OPENSSL_cleanse(&c, sizeof(c));
		break;
	}
	case HASH_SM3_256:
		return digest_sm3(a, alen, b, blen, out);
	default:
		return -EINVAL;
	}
	return ok ? 0 : -EIO;
}

int digest_buf(enum hash_alg alg, const void *data, size_t len, uint8_t *out)
{
	return digest_two(alg, data, len, NULL, 0, out);
}

int digest_fd(enum hash_alg alg, int fd, uint8_t *out)
{
	const EVP_MD *md = hash_alg_md(alg);
	if (!md)
		return alg == HASH_SM3_256 ? -EOPNOTSUPP : -EINVAL;
	enum { CHUNK = 1 << 20 };
	_cleanup_free_ uint8_t *buf = malloc(CHUNK);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!buf || !ctx) {
		EVP_MD_CTX_free(ctx);
		return -ENOMEM;
	}
	int r = EVP_DigestInit_ex(ctx, md, NULL) ? 0 : -EIO;
	while (r == 0) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = negative_errno();
		else if (n == 0)
			break;
		else if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			r = -EIO;
	}
	if (r == 0 && !EVP_DigestFinal_ex(ctx, out, NULL))
		r = -EIO;
	EVP_MD_CTX_free(ctx);
	return r;
}

int digest_file(enum hash_alg alg, const char *path, uint8_t *out)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	return digest_fd(alg, fd, out);
}

bool digest_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = 0;
}

char *hex_encode_alloc(const uint8_t *in, size_t len)
{
	char *s = malloc(2 * len + 1);
	if (s)
		hex_encode(in, len, s);
	return s;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *hex, uint8_t *out, size_t max_len, size_t *ret_len)
{
	size_t n = strlen(hex);
	if (n % 2 != 0 || n / 2 > max_len)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*ret_len = n / 2;
	return 0;
}

int hex_decode_exact(const char *hex, uint8_t *out, size_t out_len)
{
	if (strlen(hex) != 2 * out_len)
		return -EINVAL;
	size_t n;
	return hex_decode(hex, out, out_len, &n);
}

/* ---- streaming (digest.h): SHA-2 only, low-level calls as digest_two() ------------ */

int digest_stream_init(struct digest_stream *s, enum hash_alg alg)
{
	int ok;
	s->alg = alg;
	switch (alg) {
	case HASH_SHA256: ok = SHA256_Init(&s->state.sha256); break;
	case HASH_SHA384: ok = SHA384_Init(&s->state.sha512); break;
	case HASH_SHA512: ok = SHA512_Init(&s->state.sha512); break;
	default: return -EINVAL;
	}
	return ok ? 0 : -EIO;
}

int digest_stream_update(struct digest_stream *s, const void *data, size_t len)
{
	int ok;
	if (len == 0)
		return 0;
	switch (s->alg) {
	case HASH_SHA256: ok = SHA256_Update(&s->state.sha256, data, len); break;
	case HASH_SHA384: ok = SHA384_Update(&s->state.sha512, data, len); break;
	case HASH_SHA512: ok = SHA512_Update(&s->state.sha512, data, len); break;
	default: return -EINVAL;
	}
	return ok ? 0 : -EIO;
}

int digest_stream_final(struct digest_stream *s, uint8_t *out)
{
	int ok;
	switch (s->alg) {
	case HASH_SHA256: ok = SHA256_Final(out, &s->state.sha256); break;
	case HASH_SHA384: ok = SHA384_Final(out, &s->state.sha512); break;
	case HASH_SHA512: ok = SHA512_Final(out, &s->state.sha512); break;
	default: return -EINVAL;
	}
	OPENSSL_cleanse(&s->state, sizeof(s->state));
	return ok ? 0 : -EIO;
}
