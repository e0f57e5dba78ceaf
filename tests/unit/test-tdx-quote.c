/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-helpers.h"

#include "core/digest.h"
#include "core/tdx-quote.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

static void verify_ok(const uint8_t *q, size_t len, struct tdx_quote_verdict *v)
{
	struct tdx_quote quote;
	struct tdv_error err = { { 0 } };
	if (tdx_quote_parse(q, len, &quote, &err) < 0)
		fail_msg("parse: %s", err.msg);
	assert_int_equal(tdx_quote_verify(&quote, v, &err), 0);
}

static void test_synthetic_signed(void **state)
{
	const int kinds[][2] = { { 4, 2 }, { 5, 2 }, { 5, 3 } };
	for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
		struct unit_quote s = unit_quote_make(kinds[k][0], kinds[k][1], NULL);
		struct tdx_quote q;
		assert_int_equal(tdx_quote_parse(s.q, s.len, &q, NULL), 0);
		assert_int_equal(q.version, kinds[k][0]);
		assert_int_equal(q.body_type, kinds[k][1]);
		assert_int_equal(q.quote_len, s.len);
		size_t body_at = kinds[k][0] == 5 ? 54 : 48;
		assert_ptr_equal(q.td.mrtd, s.q + body_at + 136);
		assert_ptr_equal(q.td.rtmr[3], s.q + body_at + 472);
		assert_ptr_equal(q.td.reportdata, s.q + body_at + 520);
		assert_true((q.td.mrservicetd != NULL) == (kinds[k][1] == 3));

		struct tdx_quote_verdict v;
		verify_ok(s.q, s.len, &v);
		assert_true(v.ak_signature_ok && v.qe_binding_ok && v.pck_signature_ok);
		assert_int_equal(v.n_certs, 1);
		assert_string_equal(v.subjects[0], "/CN=test PCK");
		/* The chain's trust: test-quote-appraise.c. */

		/* Flips: body → AK signature; auth data → binding; QE report → PCK signature. */
		size_t sig_at = q.signed_len;
		size_t flips[][2] = { { 0, 0 }, { body_at + 200, 0 }, { sig_at + 4 + 5, 0 },
				      { (size_t)(q.qe_auth_data - s.q), 1 },
				      { (size_t)(q.qe_report - s.q) + 10, 2 },
				      { (size_t)(q.qe_report_signature - s.q) + 40, 2 } };
		for (size_t f = 1; f < ELEMENTSOF(flips); f++) {
			s.q[flips[f][0]] ^= 0x01;
			verify_ok(s.q, s.len, &v);
			bool want_ak = flips[f][1] != 0, want_bind = flips[f][1] != 1;
			bool want_pck = flips[f][1] != 2;
			assert_int_equal(v.ak_signature_ok, want_ak);
			assert_int_equal(v.qe_binding_ok, want_bind);
			assert_int_equal(v.pck_signature_ok, want_pck);
			s.q[flips[f][0]] ^= 0x01;
		}
		unit_quote_free(&s);
	}
}

static void test_every_truncation(void **state)
{
	struct unit_quote s = unit_quote_make(5, 3, NULL);
	for (size_t len = 0; len < s.len; len++) {
		uint8_t *cut = malloc(len ? len : 1); /* exact size: ASan sees any overread */
		memcpy(cut, s.q, len);
		struct tdx_quote q;
		struct tdv_error err = { { 0 } };
		assert_int_equal(tdx_quote_parse(cut, len, &q, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, "quote"));
		free(cut);
	}
	unit_quote_free(&s);
}

static void expect_parse(const struct unit_quote *s, size_t off, const void *patch, size_t n, int want)
{
	uint8_t *copy = malloc(s->len);
	memcpy(copy, s->q, s->len);
	memcpy(copy + off, patch, n);
	struct tdx_quote q;
	struct tdv_error err = { { 0 } };
	int r = tdx_quote_parse(copy, s->len, &q, &err);
	if (r != want)
		fail_msg("patch at %zu: got %d, want %d (%s)", off, r, want, err.msg);
	assert_true(err.msg[0] != '\0');
	free(copy);
}

