/* SPDX-License-Identifier: Apache-2.0 */
#include "host/pck-cert.h"

#include "core/util.h"

#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#define SGX_EXT_OID "1.2.840.113741.1.13.1"

static void seq_freep(ASN1_SEQUENCE_ANY **s) { sk_ASN1_TYPE_pop_free(*s, ASN1_TYPE_free); }

static ASN1_SEQUENCE_ANY *seq_parse(const uint8_t *der, size_t len)
{
	if (len > INT32_MAX)
		return NULL;
	const unsigned char *p = der;
	ASN1_SEQUENCE_ANY *s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len);
	if (s && p != der + len) {
		sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
		return NULL;
	}
	return s;
}

/* An element {OID, value} of the extension: the OID's arc below SGX_EXT_OID ("4", "2.17"). */
static ASN1_SEQUENCE_ANY *pair_parse(ASN1_TYPE *t, char *arc, size_t arc_size)
{
	if (!t || t->type != V_ASN1_SEQUENCE)
		return NULL;
	ASN1_SEQUENCE_ANY *pair = seq_parse(t->value.sequence->data,
					    (size_t)t->value.sequence->length);
	if (!pair || sk_ASN1_TYPE_num(pair) != 2 ||
	    sk_ASN1_TYPE_value(pair, 0)->type != V_ASN1_OBJECT) {
		sk_ASN1_TYPE_pop_free(pair, ASN1_TYPE_free);
		return NULL;
	}
	char oid[128];
	int n = OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_TYPE_value(pair, 0)->value.object, 1);
	size_t pre = strlen(SGX_EXT_OID);
	if (n <= 0 || (size_t)n >= sizeof(oid) || strncmp(oid, SGX_EXT_OID ".", pre + 1) != 0)
		snprintf(arc, arc_size, "?");
	else
		snprintf(arc, arc_size, "%s", oid + pre + 1);
	return pair;
}

static bool octets(ASN1_TYPE *v, uint8_t *out, int n)
{
	if (v->type != V_ASN1_OCTET_STRING || v->value.octet_string->length != n)
		return false;
	memcpy(out, v->value.octet_string->data, (size_t)n);
	return true;
}

static bool small_int(ASN1_TYPE *v, int64_t max, int64_t *ret)
{
	return v->type == V_ASN1_INTEGER && ASN1_INTEGER_get_int64(ret, v->value.integer) == 1 &&
	       *ret >= 0 && *ret <= max;
}

/* TCB: SEQUENCE of {OID .2.N, value}: N 1..16 components, 17 PCESVN, 18 CPUSVN. */
static int parse_tcb(ASN1_TYPE *v, struct pck_cert_info *info, struct tdv_error *err)
{
	if (v->type != V_ASN1_SEQUENCE)
		return tdv_error_set(err, -EBADMSG, "PCK certificate: TCB is not a SEQUENCE");
	_cleanup_(seq_freep) ASN1_SEQUENCE_ANY *tcb =
		seq_parse(v->value.sequence->data, (size_t)v->value.sequence->length);
	if (!tcb)
		return tdv_error_set(err, -EBADMSG, "PCK certificate: malformed TCB");
	uint32_t seen = 0;
	for (int i = 0; i < sk_ASN1_TYPE_num(tcb); i++) {
		char arc[128];
		_cleanup_(seq_freep) ASN1_SEQUENCE_ANY *pair =
			pair_parse(sk_ASN1_TYPE_value(tcb, i), arc, sizeof(arc));
		unsigned n = 0;
		char tail;
		if (!pair || sscanf(arc, "2.%u%c", &n, &tail) != 1 || n < 1 || n > 18 ||
		    (seen & 1U << n))
			return tdv_error_set(err, -EBADMSG, "PCK certificate: malformed TCB entry");
		seen |= 1U << n;
		ASN1_TYPE *val = sk_ASN1_TYPE_value(pair, 1);
		int64_t x = 0;
		bool ok = n <= 16   ? small_int(val, UINT8_MAX, &x)
			  : n == 17 ? small_int(val, UINT16_MAX, &x)
				    : octets(val, info->cpusvn, 16);
		if (!ok)
			return tdv_error_set(err, -EBADMSG, "PCK certificate: TCB entry %u out of range",
					     n);
		if (n <= 16)
			info->sgx_svn[n - 1] = (uint8_t)x;
		else if (n == 17)
			info->pcesvn = (uint16_t)x;
	}
	if ((seen & 0x3fffe) != 0x3fffe)
		return tdv_error_set(err, -EBADMSG,
				     "PCK certificate: TCB lacks a component or the PCESVN");
	return 0;
}

int pck_sgx_extension_parse(const uint8_t *der, size_t len, struct pck_cert_info *ret,
			    struct tdv_error *err)
{
	struct pck_cert_info info = { 0 };
	_cleanup_(seq_freep) ASN1_SEQUENCE_ANY *ext = seq_parse(der, len);
	if (!ext)
		return tdv_error_set(err, -EBADMSG, "PCK certificate: malformed SGX extension");
	bool have_tcb = false, have_fmspc = false, have_pceid = false;
	for (int i = 0; i < sk_ASN1_TYPE_num(ext); i++) {
		char arc[128];
		_cleanup_(seq_freep) ASN1_SEQUENCE_ANY *pair =
			pair_parse(sk_ASN1_TYPE_value(ext, i), arc, sizeof(arc));
		if (!pair)
			return tdv_error_set(err, -EBADMSG,
					     "PCK certificate: malformed SGX extension entry");
		ASN1_TYPE *val = sk_ASN1_TYPE_value(pair, 1);
		int r = 0;
		bool *seen = strcmp(arc, "2") == 0   ? &have_tcb
			     : strcmp(arc, "3") == 0 ? &have_pceid
			     : strcmp(arc, "4") == 0 ? &have_fmspc
						     : NULL;
		if (!seen)
			continue; /* PPID, SGX type, platform instance...: not used here */
		if (*seen)
			return tdv_error_set(err, -EBADMSG,
					     "PCK certificate: SGX extension entry %s repeated", arc);
		*seen = true;
		if (seen == &have_tcb)
			r = parse_tcb(val, &info, err);
		else if (!octets(val, seen == &have_fmspc ? info.fmspc : info.pce_id,
				 seen == &have_fmspc ? 6 : 2))
			r = tdv_error_set(err, -EBADMSG, "PCK certificate: malformed %s",
					  seen == &have_fmspc ? "FMSPC" : "PCE-ID");
		if (r < 0)
			return r;
	}
	if (!have_tcb || !have_fmspc || !have_pceid)
		return tdv_error_set(err, -EBADMSG,
				     "PCK certificate: SGX extension lacks TCB, FMSPC or PCE-ID");
	*ret = info;
	return 0;
}

int pck_cert_info_get(X509 *cert, struct pck_cert_info *ret, struct tdv_error *err)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(SGX_EXT_OID, 1);
	if (!oid)
		return tdv_error_set(err, -ENOMEM, "out of memory");
	int idx = X509_get_ext_by_OBJ(cert, oid, -1);
	int again = idx >= 0 ? X509_get_ext_by_OBJ(cert, oid, idx) : -1;
	ASN1_OBJECT_free(oid);
	if (idx < 0 || again >= 0)
		return tdv_error_set(err, -EBADMSG, "PCK certificate: %s Intel SGX extension",
				     idx < 0 ? "no" : "more than one");
	ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
	int r = pck_sgx_extension_parse(v->data, (size_t)v->length, ret, err);
	ERR_clear_error();
	return r;
}
