/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM 2.0 PCR extend with raw command bytes on /dev/tpm0 (TPM 2.0 Library spec part 3:
 * TPM2_GetCapability 0x17A, TPM2_PCR_Extend 0x182).  No TSS in a static initrd: two
 * commands, built and checked byte by byte.  All TPM integers are big-endian.
 */
#include "initrd/init.h"

#include "core/util.h"

#include <fcntl.h>
#include <string.h>

#define TPM_ST_NO_SESSIONS    0x8001
#define TPM_ST_SESSIONS	      0x8002
#define TPM_CC_PCR_EXTEND     0x00000182U
#define TPM_CC_GET_CAPABILITY 0x0000017AU
#define TPM_CAP_PCRS	      0x00000005U
#define TPM_RS_PW	      0x40000009U
#define TPM2_HEADER_SIZE      10
#define TPM2_MAX_PCR	      23
#define TPM2_PCR_SELECT_MAX   32

static void be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static void be32_put(uint8_t *p, uint32_t v)
{
	be16_put(p, (uint16_t)(v >> 16));
	be16_put(p + 2, (uint16_t)v);
}
static uint16_t be16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)be16_get(p) << 16 | be16_get(p + 2);
}

size_t tpm2_get_pcrs_command(uint8_t *buf)
{
	be16_put(buf, TPM_ST_NO_SESSIONS);
	be32_put(buf + 2, 22);
	be32_put(buf + 6, TPM_CC_GET_CAPABILITY);
	be32_put(buf + 10, TPM_CAP_PCRS);
	be32_put(buf + 14, 0); /* property: first PCR bank */
	be32_put(buf + 18, 1); /* propertyCount: the allocation is returned as one TPML */
	return 22;
}

/* Header checks shared by both responses: size field = bytes read, and the code. */
static int tpm2_response_header(const uint8_t *resp, size_t len, uint16_t ok_tag, uint32_t *ret_rc)
{
	if (len < TPM2_HEADER_SIZE || be32_get(resp + 2) != len)
		return -EPROTO;
	uint32_t rc = be32_get(resp + 6);
	if (rc != 0) {
		if (len != TPM2_HEADER_SIZE)
			return -EPROTO;
		*ret_rc = rc;
		return -EIO;
	}
	if (be16_get(resp) != ok_tag)
		return -EPROTO;
	*ret_rc = 0;
	return 0;
}

int tpm2_parse_pcrs_response(const uint8_t *resp, size_t len, unsigned pcr, uint16_t *ret_algs,
			     size_t *ret_n, uint32_t *ret_rc)
{
	uint32_t rc = 0;
	int r = tpm2_response_header(resp, len, TPM_ST_NO_SESSIONS, &rc);
	*ret_rc = rc;
	if (r < 0)
		return r;
	if (pcr > TPM2_MAX_PCR)
		return -EINVAL;

	/* moreData u8, capability u32, count u32 */
	size_t pos = TPM2_HEADER_SIZE;
	if (len - pos < 9 || be32_get(resp + pos + 1) != TPM_CAP_PCRS)
		return -EPROTO;
	/* moreData must be NO: a bank left out of this answer would not be extended, and
	 * whoever runs next could set PCR <pcr> in it to anything. */
	if (resp[pos] != 0)
		return -EPROTO;
	uint32_t count = be32_get(resp + pos + 5);
	pos += 9;
	/* Each selection takes at least 3 bytes: a count larger than what is left is a lie. */
	if (count > (len - pos) / 3)
		return -EPROTO;

	size_t n = 0;
	for (uint32_t i = 0; i < count; i++) {
		if (len - pos < 3)
			return -EPROTO;
		uint16_t alg = be16_get(resp + pos);
		uint8_t size_of_select = resp[pos + 2];
		pos += 3;
		if (size_of_select > TPM2_PCR_SELECT_MAX || len - pos < size_of_select)
			return -EPROTO;
		bool selected = pcr / 8 < size_of_select && (resp[pos + pcr / 8] >> (pcr % 8)) & 1;
		pos += size_of_select;
		if (!selected)
			continue;
		for (size_t j = 0; j < n; j++)
			if (ret_algs[j] == alg)
				return -EPROTO; /* the same bank twice */
		if (n >= TPM2_MAX_BANKS)
			return -E2BIG;
		ret_algs[n++] = alg;
	}
	if (pos != len)
		return -EPROTO;
	*ret_n = n;
	return 0;
}

int tpm2_pcr_extend_command(unsigned pcr, const struct tcg2_digest *digests, size_t n, uint8_t *buf,
			    size_t len)
{
	if (pcr > TPM2_MAX_PCR || n == 0 || n > TPM2_MAX_BANKS)
		return -EINVAL;
	size_t total = TPM2_HEADER_SIZE + 4 + 4 + 9 + 4;
	for (size_t i = 0; i < n; i++) {
		size_t dlen = hash_alg_size(digests[i].alg);
		if (dlen == 0)
			return -EINVAL;
		total += 2 + dlen;
	}
	if (total > len)
		return -EINVAL;

	be16_put(buf, TPM_ST_SESSIONS);
	be32_put(buf + 2, (uint32_t)total);
	be32_put(buf + 6, TPM_CC_PCR_EXTEND);
	be32_put(buf + 10, pcr); /* pcrHandle: PCR n is handle n */
	be32_put(buf + 14, 9);	 /* authorizationSize */
	be32_put(buf + 18, TPM_RS_PW);
	be16_put(buf + 22, 0); /* nonceCaller: empty */
	buf[24] = 0;	       /* sessionAttributes */
	be16_put(buf + 25, 0); /* hmac: the empty password of the PCRs' platform auth */
	be32_put(buf + 27, (uint32_t)n);
	size_t pos = 31;
	for (size_t i = 0; i < n; i++) {
		size_t dlen = hash_alg_size(digests[i].alg);
		be16_put(buf + pos, hash_alg_tcg_id(digests[i].alg));
		memcpy(buf + pos + 2, digests[i].value, dlen);
		pos += 2 + dlen;
	}
	return (int)total;
}

