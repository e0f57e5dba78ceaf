/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The result lines of `tdverity-verify check`: one line per check, then a verdict.  A
 * check is PASS, FAIL or NOTE (shown, never a reason to fail; strict policy turns some
 * notes into failures where the caller decides so).
 */
#pragma once

#include "core/util.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

enum check_status { CHECK_PASS, CHECK_FAIL, CHECK_NOTE };

struct check_line {
	enum check_status status;
	char subject[24];
	char text[512];
};

struct check_report {
	struct check_line *lines;
	size_t n, allocated;
	bool oom;
};

void check_report_add(struct check_report *rep, enum check_status status, const char *subject,
		      const char *fmt, ...) _printf_(4, 5);
/* PASS when ok, FAIL otherwise. */
#define check_report_bool(rep, ok, subject, ...)                                               \
	check_report_add((rep), (ok) ? CHECK_PASS : CHECK_FAIL, (subject), __VA_ARGS__)
bool check_report_failed(const struct check_report *rep);
void check_report_print(FILE *f, const struct check_report *rep);
struct json_object *check_report_json(const struct check_report *rep);
void check_report_done(struct check_report *rep);
