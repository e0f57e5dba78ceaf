/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-helpers.h"

#include "host/template-manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct manifest *parse_ok(const char *text)
{
	struct manifest *m = NULL;
	struct tdv_error err = { 0 };
	int r = manifest_parse(text, strlen(text), "m", &m, &err);
	if (r < 0)
		fail_msg("unexpected error: %s", err.msg);
	return m;
}

/* Parse must fail with -EINVAL (or code) and exactly this message. */
static void parse_fails(const char *text, int code, const char *msg)
{
	struct manifest *m = NULL;
	struct tdv_error err = { 0 };
	int r = manifest_parse(text, strlen(text), "m", &m, &err);
	assert_int_equal(r, code);
	assert_null(m);
	assert_string_equal(err.msg, msg);
}

static void test_every_directive(void **state)
{
	struct manifest *m = parse_ok("# comment\n"
				      "\n"
				      "   \t\n"
				      "dir /dev 755 0 0\n"
				      "file /sbin/init @AGENT@ 0755 0 0 /usr/bin/kata-agent bin/a\n"
				      "slink /bin /usr/bin 777 0 0\r\n"
				      "nod /dev/console 600 0 5 c 5 1\n");
	assert_int_equal(m->n_lines, 4);
	struct manifest_line *l = m->lines;
	assert_int_equal(l[0].kind, MANIFEST_DIR);
	assert_int_equal(l[0].line, 4);
	assert_string_equal(l[0].name, "/dev");
	assert_int_equal(l[0].mode, 0755);

	assert_int_equal(l[1].kind, MANIFEST_FILE);
	assert_string_equal(l[1].location, "@AGENT@");
	assert_int_equal(l[1].n_links, 2);
	assert_string_equal(l[1].links[0], "/usr/bin/kata-agent");
	assert_string_equal(l[1].links[1], "/bin/a");

	assert_int_equal(l[2].kind, MANIFEST_SLINK);
	assert_string_equal(l[2].location, "/usr/bin");
	assert_int_equal(l[2].mode, 0777);

	assert_int_equal(l[3].kind, MANIFEST_NOD);
	assert_int_equal(l[3].dev_type, 'c');
	assert_int_equal(l[3].major, 5);
	assert_int_equal(l[3].minor, 1);
	assert_int_equal(l[3].gid, 5);
	manifest_free(m);

	/* The pipe line had trailing words: that is a field-count error. */
	parse_fails("pipe /run/fifo 0600 1000 1000 # x\n", -EINVAL,
		    "m:1: wrong number of fields, expected '<directive> <name> <mode> <uid> <gid>'");

	m = parse_ok("pipe /run/fifo 0600 1000 1000\nsock run/sock 0600 4294967294 7\nbase\n"
		     "xattr /sbin/init security.capability 0x0100000200\nxattr /etc user.note hi\n");
	l = m->lines;
	assert_int_equal(l[0].kind, MANIFEST_PIPE);
	assert_int_equal(l[0].uid, 1000);
	assert_int_equal(l[1].kind, MANIFEST_SOCK);
	assert_string_equal(l[1].name, "/run/sock");
	assert_int_equal(l[1].uid, 4294967294u);
	assert_int_equal(l[2].kind, MANIFEST_BASE);
	assert_int_equal(l[3].kind, MANIFEST_XATTR);
	assert_string_equal(l[3].xattr_key, "security.capability");
	assert_int_equal(l[3].xattr_len, 5);
	assert_memory_equal(l[3].xattr_value, "\x01\x00\x00\x02\x00", 5);
	assert_int_equal(l[4].xattr_len, 2);
	assert_memory_equal(l[4].xattr_value, "hi", 2);
	manifest_free(m);

	m = parse_ok("nod /dev/sda 0660 0 6 b 4095 1048575\ndir / 0755 0 0");
	assert_int_equal(m->lines[0].dev_type, 'b');
	assert_int_equal(m->lines[0].major, 4095);
	assert_int_equal(m->lines[0].minor, 1048575);
	assert_string_equal(m->lines[1].name, "/");
	manifest_free(m);

	m = parse_ok("");
	assert_int_equal(m->n_lines, 0);
	manifest_free(m);
}