static void test_malformed_fields(void **state)
{
	struct unit_quote s = unit_quote_make(5, 3, NULL);
	struct tdx_quote q;
	assert_int_equal(tdx_quote_parse(s.q, s.len, &q, NULL), 0);
	size_t sig = 54 + TDX_BODY_15_SIZE, sd = sig + 4;
	size_t qe_auth = (size_t)(q.qe_auth_data - s.q);

	expect_parse(&s, 0, "\x03\x00", 2, -EOPNOTSUPP);       /* version 3 (SGX) */
	expect_parse(&s, 0, "\x06\x00", 2, -EOPNOTSUPP);       /* version 6 */
	expect_parse(&s, 2, "\x03\x00", 2, -EOPNOTSUPP);       /* ECDSA-P384 key type */
	expect_parse(&s, 4, "\x00\x00\x00\x00", 4, -EOPNOTSUPP); /* SGX TEE type */
	expect_parse(&s, 48, "\x04\x00", 2, -EOPNOTSUPP);      /* body type 4 */
	expect_parse(&s, 48, "\x02\x00", 2, -EBADMSG);	       /* TDX 1.0 type with 1.5 size */
	expect_parse(&s, 50, "\xff\xff\xff\xff", 4, -EBADMSG);  /* giant body size */
	expect_parse(&s, sig, "\xff\xff\xff\xff", 4, -EBADMSG); /* giant signature length */
	expect_parse(&s, sig, "\x10\x00\x00\x00", 4, -EBADMSG); /* short: trailing bytes */
	expect_parse(&s, sd + 128, "\x05\x00", 2, -EOPNOTSUPP); /* cert type 5 at top level */
	expect_parse(&s, sd + 130, "\xff\xff\xff\xff", 4, -EBADMSG); /* giant cert size */
	expect_parse(&s, qe_auth - 2, "\xff\xff", 2, -EBADMSG); /* auth size past the end */
	expect_parse(&s, qe_auth + 32, "\x04\x00", 2, -EOPNOTSUPP); /* nested type 4 */
	expect_parse(&s, qe_auth + 34, "\xff\xff\xff\xff", 4, -EBADMSG); /* giant chain size */
	expect_parse(&s, qe_auth + 34, "\x01\x00\x00\x00", 4, -EBADMSG); /* chain too short */

	/* Trailing zeros (a fixed-size quote buffer) are fine; anything else is not. */
	uint8_t *padded = calloc(1, s.len + 100);
	memcpy(padded, s.q, s.len);
	assert_int_equal(tdx_quote_parse(padded, s.len + 100, &q, NULL), 0);
	assert_int_equal(q.quote_len, s.len);
	padded[s.len + 50] = 1;
	assert_int_equal(tdx_quote_parse(padded, s.len + 100, &q, NULL), -EBADMSG);
	free(padded);

	/* A chain that is not PEM: parse accepts the bytes, verify reports it. */
	uint8_t *copy = malloc(s.len);
	memcpy(copy, s.q, s.len);
	memset(copy + qe_auth + 32 + 6, 'x', 40);
	assert_int_equal(tdx_quote_parse(copy, s.len, &q, NULL), 0);
	struct tdx_quote_verdict v;
	struct tdv_error err = { { 0 } };
	assert_int_equal(tdx_quote_verify(&q, &v, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "PEM"));
	free(copy);
	unit_quote_free(&s);
}

/* ---- the real quotes (shared/testdata/tdx; values from PROVENANCE.md) ---- */

static uint8_t *read_real(const char *name, size_t *ret_len)
{
	const char *dir = unit_testdata_dir();
	if (!dir)
		return NULL;
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	uint8_t *data;
	assert_int_equal(read_full_file(path, 1 << 20, &data, ret_len), 0);
	return data;
}

#define Z48 "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

