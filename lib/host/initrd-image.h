/* SPDX-License-Identifier: Apache-2.0 */
/*
 * initrd.img: a reproducible newc cpio (sorted, fixed times/owners, compressed) holding
 * /init and the kernel modules the target kernel needs, with their load order resolved on
 * the host with libkmod.  Owned by lib/host/initrd-image.c.
 */
#pragma once

#include "core/error.h"

#include <stdint.h>

struct initrd_image_inputs {
	const char *init_path;	 /* the static tdverity-init binary */
	const char *modules_dir; /* /lib/modules/<release> of the target kernel */
	uint64_t timestamp;	 /* SOURCE_DATE_EPOCH */
};

/* Write the image atomically to out_path. */
int initrd_image_write(const struct initrd_image_inputs *in, const char *out_path,
		       struct tdv_error *err);
