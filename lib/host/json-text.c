/* SPDX-License-Identifier: Apache-2.0 */
#include "host/json-text.h"

#include "core/digest.h"
#include "host/cleanup.h"
#include "host/disk-image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A deep copy with every object's keys in sorted order; NULL on allocation failure. */
static json_object *json_sorted(json_object *o)
{
	if (json_object_is_type(o, json_type_object)) {
		size_t n = (size_t)json_object_object_length(o), i = 0;
		_cleanup_free_ const char **keys = calloc(n ? n : 1, sizeof(*keys));
		_cleanup_json_ json_object *copy = json_object_new_object();
		if (!keys || !copy)
			return NULL;
		json_object_object_foreach(o, k, v)
		{
			(void)v;
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(*keys), cmp_str);
		for (i = 0; i < n; i++) {
			json_object *orig = json_object_object_get(o, keys[i]);
			json_object *child = json_sorted(orig);
			if (orig && !child)
				return NULL;
			if (json_object_object_add(copy, keys[i], child) < 0) {
				json_object_put(child);
				return NULL;
			}
		}
		return TAKE_PTR(copy);
	}
	if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		_cleanup_json_ json_object *copy = json_object_new_array();
		if (!copy)
			return NULL;
		for (size_t i = 0; i < n; i++) {
			json_object *orig = json_object_array_get_idx(o, i);
			json_object *child = json_sorted(orig);
			if ((orig && !child) || json_object_array_add(copy, child) < 0) {
				json_object_put(child);
				return NULL;
			}
		}
		return TAKE_PTR(copy);
	}
	return json_object_get(o);
}

int json_text_sorted(json_object *o, int flags, const char *suffix, char **ret_text)
{
	_cleanup_json_ json_object *sorted = json_sorted(o);
	if (!sorted)
		return -ENOMEM;
	const char *s = json_object_to_json_string_ext(sorted, flags | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || asprintf(ret_text, "%s%s", s, suffix ? suffix : "") < 0)
		return -ENOMEM;
	return 0;
}

int json_add_object(json_object *o, const char *key, json_object *child)
{
	if (!child)
		return -ENOMEM;
	if (json_object_object_add(o, key, child) < 0) {
		json_object_put(child);
		return -ENOMEM;
	}
	return 0;
}

int json_add_str(json_object *o, const char *key, const char *value)
{
	return value ? json_add_object(o, key, json_object_new_string(value)) : -EINVAL;
}

int json_add_u64(json_object *o, const char *key, uint64_t value)
{
	if (value > INT64_MAX)
		return -EINVAL;
	return json_add_object(o, key, json_object_new_int64((int64_t)value));
}

int json_add_bool(json_object *o, const char *key, bool value)
{
	return json_add_object(o, key, json_object_new_boolean(value));
}

int json_add_hex(json_object *o, const char *key, const uint8_t *bytes, size_t len)
{
	_cleanup_free_ char *h = hex_encode_alloc(bytes, len);
	return h ? json_add_str(o, key, h) : -ENOMEM;
}

int json_add_uuid(json_object *o, const char *key, const uint8_t u[16])
{
	char s[37];
	disk_uuid_format(u, s);
	return json_add_str(o, key, s);
}
