/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cleanup wrappers for the foreign libraries' types (systemd's one header per foreign
 * library, in one place here): _cleanup_(…p) frees at scope exit, NULL is fine.
 */
#pragma once

#include "core/util.h"

#include <json-c/json.h>

static inline void json_object_putp(json_object **o)
{
	json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_object_putp)
