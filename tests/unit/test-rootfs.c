/* SPDX-License-Identifier: Apache-2.0 */
/* Template loading: manifests resolved against a template folder, an agent and a base. */
#include "unit-helpers.h"

#include "core/util.h"
#include "host/rootfs.h"
#include "core/digest.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static char top[256];	   /* scratch folder of the current test */
static char tmpl[300];	   /* top/t: the template */
static char agent[300];	   /* top/agent: a real ELF executable (a copy of /bin/true) */

static void put(const char *rel, const char *content)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static void mkd(const char *rel)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void copy_file(const char *from, const char *to)
{
	char cmd[1400];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	if (unit_scratch_dir_make(top, sizeof(top), "tdv-rootfs") < 0)
		return -1;
	snprintf(tmpl, sizeof(tmpl), "%s/t", top);
	snprintf(agent, sizeof(agent), "%s/agent", top);
	mkd("t");
	copy_file("/bin/true", agent);
	return 0;
}

static int teardown(void **state)
{
	return unit_scratch_dir_remove(top);
}

static int load(const char *manifest, const char *agent_path, const char *base,
		struct rootfs_tree **ret, struct tdv_error *err)
{
	put("t/manifest", manifest);
	struct rootfs_template_inputs in = { tmpl, agent_path, base, NULL, 0 };
	return rootfs_tree_load(&in, ret, err);
}

