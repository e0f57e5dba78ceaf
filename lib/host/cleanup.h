/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cleanup wrappers for the host libraries' types, in one place (as systemd keeps one
 * header per foreign library): _cleanup_(xyz_freep) frees at scope exit; NULL is fine.
 * The OpenSSL types of the core stay with their core users (lib/core never includes
 * lib/host).
 */
#pragma once

#include "core/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <blkid/blkid.h>
#include <json-c/json.h>
#include <libfdisk/libfdisk.h>
#include <libkmod.h>

static inline void json_object_putp(json_object **o)
{
	json_object_put(*o); /* NULL-safe */
}
#define _cleanup_json_ _cleanup_(json_object_putp)

/* A context with an assigned device: deassign (writing nothing more) before the unref. */
static inline void fdisk_contextp(struct fdisk_context **c)
{
	if (*c) {
		fdisk_deassign_device(*c, 1);
		fdisk_unref_context(*c);
	}
}
static inline void fdisk_partitionp(struct fdisk_partition **p)
{
	fdisk_unref_partition(*p); /* NULL-safe */
}
static inline void fdisk_parttypep(struct fdisk_parttype **t)
{
	fdisk_unref_parttype(*t); /* NULL-safe */
}

static inline void kmod_ctx_unrefp(struct kmod_ctx **c)
{
	if (*c)
		kmod_unref(*c);
}
static inline void kmod_list_unrefp(struct kmod_list **l)
{
	if (*l)
		kmod_module_unref_list(*l);
}
static inline void kmod_module_unrefp(struct kmod_module **m)
{
	if (*m)
		kmod_module_unref(*m);
}

static inline void archive_readp(struct archive **a)
{
	if (*a)
		archive_read_free(*a);
}
static inline void archive_writep(struct archive **a)
{
	if (*a)
		archive_write_free(*a);
}
static inline void archive_entryp(struct archive_entry **e)
{
	if (*e)
		archive_entry_free(*e);
}

static inline void blkid_probep(blkid_probe *p)
{
	if (*p)
		blkid_free_probe(*p);
}
