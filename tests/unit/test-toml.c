/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-helpers.h"

#include "host/toml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct toml_doc *parse_ok(const char *text)
{
	struct toml_doc *d = NULL;
	struct tdv_error err = { 0 };
	int r = toml_parse(text, strlen(text), "t", &d, &err);
	if (r < 0)
		fail_msg("unexpected error: %s", err.msg);
	return d;
}

static void parse_fails_len(const char *text, size_t len, const char *msg)
{
	struct toml_doc *d = NULL;
	struct tdv_error err = { 0 };
	int r = toml_parse(text, len, "t", &d, &err);
	assert_int_equal(r, -EINVAL);
	assert_null(d);
	assert_string_equal(err.msg, msg);
}

static void parse_fails(const char *text, const char *msg)
{
	parse_fails_len(text, strlen(text), msg);
}

static void test_values(void **state)
{
	struct toml_doc *d = parse_ok("# top\n"
				      "top = 'lit \\n'\n"
				      "[hypervisor.qemu]\n"
				      "path = \"/usr/bin/qemu\" # trailing\n"
				      "kernel_params = \"a=1 b=\\\"x y\\\" \\u00e9\\t\"\r\n"
				      "n = -42\n"
				      "h = 0xff_ff\n"
				      "f = 1.5e3\n"
				      "on = true\n"
				      "\"quoted key\" = false\n"
				      "list = [\n"
				      "  \"a\", # one\n"
				      "  'b',\n"
				      "  [1, 2],\n"
				      "]\n"
				      "empty = []\n"
				      "[agent.kata]\n"
				      "enable_debug = false\n");
	const struct toml_value *v = toml_get(d, "", "top");
	assert_non_null(v);
	assert_string_equal(v->string, "lit \\n");
	v = toml_get(d, "hypervisor.qemu", "kernel_params");
	assert_int_equal(v->type, TOML_STRING);
	assert_string_equal(v->string, "a=1 b=\"x y\" \xc3\xa9\t");
	assert_int_equal(v->line, 5);
	assert_int_equal(toml_get(d, "hypervisor.qemu", "n")->integer, -42);
	assert_int_equal(toml_get(d, "hypervisor.qemu", "h")->integer, 0xffff);
	assert_true(toml_get(d, "hypervisor.qemu", "f")->number == 1500.0);
	assert_true(toml_get(d, "hypervisor.qemu", "on")->boolean);
	assert_int_equal(toml_get(d, "hypervisor.qemu", "quoted key")->type, TOML_BOOL);
	v = toml_get(d, "hypervisor.qemu", "list");
	assert_int_equal(v->n_items, 3);
	assert_string_equal(v->items[1].string, "b");
	assert_int_equal(v->items[2].items[1].integer, 2);
	assert_int_equal(toml_get(d, "hypervisor.qemu", "empty")->n_items, 0);
	assert_false(toml_get(d, "agent.kata", "enable_debug")->boolean);
	assert_null(toml_get(d, "agent.kata", "path"));
	assert_true(toml_has_table(d, "hypervisor.qemu"));
	assert_false(toml_has_table(d, "hypervisor"));
	toml_free(d);
}

static void test_malformed(void **state)
{
	parse_fails("a = \n", "t:1: expected a value");
	parse_fails("a = \"x\n", "t:1: unterminated string");
	parse_fails("a = 'x", "t:1: unterminated string");
	parse_fails("a = \"\"\"x\"\"\"\n", "t:1: multi-line strings are not supported");
	parse_fails("a = { b = 1 }\n", "t:1: inline tables are not supported");
	parse_fails("[[a]]\n", "t:1: arrays of tables ([[...]]) are not supported");
	parse_fails("a.b = 1\n", "t:1: dotted keys are not supported");
	parse_fails("a = 1\na = 2\n", "t:2: key defined twice");
	parse_fails("[x]\n[x]\n", "t:2: table defined twice");
	parse_fails("[x]\na = 1\n[x.a]\n", "t:3: table defined twice");
	parse_fails("[x.a]\n[x]\na = 1\n", "t:3: key defined twice");
	parse_fails("[\"x.y\"]\n", "t:1: empty table key or '.' inside a quoted table key");
	parse_fails("[x\n", "t:1: expected ']' after a table name");
	parse_fails("a = 1 2\n", "t:1: unexpected text after the value");
	parse_fails("a = 007\n", "t:1: leading zeros in an integer");
	parse_fails("a = 1__0\n", "t:1: malformed integer");
	parse_fails("a = 9223372036854775808\n", "t:1: integer out of range");
	parse_fails("a = 1.\n", "t:1: malformed float");
	parse_fails("a = inf\n", "t:1: unknown value (inf and nan are not supported)");
	parse_fails("a = 1979-05-27\n", "t:1: dates and times are not supported");
	parse_fails("a = \"\\q\"\n", "t:1: unknown escape in a string");
	parse_fails("a = \"\\u0000\"\n", "t:1: \\u escape is NUL, a surrogate or beyond U+10FFFF");
	parse_fails("a = \"\\ud800\"\n", "t:1: \\u escape is NUL, a surrogate or beyond U+10FFFF");
	parse_fails("a = \"\\u12\"\n", "t:1: bad \\u escape (expected hex digits)");
	parse_fails("a = \"x\x01\"\n", "t:1: control character in a string");
	parse_fails("# x\x7f\n", "t:1: control character in a comment");
	parse_fails("a = [1, 2\n", "t:2: unterminated array");
	parse_fails("a = [1 2]\n", "t:1: expected ',' or ']' in an array");
	parse_fails("= 1\n", "t:1: expected a key");
	parse_fails("a 1\n", "t:1: expected '=' after a key");
	parse_fails("\n\nb = \"\xc3\x28\"\n", "t:3: invalid UTF-8 or a NUL byte");
	parse_fails("a = \"\xed\xa0\x80\"\n", "t:1: invalid UTF-8 or a NUL byte");
	parse_fails_len("a = 1\0\n", 7, "t:1: invalid UTF-8 or a NUL byte");
	char deep[64] = "a = ";
	for (int i = 0; i < 20; i++)
		strcat(deep, "[");
	parse_fails(deep, "t:1: arrays nested too deeply");
}

static void test_limits(void **state)
{
	struct toml_doc *d = NULL;
	struct tdv_error err = { 0 };
	static char big[TOML_MAX_SIZE + 1];
	memset(big, '#', sizeof(big));
	assert_int_equal(toml_parse(big, sizeof(big), "t", &d, &err), -EFBIG);
	assert_null(d);
	d = parse_ok("");
	assert_int_equal(d->n_entries, 0);
	toml_free(d);
	toml_free(NULL);
}

static void test_quote_round_trip(void **state)
{
	static const char *const values[] = { "", "plain", "q\"uote\\back", "tab\tnl\n\x7f\x01",
					      "\xc3\xa9" };
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char *q = toml_quote(values[i]);
		assert_non_null(q);
		char text[128];
		snprintf(text, sizeof(text), "k = %s\n", q);
		struct toml_doc *d = parse_ok(text);
		assert_string_equal(toml_get(d, "", "k")->string, values[i]);
		toml_free(d);
		free(q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_quote_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