static struct rootfs_tree *load_ok(const char *manifest, const char *agent_path,
				   const char *base)
{
	struct rootfs_tree *t = NULL;
	struct tdv_error err = { 0 };
	if (load(manifest, agent_path, base, &t, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	return t;
}

/* Loading must fail and the message must contain want (paths vary per run). */
static void load_fails(const char *manifest, const char *agent_path, const char *base,
		       const char *want)
{
	struct rootfs_tree *t = NULL;
	struct tdv_error err = { 0 };
	int r = load(manifest, agent_path, base, &t, &err);
	if (r >= 0 || !strstr(err.msg, want))
		fail_msg("expected an error with '%s', got %d '%s'", want, r, err.msg);
	assert_null(t);
}

static const struct rootfs_entry_info *entry(const struct rootfs_tree *t, const char *path)
{
	static struct rootfs_entry_info info;
	for (size_t i = 0; i < rootfs_tree_count(t); i++) {
		assert_int_equal(rootfs_tree_entry(t, i, &info), 0);
		if (strcmp(info.path, path) == 0)
			return &info;
	}
	fail_msg("no entry %s", path);
	return NULL;
}

static bool has_entry(const struct rootfs_tree *t, const char *path)
{
	struct rootfs_entry_info info;
	for (size_t i = 0; i < rootfs_tree_count(t); i++)
		if (rootfs_tree_entry(t, i, &info) == 0 && strcmp(info.path, path) == 0)
			return true;
	return false;
}

static void test_manifest_tree(void **state)
{
	mkd("t/etc");
	put("t/etc/passwd", "root:x:0:0::/:/bin/false\n");
	char link[600];
	snprintf(link, sizeof(link), "%s/passwd-link", tmpl);
	assert_int_equal(symlink("etc/passwd", link), 0); /* inside the template: allowed */
	struct rootfs_tree *t = load_ok("dir /sbin 0755 0 0\n"
					"file /sbin/init @AGENT@ 0755 0 0 /usr/bin/kata-agent\n"
					"dir /usr 0755 0 0\n"
					"dir /usr/bin 0755 0 0\n"
					"dir /etc 0755 0 0\n"
					"file /etc/passwd etc/passwd 0644 0 0\n"
					"file /etc/passwd2 passwd-link 0600 1 2\n"
					"slink /bin usr/bin 0777 0 0\n"
					"dir /dev 0755 0 0\n"
					"nod /dev/null 0666 0 0 c 1 3\n"
					"nod /dev/sda 0660 0 6 b 8 0\n"
					"pipe /fifo 0600 0 0\n"
					"sock /sock 0600 0 0\n"
					"xattr /etc/passwd user.a x\n"
					"dir / 0700 0 0\n",
					agent, NULL);
	static const char *const order[] = {
		"/", "/bin", "/dev", "/dev/null", "/dev/sda", "/etc", "/etc/passwd", "/etc/passwd2",
		"/fifo", "/sbin", "/sbin/init", "/sock", "/usr", "/usr/bin", "/usr/bin/kata-agent",
	};
	assert_int_equal(rootfs_tree_count(t), ELEMENTSOF(order));
	for (size_t i = 0; i < ELEMENTSOF(order); i++) {
		struct rootfs_entry_info info;
		assert_int_equal(rootfs_tree_entry(t, i, &info), 0);
		assert_string_equal(info.path, order[i]);
	}
	assert_int_equal(entry(t, "/")->mode, S_IFDIR | 0700);
	assert_string_equal(entry(t, "/bin")->target, "usr/bin");
	assert_int_equal(entry(t, "/dev/sda")->mode, S_IFBLK | 0660);
	assert_int_equal(entry(t, "/dev/sda")->major, 8);
	assert_int_equal(entry(t, "/dev/null")->mode, S_IFCHR | 0666);
	assert_int_equal(entry(t, "/fifo")->mode, S_IFIFO | 0600);
	assert_int_equal(entry(t, "/sock")->mode, S_IFSOCK | 0600);
	assert_int_equal(entry(t, "/etc/passwd")->n_xattrs, 1);
	assert_int_equal(entry(t, "/etc/passwd2")->size, 25);
	assert_int_equal(entry(t, "/etc/passwd2")->uid, 1);
	assert_true(entry(t, "/sbin/init")->hard_linked);
	assert_true(entry(t, "/usr/bin/kata-agent")->hard_linked);
	assert_false(entry(t, "/etc/passwd")->hard_linked);

	/* Inputs: sorted by path, with roles and digests. */
	const struct rootfs_input *in;
	size_t n;
	assert_int_equal(rootfs_tree_inputs(t, &in, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(in[0].role, "agent");
	assert_string_equal(in[0].path, agent);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(in[i - 1].path, in[i].path) < 0);
	bool saw_manifest = false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(in[i].role, "template-manifest") == 0)
			saw_manifest = true;
	assert_true(saw_manifest);
	/* SHA-256 of "root:x:0:0::/:/bin/false\n" for both file inputs. */
	for (size_t i = 0; i < n; i++)
		if (strcmp(in[i].role, "file") == 0)
			unit_assert_hex(in[i].sha256, 32, "22a0bb125f4c38f5e798a5798ae2e972c12bb0aa07ef426c0e2169542430eede");
	rootfs_tree_free(t);
}

static void test_agent_checks(void **state)
{
	const char *m = "file /init @AGENT@ 0755 0 0\n";
	load_fails(m, "/nonexistent/agent", NULL,
		   "agent /nonexistent/agent: cannot open: No such file or directory");
	load_fails(m, NULL, NULL, "manifest:1: @AGENT@ used but no agent was given");
	char path[600];
	snprintf(path, sizeof(path), "%s/script", top);
	put("script", "#!/bin/sh\necho not an ELF but long enough to be read\n");
	chmod(path, 0755);
	load_fails(m, path, NULL, "script: not an ELF file");
	/* An ELF relocatable object (type 1) is not an executable. */
	unsigned char rel[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	rel[16] = 1;
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(rel, 1, sizeof(rel), f), sizeof(rel));
	fclose(f);
	load_fails(m, path, NULL, "not an executable ELF (ELF type 1, want EXEC or DYN)");
	load_fails(m, top, NULL, "not a regular file");
	load_fails("file /init @AGENT@x 0755 0 0\n", agent, NULL,
		   "manifest:1: unknown substitution '@AGENT@x' (known: @AGENT@ and the --input names)");
	load_fails("file /init bin/@AGENT@ 0755 0 0\n", agent, NULL,
		   "manifest:1: '@' in location 'bin/@AGENT@'");
}

static void test_escapes(void **state)
{
	char link[600];
	snprintf(link, sizeof(link), "%s/evil", tmpl);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	snprintf(link, sizeof(link), "%s/evil2", tmpl);
	assert_int_equal(symlink("../secret", link), 0);
	put("secret", "outside the template\n");
	load_fails("file /x /etc/passwd 0644 0 0\n", NULL, NULL,
		   "manifest:1: file location '/etc/passwd' must be a relative path inside the "
		   "template folder");
	load_fails("file /x ../secret 0644 0 0\n", NULL, NULL,
		   "manifest:1: file location '../secret' must be a relative path");
	load_fails("file /x evil 0644 0 0\n", NULL, NULL,
		   "t/evil: it leads outside the template folder");
	load_fails("file /x evil2 0644 0 0\n", NULL, NULL,
		   "t/evil2: it leads outside the template folder");
	load_fails("file /x missing 0644 0 0\n", NULL, NULL,
		   "t/missing: No such file or directory");
	mkd("t/sub");
	load_fails("file /x sub 0644 0 0\n", NULL, NULL, "t/sub is not a regular file");
	load_fails("dir /../x 0755 0 0\n", NULL, NULL, "manifest:1: invalid name '/../x'");
}

static void test_tree_rules(void **state)
{
	put("t/a", "a");
	load_fails("file /a a 0644 0 0\ndir /b 0755 0 0\nfile /a a 0644 0 0\n", NULL, NULL,
		   "manifest:3: duplicate path /a (first at line 1)");
	load_fails("file /a a 0644 0 0 /b\ndir /b 0755 0 0\n", NULL, NULL,
		   "manifest:2: duplicate path /b (first at line 1)");
	load_fails("dir /x/y 0755 0 0\n", NULL, NULL,
		   "manifest:1: parent directory /x of /x/y is not declared (add a 'dir' line)");
	load_fails("file /a a 0644 0 0\nfile /a/b a 0644 0 0\n", NULL, NULL,
		   "manifest:2: parent /a of /a/b is not a directory");
	load_fails("slink / x 0777 0 0\n", NULL, NULL, "manifest:1: / must be a directory");
	load_fails("file /lost+found a 0644 0 0\n", NULL, NULL,
		   "manifest:1: /lost+found must be a directory");
	load_fails("base\n", NULL, NULL, "manifest:1: template needs a base (--base DIR|TAR)");
	load_fails("dir /x 0755 0 0\n", NULL, top, "a base was given but the template has no "
						   "'base' line");
	load_fails("base\nbase\n", NULL, top, "manifest:2: second 'base' line");
	load_fails("xattr /nope user.a b\n", NULL, NULL,
		   "manifest:1: xattr for /nope, which does not exist");
	load_fails("file /a a 0644 0 0\nxattr /a user.x 1\nxattr /a user.x 2\n", NULL, NULL,
		   "manifest:3: duplicate xattr user.x on /a");
	load_fails("frob\n", NULL, NULL, "manifest:1: unknown directive 'frob'");
	load_fails("dir /x 0755 0 root\n", NULL, NULL, "manifest:1: invalid gid 'root'");
	/* No manifest at all. */
	struct rootfs_template_inputs in = { top, NULL, NULL, NULL, 0 };
	struct rootfs_tree *t = NULL;
	struct tdv_error err = { 0 };
	assert_true(rootfs_tree_load(&in, &t, &err) < 0);
	assert_non_null(strstr(err.msg, "cannot read manifest: No such file or directory"));
	assert_null(t);
	/* A manifest that is a symlink out of the template folder. */
	char path[600];
	snprintf(path, sizeof(path), "%s/manifest", tmpl);
	assert_int_equal(unlink(path), 0);
	put("outside", "dir /x 0755 0 0\n");
	assert_int_equal(symlink("../outside", path), 0);
	in.template_dir = tmpl;
	assert_true(rootfs_tree_load(&in, &t, &err) < 0);
	assert_non_null(strstr(err.msg, "the manifest leads outside the template folder"));
	assert_null(t);
	/* No template folder. */
	in.template_dir = "/nonexistent/template";
	assert_int_equal(rootfs_tree_load(&in, &t, &err), -ENOENT);
	assert_string_equal(err.msg, "template /nonexistent/template: No such file or directory");
}

static void test_base_folder(void **state)
{
	mkd("b");
	mkd("b/etc");
	mkd("b/usr");
	mkd("b/usr/bin");
	put("b/etc/hostname", "base\n");
	put("b/etc/os-release", "ID=test\n");
	put("b/usr/bin/tool", "#!/bin/sh\n");
	char p1[600], p2[600];
	snprintf(p1, sizeof(p1), "%s/b/usr/bin/tool", top);
	snprintf(p2, sizeof(p2), "%s/b/usr/bin/tool2", top);
	assert_int_equal(link(p1, p2), 0);
	/* An absolute symlink out of the base: kept as a symlink, never followed. */
	snprintf(p1, sizeof(p1), "%s/b/etc/passwd", top);
	assert_int_equal(symlink("/etc/shadow", p1), 0);
	/* trusted.* on a symlink needs CAP_SYS_ADMIN; without it that check is left out. */
	bool symlink_xattr = lsetxattr(p1, "trusted.t", "v", 1, 0) == 0;
	snprintf(p1, sizeof(p1), "%s/b/usr/bin/tool", top);
	chmod(p1, 04755);
	put("t/hostname", "template\n");
	char base[600];
	snprintf(base, sizeof(base), "%s/b", top);
	struct rootfs_tree *t = load_ok("base\n"
					"file /etc/hostname hostname 0600 0 0\n"
					"dir /srv 0750 0 0\n",
					NULL, base);
	assert_int_equal(rootfs_tree_count(t), 10);
	assert_true(S_ISDIR(entry(t, "/")->mode));
	assert_string_equal(entry(t, "/etc/passwd")->target, "/etc/shadow");
	assert_int_equal(entry(t, "/etc/passwd")->n_xattrs, symlink_xattr ? 1 : 0);
	assert_int_equal(entry(t, "/etc/hostname")->mode, S_IFREG | 0600); /* replaced */
	assert_int_equal(entry(t, "/etc/hostname")->size, 9);
	assert_int_equal(entry(t, "/usr/bin/tool")->mode, S_IFREG | 04755);
	assert_true(entry(t, "/usr/bin/tool")->hard_linked);
	assert_true(entry(t, "/usr/bin/tool2")->hard_linked);
	assert_false(entry(t, "/etc/os-release")->hard_linked);
	assert_int_equal(entry(t, "/srv")->mode, S_IFDIR | 0750);
	const struct rootfs_input *in;
	size_t n;
	assert_int_equal(rootfs_tree_inputs(t, &in, &n), 0);
	assert_int_equal(n, 3); /* base, template manifest, hostname */
	assert_string_equal(in[0].role, "base");
	uint8_t first[32];
	memcpy(first, in[0].sha256, 32);
	rootfs_tree_free(t);

	/* The base digest follows the content. */
	put("b/etc/os-release", "ID=other\n");
	t = load_ok("base\nfile /etc/hostname hostname 0600 0 0\ndir /srv 0750 0 0\n", NULL, base);
	assert_int_equal(rootfs_tree_inputs(t, &in, &n), 0);
	assert_memory_not_equal(first, in[0].sha256, 32);
	rootfs_tree_free(t);

	/* A manifest line under a base folder's symlink is refused. */
	load_fails("base\nfile /etc/passwd/x hostname 0600 0 0\n", NULL, base,
		   "parent /etc/passwd of /etc/passwd/x is not a directory");
}

static void add_member(struct archive *a, const char *name, mode_t type, mode_t perm,
		       const char *data, const char *link_target, const char *hardlink)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_perm(e, perm);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, 1234, 0);
	if (hardlink) {
		archive_entry_set_hardlink(e, hardlink);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, 0);
	} else {
		archive_entry_set_filetype(e, type);
		archive_entry_set_size(e, data ? (la_int64_t)strlen(data) : 0);
	}
	if (link_target)
		archive_entry_set_symlink(e, link_target);
	if (type == AE_IFCHR)
		archive_entry_set_rdev(e, makedev(1, 3));
	if (data && strcmp(name, "etc/hostname") == 0)
		archive_entry_xattr_add_entry(e, "user.origin", "tar", 3);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	if (data && !hardlink)
		assert_int_equal(archive_write_data(a, data, strlen(data)), (la_ssize_t)strlen(data));
	archive_entry_free(e);
}