static void test_real_v4(void **state)
{
	size_t len;
	uint8_t *data = read_real("gcp-cos-grub/cos-113-tdx-quote.dat", &len);
	if (!data)
		skip();
	struct tdx_quote q;
	assert_int_equal(tdx_quote_parse(data, len, &q, NULL), 0);
	assert_int_equal(q.version, 4);
	assert_int_equal(q.att_key_type, 2);
	assert_int_equal(q.tee_type, 0x81);
	unit_assert_hex(q.td.mrtd, 48, "dae67181d3d65e073ad8f95b7907d5e927bfe9761c9ff3e9b89734a45d8954dba41394c7717cb2735396c1d04231f94a");
	unit_assert_hex(q.td.rtmr[0], 48, "3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6");
	unit_assert_hex(q.td.rtmr[1], 48, "f62dbc072bd5d3f3438b7b35c39a727f5aea2ffc2473f43723953f530daf62504f0a7944aa62c41a86e8a878c2b122c1");
	unit_assert_hex(q.td.rtmr[2], 48, "4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1");
	unit_assert_hex(q.td.rtmr[3], 48, Z48);
	unit_assert_hex(q.td.reportdata, 64, Z48 "00000000000000000000000000000000");
	assert_null(q.td.mrservicetd);
	assert_int_equal(q.qe_auth_len, 32);

	struct tdx_quote_verdict v;
	verify_ok(data, len, &v);
	assert_true(v.ak_signature_ok && v.qe_binding_ok && v.pck_signature_ok);
	assert_int_equal(v.n_certs, 3);
	assert_non_null(strstr(v.subjects[0], "Intel SGX PCK Certificate"));
	assert_non_null(strstr(v.subjects[2], "Intel SGX Root CA"));

	/* One flipped bit anywhere in the signed region breaks the AK signature. */
	const size_t offs[] = { 0, 9, 48, 48 + 136, 48 + 376, 48 + 568 + 63, 631 };
	for (size_t i = 0; i < ELEMENTSOF(offs); i++) {
		data[offs[i]] ^= 0x80;
		struct tdx_quote q2;
		if (tdx_quote_parse(data, len, &q2, NULL) == 0) {
			assert_int_equal(tdx_quote_verify(&q2, &v, NULL), 0);
			assert_false(v.ak_signature_ok);
		}
		data[offs[i]] ^= 0x80;
	}
	free(data);
}

static void test_real_v5(void **state)
{
	size_t len;
	uint8_t *data = read_real("trustee/tdx_quote_5.dat", &len);
	if (!data)
		skip();
	struct tdx_quote q;
	assert_int_equal(tdx_quote_parse(data, len, &q, NULL), 0);
	assert_int_equal(q.version, 5);
	assert_int_equal(q.body_type, 3);
	assert_int_equal(q.body_size, 648);
	assert_int_equal(q.signed_len, 702);
	assert_int_equal(le32_get(data + 702), 4300);
	assert_int_equal(q.cert_type, 6);
	assert_int_equal(q.pck_cert_type, 5);
	assert_int_equal(q.qe_auth_len, 32);
	unit_assert_hex(q.td.mrtd, 48, "dfba221b48a22af8511542ee796603f37382800840dcd978703909bf8e64d4c8a1e9de86e7c9638bfcba422f3886400a");
	unit_assert_hex(q.td.rtmr[0], 48, "9b529f3689e2e8ebb899e9abbbc3dab394d6545e8cdb28a2abb9cc2f377b83a65c01ba56b824cd3ee885df20051f5128");
	unit_assert_hex(q.td.rtmr[1], 48, "ca5a979317ffe8a527a3b7aadab03976d7cb6eef1041fb9bd9d69e6fafa7252cdc10e4c2a55e7ecbd2ddb5cacc867430");
	unit_assert_hex(q.td.rtmr[2], 48, Z48);
	unit_assert_hex(q.td.rtmr[3], 48, Z48);
	unit_assert_hex(q.td.reportdata, 64, "6d6ab13b046cff606ac0074be13981b07b6325dba10b5facc96febf551c0c3be2b75f92fe1f88f4bb996969ad0174b4b7a70261b7b85c844f4b33a4674fd049f");
	assert_non_null(q.td.mrservicetd);

	struct tdx_quote_verdict v;
	verify_ok(data, len, &v);
	assert_true(v.ak_signature_ok && v.qe_binding_ok && v.pck_signature_ok);
	data[54 + 600] ^= 1; /* MRSERVICETD: TDX 1.5 part of the signed body */
	verify_ok(data, len, &v);
	assert_false(v.ak_signature_ok);
	assert_true(v.qe_binding_ok && v.pck_signature_ok);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_signed),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_malformed_fields),
		cmocka_unit_test(test_real_v4),
		cmocka_unit_test(test_real_v5),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
