/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON text the way tdverity writes it (manifest.json, tdverity-build --json): every
 * object's keys sorted, so equal content gives equal bytes, and small helpers to add
 * members.  Readers are the owners of their formats (host/manifest.h, ...).
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The text of o with the keys of every object sorted (json-c keeps insertion order),
 * json-c flags (JSON_C_TO_STRING_*; '/' is never escaped), then suffix.  -ENOMEM.
 */
int json_text_sorted(json_object *o, int flags, const char *suffix, char **ret_text);

/* Add a member: 0, or -ENOMEM (nothing added), -EINVAL for a value JSON cannot hold. */
int json_add_str(json_object *o, const char *key, const char *value);
int json_add_u64(json_object *o, const char *key, uint64_t value); /* value <= INT64_MAX */
int json_add_bool(json_object *o, const char *key, bool value);
int json_add_hex(json_object *o, const char *key, const uint8_t *bytes, size_t len);
/* 8-4-4-4-12 lower-case hex of 16 bytes in order (disk_uuid_format()). */
int json_add_uuid(json_object *o, const char *key, const uint8_t u[16]);
/* Add child under key (taking the reference); child NULL is -ENOMEM. */
int json_add_object(json_object *o, const char *key, json_object *child);
