/* SPDX-License-Identifier: Apache-2.0 */
/* The probe agent's console lines: exact text, chunking and the blob digest. */
#include "unit-helpers.h"

#include "core/util.h"
#include "probe-agent/report.h"

#include <stdio.h>
#include <string.h>

/* Run fn on a temporary file and return what it wrote. */
static char *captured(int (*fn)(int fd, const void *arg), const void *arg, int *ret_r)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	*ret_r = fn(fileno(f), arg);
	long len = ftell(f);
	char *buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

struct blob_arg {
	const char *name;
	const uint8_t *data;
	size_t len;
};

static int write_blob(int fd, const void *arg)
{
	const struct blob_arg *b = arg;
	return probe_blob(fd, b->name, b->data, b->len);
}

static void test_blob_chunks(void **state)
{
	uint8_t data[PROBE_HEX_CHUNK + 2];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	struct blob_arg b = { "aael", data, sizeof(data) };
	int r;
	_cleanup_free_ char *out = captured(write_blob, &b, &r);
	assert_int_equal(r, 0);
	assert_string_equal(
		out,
		"TDVERITY-PROBE: blob aael size=50 chunks=2\n"
		"TDVERITY-PROBE: hex aael 0 000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
		"1c1d1e1f202122232425262728292a2b2c2d2e2f\n"
		"TDVERITY-PROBE: hex aael 1 3031\n"
		"TDVERITY-PROBE: blob-end aael "
		"sha256=a622e13829e488422ee72a5fc92cb11d25c3d0f185a1384b8138df5074c983bf\n");
}

static void test_blob_empty_and_bad_name(void **state)
{
	struct blob_arg b = { "x", NULL, 0 };
	int r;
	_cleanup_free_ char *out = captured(write_blob, &b, &r);
	assert_int_equal(r, 0);
	assert_string_equal(out, "TDVERITY-PROBE: blob x size=0 chunks=0\n"
				 "TDVERITY-PROBE: blob-end x "
				 "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
	struct blob_arg bad = { "a b", NULL, 0 };
	_cleanup_free_ char *out2 = captured(write_blob, &bad, &r);
	assert_int_equal(r, -EINVAL);
	assert_string_equal(out2, "");
}

static int write_long_line(int fd, const void *arg)
{
	return probe_line(fd, "%s", (const char *)arg);
}

static void test_line_never_cut(void **state)
{
	char long_text[600];
	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = 0;
	int r;
	_cleanup_free_ char *out = captured(write_long_line, long_text, &r);
	assert_int_equal(r, -EMSGSIZE);
	assert_string_equal(out, "");
	_cleanup_free_ char *ok = captured(write_long_line, "end", &r);
	assert_int_equal(r, 0);
	assert_string_equal(ok, "TDVERITY-PROBE: end\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blob_chunks),
		cmocka_unit_test(test_blob_empty_and_bad_name),
		cmocka_unit_test(test_line_never_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