static void test_malformed(void **state)
{
	parse_fails("frob /x 0755 0 0\n", -EINVAL, "m:1: unknown directive 'frob'");
	parse_fails("\n\nDIR /x 0755 0 0\n", -EINVAL, "m:3: unknown directive 'DIR'");
	parse_fails("dir /x 0758 0 0", -EINVAL, "m:1: invalid mode '0758' (octal, at most 07777)");
	parse_fails("dir /x 17777 0 0", -EINVAL, "m:1: invalid mode '17777' (octal, at most 07777)");
	parse_fails("dir /x -755 0 0", -EINVAL, "m:1: invalid mode '-755' (octal, at most 07777)");
	parse_fails("dir /x 0755 root 0", -EINVAL,
		    "m:1: invalid uid 'root' (decimal, 0..4294967294)");
	parse_fails("dir /x 0755 4294967295 0", -EINVAL,
		    "m:1: invalid uid '4294967295' (decimal, 0..4294967294)");
	parse_fails("dir /x 0755 0 -1", -EINVAL, "m:1: invalid gid '-1' (decimal, 0..4294967294)");
	parse_fails("dir /x 0755 0 99999999999", -EINVAL,
		    "m:1: invalid gid '99999999999' (decimal, 0..4294967294)");
	parse_fails("dir /x 0755 0", -EINVAL,
		    "m:1: wrong number of fields, expected '<directive> <name> <mode> <uid> <gid>'");
	parse_fails("dir /a/../b 0755 0 0", -EINVAL,
		    "m:1: invalid name '/a/../b' (empty, '.' or '..' component, or too long)");
	parse_fails("dir /a//b 0755 0 0", -EINVAL,
		    "m:1: invalid name '/a//b' (empty, '.' or '..' component, or too long)");
	parse_fails("dir /a/ 0755 0 0", -EINVAL,
		    "m:1: invalid name '/a/' (empty, '.' or '..' component, or too long)");
	parse_fails("dir ./a 0755 0 0", -EINVAL,
		    "m:1: invalid name './a' (empty, '.' or '..' component, or too long)");
	parse_fails("file /a 0644 0 0", -EINVAL,
		    "m:1: wrong number of fields, expected 'file <name> <location> <mode> <uid> "
		    "<gid> [<hard links>...]'");
	parse_fails("file /a a 0644 0 0 /b/../c", -EINVAL,
		    "m:1: invalid hard link name '/b/../c' (empty, '.' or '..' component, or too "
		    "long)");
	parse_fails("slink /a 0777 0 0", -EINVAL,
		    "m:1: wrong number of fields, expected 'slink <name> <target> <mode> <uid> "
		    "<gid>'");
	parse_fails("nod /dev/x 0600 0 0 x 1 1", -EINVAL, "m:1: invalid device type 'x' (b or c)");
	parse_fails("nod /dev/x 0600 0 0 c 4096 1", -EINVAL, "m:1: invalid major '4096' (0..4095)");
	parse_fails("nod /dev/x 0600 0 0 c 1 1048576", -EINVAL,
		    "m:1: invalid minor '1048576' (0..1048575)");
	parse_fails("nod /dev/x 0600 0 0 c 1", -EINVAL,
		    "m:1: wrong number of fields, expected 'nod <name> <mode> <uid> <gid> <b|c> "
		    "<major> <minor>'");
	parse_fails("base /srv", -EINVAL, "m:1: wrong number of fields, expected 'base'");
	parse_fails("xattr /a system.posix_acl_access 0x00", -EINVAL,
		    "m:1: invalid xattr key 'system.posix_acl_access' (user.*, trusted.* or "
		    "security.*, at most 255 bytes)");
	parse_fails("xattr /a user. x", -EINVAL,
		    "m:1: invalid xattr key 'user.' (user.*, trusted.* or security.*, at most 255 "
		    "bytes)");
	parse_fails("xattr /a user.x 0xabc", -EINVAL,
		    "m:1: invalid xattr value: hex needs an even number of digits, at most 4000 "
		    "bytes");
	parse_fails("xattr /a user.x 0xzz", -EINVAL, "m:1: invalid xattr value: bad hex digit");
	parse_fails("xattr /a user.x", -EINVAL,
		    "m:1: wrong number of fields, expected 'xattr <name> <key> <value>'");
}

static void test_nul_and_limits(void **state)
{
	struct manifest *m = NULL;
	struct tdv_error err = { 0 };
	static const char nul[] = "dir /a 0755 0 0\n\0";
	assert_int_equal(manifest_parse(nul, sizeof(nul) - 1, "m", &m, &err), -EINVAL);
	assert_string_equal(err.msg, "m: NUL byte in manifest");

	/* Too many fields on one line. */
	char line[1024] = "file /a a 0644 0 0";
	for (int i = 0; i < 70; i++)
		strcat(line, " /l");
	assert_int_equal(manifest_parse(line, strlen(line), "m", &m, &err), -EINVAL);
	assert_string_equal(err.msg, "m:1: too many fields (at most 64)");

	/* A path longer than 4095 bytes. */
	char *longp = malloc(5000);
	assert_non_null(longp);
	strcpy(longp, "dir ");
	for (int i = 0; i < 20; i++)
		strcat(longp, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	strcat(longp, " 0755 0 0");
	assert_int_equal(manifest_parse(longp, strlen(longp), "m", &m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "m:1: invalid name '"));
	free(longp);
	assert_null(m);
}

static void test_normalize(void **state)
{
	char *p;
	assert_string_equal(p = rootfs_path_normalize("a/b"), "/a/b");
	free(p);
	assert_string_equal(p = rootfs_path_normalize("/"), "/");
	free(p);
	assert_string_equal(p = rootfs_path_normalize("/a.b/..c/...d"), "/a.b/..c/...d");
	free(p);
	assert_null(rootfs_path_normalize(""));
	assert_null(rootfs_path_normalize("//"));
	assert_null(rootfs_path_normalize("/a/."));
	assert_null(rootfs_path_normalize(".."));
	char comp[300];
	memset(comp, 'x', 256);
	comp[256] = '\0';
	assert_null(rootfs_path_normalize(comp));
	comp[255] = '\0';
	assert_non_null(p = rootfs_path_normalize(comp));
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_directive),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_and_limits),
		cmocka_unit_test(test_normalize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