static void make_tarball(const char *path, bool evil, bool dup)
{
	struct archive *a = archive_write_new();
	assert_non_null(a);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	add_member(a, "./", AE_IFDIR, 0755, NULL, NULL, NULL);
	add_member(a, "./etc/", AE_IFDIR, 0755, NULL, NULL, NULL);
	add_member(a, "etc/hostname", AE_IFREG, 0644, "tarball\n", NULL, NULL);
	add_member(a, "./usr/lib/x86_64/libx.so", AE_IFREG, 0755, "ELF-ish\n", NULL, NULL);
	add_member(a, "./usr/lib/x86_64/liby.so", AE_IFREG, 0, NULL, NULL, "usr/lib/x86_64/libx.so");
	add_member(a, "lib", AE_IFLNK, 0777, NULL, "usr/lib", NULL);
	add_member(a, "./dev/", AE_IFDIR, 0755, NULL, NULL, NULL);
	add_member(a, "./dev/null", AE_IFCHR, 0666, NULL, NULL, NULL);
	if (evil)
		add_member(a, "../../escape", AE_IFREG, 0644, "x", NULL, NULL);
	if (dup)
		add_member(a, "etc/hostname", AE_IFREG, 0644, "again\n", NULL, NULL);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static void test_base_tarball(void **state)
{
	char tar[600];
	snprintf(tar, sizeof(tar), "%s/base.tar", top);
	make_tarball(tar, false, false);
	struct rootfs_tree *t = load_ok("base\ndir /srv 0755 0 0\n", NULL, tar);
	assert_true(has_entry(t, "/usr")); /* implicit parents of members */
	assert_true(has_entry(t, "/usr/lib"));
	assert_int_equal(entry(t, "/usr/lib")->mode, S_IFDIR | 0755);
	assert_int_equal(entry(t, "/etc/hostname")->size, 8);
	assert_int_equal(entry(t, "/etc/hostname")->n_xattrs, 1);
	assert_true(entry(t, "/usr/lib/x86_64/liby.so")->hard_linked);
	assert_int_equal(entry(t, "/usr/lib/x86_64/liby.so")->mode, S_IFREG | 0755);
	assert_int_equal(entry(t, "/usr/lib/x86_64/liby.so")->size, 8);
	assert_string_equal(entry(t, "/lib")->target, "usr/lib");
	assert_int_equal(entry(t, "/dev/null")->mode, S_IFCHR | 0666);
	assert_int_equal(entry(t, "/dev/null")->minor, 3);
	const struct rootfs_input *in;
	size_t n;
	assert_int_equal(rootfs_tree_inputs(t, &in, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(in[0].role, "base");
	assert_string_equal(in[0].path, tar);
	rootfs_tree_free(t);

	make_tarball(tar, true, false);
	load_fails("base\n", NULL, tar, "member '../../escape' escapes the rootfs");
	make_tarball(tar, false, true);
	load_fails("base\n", NULL, tar, "duplicate path /etc/hostname");
	put("notatar", "this is not an archive at all, just some text that is long enough\n");
	snprintf(tar, sizeof(tar), "%s/notatar", top);
	load_fails("base\n", NULL, tar, "notatar");
}


/* --input NAME=FILE: @NAME@ locations, the digests recorded as @NAME@, refusals. */
static int load_inputs(const char *manifest, const struct rootfs_named_input *ni, size_t n,
		       struct rootfs_tree **ret, struct tdv_error *err)
{
	put("t/manifest", manifest);
	struct rootfs_template_inputs in = { tmpl, agent, NULL, ni, n };
	return rootfs_tree_load(&in, ret, err);
}

static void inputs_fail(const char *manifest, const struct rootfs_named_input *ni, size_t n,
			const char *want)
{
	struct rootfs_tree *t = NULL;
	struct tdv_error err = { 0 };
	int r = load_inputs(manifest, ni, n, &t, &err);
	if (r >= 0 || !strstr(err.msg, want))
		fail_msg("expected an error with '%s', got %d '%s'", want, r, err.msg);
	assert_null(t);
}

static void test_named_inputs(void **state)
{
	char a[600], b[600];
	snprintf(a, sizeof(a), "%s/aa.toml", top);
	snprintf(b, sizeof(b), "%s/bin", top);
	put("aa.toml", "[token_configs]\n");
	copy_file("/bin/true", b);
	const struct rootfs_named_input ni[] = { { "AA_CONFIG", a }, { "CDH", b } };
	static const char m[] = "dir /etc 0755 0 0\n"
				"file /etc/aa.toml @AA_CONFIG@ 0644 0 0\n"
				"file /usr-cdh @CDH@ 0755 0 0 /cdh-link\n"
				"file /init @AGENT@ 0755 0 0\n";
	struct rootfs_tree *t = NULL;
	struct tdv_error err = { 0 };
	if (load_inputs(m, ni, 2, &t, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(entry(t, "/etc/aa.toml")->size, strlen("[token_configs]\n"));
	assert_true(entry(t, "/cdh-link")->hard_linked);
	const struct rootfs_input *in;
	size_t n;
	assert_int_equal(rootfs_tree_inputs(t, &in, &n), 0);
	int seen = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(in[i].role, "input") != 0)
			continue;
		uint8_t want[32];
		assert_int_equal(digest_file(HASH_SHA256, strcmp(in[i].path, "@CDH@") ? a : b, want), 0);
		assert_memory_equal(in[i].sha256, want, 32);
		assert_true(strcmp(in[i].path, "@AA_CONFIG@") == 0 || strcmp(in[i].path, "@CDH@") == 0);
		seen++;
	}
	assert_int_equal(seen, 2);
	rootfs_tree_free(t);

	inputs_fail(m, ni, 1, "unknown substitution '@CDH@'");
	const struct rootfs_named_input extra[] = { ni[0], ni[1], { "UNUSED", a } };
	inputs_fail(m, extra, 3, "--input UNUSED: @UNUSED@ is not used");
	const struct rootfs_named_input twice[] = { ni[0], ni[1], { "CDH", a } };
	inputs_fail(m, twice, 3, "--input CDH given twice");
	const struct rootfs_named_input bad[] = { { "agent", a } };
	inputs_fail("file /x @agent@ 0644 0 0\n", bad, 1, "bad name");
	const struct rootfs_named_input reserved[] = { { "AGENT", a } };
	inputs_fail("file /x @AGENT@ 0644 0 0\n", reserved, 1, "bad name");
	const struct rootfs_named_input folder[] = { { "DIR", top } };
	inputs_fail("file /x @DIR@ 0644 0 0\n", folder, 1, "not a regular file");
	const struct rootfs_named_input missing[] = { { "GONE", "/nonexistent/x" } };
	inputs_fail("file /x @GONE@ 0644 0 0\n", missing, 1, "cannot open");
	inputs_fail("file /x bin@CDH@ 0644 0 0\n", ni, 2, "substitutions must be a whole location");
	assert_int_equal(rootfs_input_name_check("A_1"), 0);
	assert_int_equal(rootfs_input_name_check("1A"), -EINVAL);
	assert_int_equal(rootfs_input_name_check(""), -EINVAL);
	assert_int_equal(rootfs_input_name_check("BASE"), -EINVAL);
	assert_int_equal(rootfs_input_name_check("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_manifest_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agent_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base_tarball, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_inputs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