int tpm2_parse_extend_response(const uint8_t *resp, size_t len, uint32_t *ret_rc)
{
	uint32_t rc = 0;
	int r = tpm2_response_header(resp, len, TPM_ST_SESSIONS, &rc);
	*ret_rc = rc;
	if (r < 0)
		return r;
	/* parameterSize 0, then one session: empty nonce, attributes, empty hmac. */
	if (len != 19 || be32_get(resp + 10) != 0 || be16_get(resp + 14) != 0 ||
	    be16_get(resp + 17) != 0)
		return -EPROTO;
	return 0;
}

static int tpm_transmit(const struct init_sys *sys, int fd, const uint8_t *cmd, size_t cmd_len,
			uint8_t *resp, size_t *ret_len)
{
	/* The character device takes a command in one write and answers in one read. */
	ssize_t n = sys->write(fd, cmd, cmd_len);
	if (n < 0)
		return (int)n;
	if ((size_t)n != cmd_len)
		return -EIO;
	n = sys->read(fd, resp, TPM2_MAX_COMMAND);
	if (n < 0)
		return (int)n;
	*ret_len = (size_t)n;
	return 0;
}

static int tpm_measure_fd(const struct init_sys *sys, int fd, unsigned pcr, const uint8_t *event,
			  size_t event_len, struct tcg2_digest *digests, size_t *ret_n,
			  struct tdv_error *err)
{
	uint8_t cmd[TPM2_MAX_COMMAND], resp[TPM2_MAX_COMMAND];
	size_t resp_len = 0, n = 0;
	uint16_t algs[TPM2_MAX_BANKS];
	uint32_t rc;

	int r = tpm_transmit(sys, fd, cmd, tpm2_get_pcrs_command(cmd), resp, &resp_len);
	if (r < 0)
		return tdv_error_set(err, r, "TPM2_GetCapability(PCRS): %s", strerror(-r));
	r = tpm2_parse_pcrs_response(resp, resp_len, pcr, algs, &n, &rc);
	if (r == -EIO)
		return tdv_error_set(err, r, "TPM2_GetCapability(PCRS): TPM error 0x%x", rc);
	if (r < 0)
		return tdv_error_set(
		    err, r, "TPM2_GetCapability(PCRS): malformed response (%zu bytes)", resp_len);
	if (n == 0)
		return tdv_error_set(err, -ENODEV, "no active PCR bank holds PCR %u", pcr);

	/* Every active bank, or none: a bank left unextended could be extended later by
	 * anyone to the value a good boot gives. */
	for (size_t i = 0; i < n; i++) {
		enum hash_alg alg;
		if (hash_alg_from_tcg_id(algs[i], &alg) < 0)
			return tdv_error_set(err, -EOPNOTSUPP,
					     "active PCR bank 0x%04x is not an algorithm tdverity "
					     "knows; deactivate it",
					     algs[i]);
		digests[i].alg = alg;
		r = digest_buf(alg, event, event_len, digests[i].value);
		if (r == -EOPNOTSUPP)
			return tdv_error_set(err, r,
					     "active PCR bank %s (0x%04x): this tdverity-init cannot "
					     "compute it (built without libcrypto's SM3); deactivate "
					     "the bank",
					     hash_alg_name(alg), algs[i]);
		if (r < 0)
			return tdv_error_set(err, r, "hashing the event (%s): %s", hash_alg_name(alg),
					     strerror(-r));
	}

	int len = tpm2_pcr_extend_command(pcr, digests, n, cmd, sizeof(cmd));
	if (len < 0)
		return tdv_error_set(err, len, "building TPM2_PCR_Extend: %s", strerror(-len));
	r = tpm_transmit(sys, fd, cmd, (size_t)len, resp, &resp_len);
	if (r < 0)
		return tdv_error_set(err, r, "TPM2_PCR_Extend: %s", strerror(-r));
	r = tpm2_parse_extend_response(resp, resp_len, &rc);
	if (r == -EIO)
		return tdv_error_set(err, r, "TPM2_PCR_Extend(PCR %u): TPM error 0x%x", pcr, rc);
	if (r < 0)
		return tdv_error_set(err, r, "TPM2_PCR_Extend: malformed response (%zu bytes)",
				     resp_len);
	*ret_n = n;
	return 0;
}

int tpm_measure(const struct init_sys *sys, unsigned pcr, const uint8_t *event, size_t event_len,
		struct tcg2_digest *ret_digests, size_t *ret_n, struct tdv_error *err)
{
	int fd = sys->open(INIT_TPM_DEV, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return tdv_error_set(err, fd, "opening %s: %s", INIT_TPM_DEV, strerror(-fd));
	int r = tpm_measure_fd(sys, fd, pcr, event, event_len, ret_digests, ret_n, err);
	int rc = sys->close(fd);
	if (r < 0)
		return r;
	if (rc < 0)
		return tdv_error_set(err, rc, "closing %s: %s", INIT_TPM_DEV, strerror(-rc));
	return 0;
}
