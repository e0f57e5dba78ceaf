/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/trustee-files.h"

#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Create outdir, or accept it when it is an empty folder (no file is overwritten). */
static int prepare_dir(const char *outdir, struct tdv_error *err)
{
	if (mkdir(outdir, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return tdv_error_set(err, -errno, "%s: %s", outdir, strerror(errno));
	DIR *d = opendir(outdir);
	if (!d)
		return tdv_error_set(err, -errno, "%s: %s", outdir, strerror(errno));
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			r = tdv_error_set(err, -ENOTEMPTY, "%s: exists and is not empty", outdir);
			break;
		}
	closedir(d);
	return r;
}

static int write_one(const char *outdir, const char *name, const char *text, struct tdv_error *err)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", outdir, name) >= (int)sizeof(path))
		return tdv_error_set(err, -ENAMETOOLONG, "%s: path too long", outdir);
	int r = write_file_atomic(path, text, strlen(text), 0644);
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", path, strerror(-r));
	return 0;
}

int trustee_files_write(const char *outdir, const struct trustee_sample_inputs *in,
			struct tdv_error *err)
{
	_cleanup_free_ char *sample = NULL, *omitted = NULL, *message = NULL;
	int r = trustee_sample_build(in, &sample, &omitted, err);
	if (r < 0)
		return r;
	r = trustee_rvps_message(sample, &message);
	if (r < 0)
		return tdv_error_set(err, r, "cannot build the RVPS message: %s", strerror(-r));
	/* Everything is computed before the folder is touched: no half-written output. */
	r = prepare_dir(outdir, err);
	if (r == 0)
		r = write_one(outdir, "rvps-sample.json", sample, err);
	if (r == 0)
		r = write_one(outdir, "omitted.json", omitted, err);
	if (r == 0)
		r = write_one(outdir, "tdverity-rootfs.rego", trustee_rootfs_rego(), err);
	/* The message last: its presence says the set is complete. */
	if (r == 0)
		r = write_one(outdir, "rvps-message.json", message, err);
	return r;
}

int trustee_claims_write(const char *path, const struct tdx_quote *q, const struct eventlog *log,
			 struct tdv_error *err)
{
	_cleanup_free_ char *json = NULL;
	int r = trustee_claims_build(q, log, &json);
	if (r < 0)
		return tdv_error_set(err, r, "cannot build the claims: %s", strerror(-r));
	r = write_file_atomic(path, json, strlen(json), 0644);
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", path, strerror(-r));
	return 0;
}
