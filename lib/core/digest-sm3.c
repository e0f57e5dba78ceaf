/* SPDX-License-Identifier: Apache-2.0 */
/* SM3-256 through libcrypto's EVP layer (see digest.h: tdverity-init links a refusal). */
#include "core/digest.h"

#include <errno.h>

const EVP_MD *digest_sm3_md(void)
{
	return EVP_sm3();
}

int digest_sm3(const void *a, size_t alen, const void *b, size_t blen, uint8_t *out)
{
	EVP_MD *md = EVP_MD_fetch(NULL, "SM3", NULL);
	if (!md)
		return -EOPNOTSUPP; /* a libcrypto built without SM3 */
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned len = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, a, alen) &&
		 (blen == 0 || EVP_DigestUpdate(ctx, b, blen)) &&
		 EVP_DigestFinal_ex(ctx, out, &len) && len == SM3_256_SIZE;
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return ok ? 0 : -EIO;
}
