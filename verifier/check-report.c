/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/check-report.h"

#include <stdarg.h>
#include <string.h>

void check_report_add(struct check_report *rep, enum check_status status, const char *subject,
		      const char *fmt, ...)
{
	if (rep->n == rep->allocated) {
		size_t n = rep->allocated ? rep->allocated * 2 : 32;
		struct check_line *l = reallocarray(rep->lines, n, sizeof(*l));
		if (!l) {
			rep->oom = true; /* counted as a failure: never "verified" on doubt */
			return;
		}
		rep->lines = l;
		rep->allocated = n;
	}
	struct check_line *line = &rep->lines[rep->n++];
	line->status = status;
	snprintf(line->subject, sizeof(line->subject), "%s", subject);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line->text, sizeof(line->text), fmt, ap);
	va_end(ap);
}

bool check_report_failed(const struct check_report *rep)
{
	if (rep->oom)
		return true;
	for (size_t i = 0; i < rep->n; i++)
		if (rep->lines[i].status == CHECK_FAIL)
			return true;
	return false;
}

static const char *status_word(enum check_status s)
{
	return s == CHECK_PASS ? "PASS" : s == CHECK_FAIL ? "FAIL" : "NOTE";
}

void check_report_print(FILE *f, const struct check_report *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		fprintf(f, "%-4s  %-8s %s\n", status_word(rep->lines[i].status),
			rep->lines[i].subject, rep->lines[i].text);
	if (rep->oom)
		fprintf(f, "FAIL  report   out of memory while checking\n");
}

struct json_object *check_report_json(const struct check_report *rep)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < rep->n; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "status",
				       json_object_new_string(rep->lines[i].status == CHECK_PASS
								      ? "pass"
							      : rep->lines[i].status == CHECK_FAIL
								      ? "fail"
								      : "note"));
		json_object_object_add(o, "subject", json_object_new_string(rep->lines[i].subject));
		json_object_object_add(o, "detail", json_object_new_string(rep->lines[i].text));
		json_object_array_add(a, o);
	}
	return a;
}

void check_report_done(struct check_report *rep)
{
	free(rep->lines);
	*rep = (struct check_report){ 0 };
}
