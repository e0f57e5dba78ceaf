/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/check-pins.h"

#include "core/measure.h"
#include "core/util.h"
#include "host/initdata.h"
#include "host/refvalues.h"
#include "host/tdvf.h"
#include "verifier/verbs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool check_pin_args_take(struct check_pin_args *a, int opt, const char *value)
{
	if (opt >= 0x200 && opt < 0x200 + _TD_REG_MAX) {
		a->given[opt - 0x200] = value;
		return true;
	}
	switch (opt) {
	case 0x220: a->reference_values = value; return true;
	case 0x221: a->initdata = value; return true;
	case 0x222: a->td_attributes = value; return true;
	case 0x223: a->xfam = value; return true;
	case 0x224: a->rtmr3_only_rootfs = true; return true;
	default: return false;
	}
}

static int fail(int code, const char *fmt, ...) _printf_(2, 3);
static int fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "tdverity-verify check: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return code;
}

static int pin_given(const struct check_pin_args *a, struct td_pins *p)
{
	for (int r = 0; r < _TD_REG_MAX; r++) {
		if (!a->given[r])
			continue;
		uint8_t v[SHA384_SIZE];
		char origin[32], opt[24];
		snprintf(opt, sizeof(opt), "%s", td_register_name((enum td_register)r));
		for (char *c = opt; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		snprintf(origin, sizeof(origin), "--%s", opt);
		if (hex_decode_exact(a->given[r], v, sizeof(v)) < 0)
			return fail(VERIFY_USAGE, "%s must be 96 hex digits", origin);
		(void)td_pin_value(p, (enum td_register)r, PIN_GIVEN, origin, v);
	}
	return VERIFY_OK;
}

/* Reference-value names (Trustee's claim names) → registers. */
static const struct {
	const char *name;
	enum td_register reg;
} refvalue_registers[] = {
	{ "mr_td", TD_REG_MRTD },		{ "rtmr_0", TD_REG_RTMR0 },
	{ "rtmr_1", TD_REG_RTMR1 },		{ "rtmr_2", TD_REG_RTMR2 },
	{ "rtmr_3", TD_REG_RTMR3 },		{ "mr_config_id", TD_REG_MRCONFIGID },
	{ "mr_owner", TD_REG_MROWNER },		{ "mr_owner_config", TD_REG_MROWNERCONFIG },
	{ "mr_seam", TD_REG_MRSEAM },
};

static int attr_values_take(const char *path, const struct reference_value *v,
			    uint8_t (*out)[8], size_t *ret_n, char *origin, size_t origin_size)
{
	if (v->n_values > PIN_MAX_VALUES)
		return fail(VERIFY_BAD_INPUT, "%s: \"%s\": more than %d values", path, v->name,
			    PIN_MAX_VALUES);
	for (size_t i = 0; i < v->n_values; i++) {
		if (v->lens[i] != 8)
			return fail(VERIFY_BAD_INPUT, "%s: \"%s\"[%zu]: not 8 bytes (16 hex digits)",
				    path, v->name, i);
		memcpy(out[i], v->values[i], 8);
	}
	*ret_n = v->n_values;
	snprintf(origin, origin_size, "%s: %s", path, v->name);
	return VERIFY_OK;
}

static int pin_reference_values(const char *path, struct td_pins *p)
{
	struct reference_values rv = { 0 };
	struct tdv_error err = { { 0 } };
	if (reference_values_load(path, &rv, &err) < 0)
		return fail(VERIFY_BAD_INPUT, "%s", err.msg);
	int ret = VERIFY_OK;
	for (size_t i = 0; ret == VERIFY_OK && i < ELEMENTSOF(refvalue_registers); i++) {
		const struct reference_value *v = reference_values_find(&rv, refvalue_registers[i].name);
		if (!v)
			continue;
		char origin[192];
		snprintf(origin, sizeof(origin), "%s: %s", path, v->name);
		for (size_t j = 0; ret == VERIFY_OK && j < v->n_values; j++) {
			if (v->lens[j] != SHA384_SIZE)
				ret = fail(VERIFY_BAD_INPUT, "%s: \"%s\"[%zu]: not 48 bytes", path,
					   v->name, j);
			else if (td_pin_value(p, refvalue_registers[i].reg, PIN_REFERENCE_VALUES,
					      origin, v->values[j]) < 0)
				ret = fail(VERIFY_BAD_INPUT, "%s: \"%s\": more than %d values", path,
					   v->name, PIN_MAX_VALUES);
		}
	}
	for (size_t i = 0; ret == VERIFY_OK && i < rv.n; i++) {
		bool used = strcmp(rv.v[i].name, "xfam") == 0 ||
			    strcmp(rv.v[i].name, "td_attributes") == 0;
		for (size_t j = 0; j < ELEMENTSOF(refvalue_registers); j++)
			used |= strcmp(rv.v[i].name, refvalue_registers[j].name) == 0;
		size_t at = strlen(p->unused_refvalues);
		if (!used && at < sizeof(p->unused_refvalues))
			snprintf(p->unused_refvalues + at, sizeof(p->unused_refvalues) - at, "%s%s",
				 at ? ", " : "", rv.v[i].name);
	}
	const struct reference_value *v;
	if (ret == VERIFY_OK && (v = reference_values_find(&rv, "xfam")))
		ret = attr_values_take(path, v, p->xfam_values, &p->n_xfam_values,
				       p->xfam_values_origin, sizeof(p->xfam_values_origin));
	if (ret == VERIFY_OK && (v = reference_values_find(&rv, "td_attributes")))
		ret = attr_values_take(path, v, p->attr_values, &p->n_attr_values,
				       p->attr_values_origin, sizeof(p->attr_values_origin));
	reference_values_done(&rv);
	return ret;
}

static int pin_initdata(const char *path, struct td_pins *p)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = read_full_file(path, INITDATA_MAX_SIZE, &buf, &len);
	if (r < 0)
		return fail(VERIFY_BAD_INPUT, "%s: %s", path,
			    r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
	uint8_t v[SHA384_SIZE];
	enum hash_alg alg;
	struct tdv_error err = { { 0 } };
	if (initdata_mrconfigid(buf, len, v, &alg, &err) < 0)
		return fail(VERIFY_BAD_INPUT, "%s: %s", path, err.msg);
	char origin[192];
	snprintf(origin, sizeof(origin), "--initdata %s (%s, as Kata sets it)", path,
		 hash_alg_name(alg));
	(void)td_pin_value(p, TD_REG_MRCONFIGID, PIN_ARTEFACT, origin, v);
	return VERIFY_OK;
}

/*
 * The firmware file (--firmware) pins MRTD (the TDVF pages as QEMU adds them; both page
 * orders when --qemu-version does not say which: the same bytes measured in one of two
 * orders) and RTMR0 when all of its events are known (host/expected.h).
 */
static void pin_firmware(const struct expect_args *art, const struct expected_inputs *in,
			 const struct expected_event *events, size_t n,
			 struct check_pins_state *state, struct td_pins *p)
{
	if (!in->firmware)
		return;
	char origin[192];
	uint8_t mrtd[SHA384_SIZE];
	static const enum tdvf_page_order orders[] = { TDVF_ORDER_INTERLEAVED,
						       TDVF_ORDER_ADD_FIRST };
	snprintf(origin, sizeof(origin), "--firmware %s (%s)", art->firmware,
		 in->has_page_order ? "QEMU page order as --qemu-version says"
				    : "either QEMU page order");
	for (size_t i = 0; i < ELEMENTSOF(orders); i++)
		if ((!in->has_page_order || in->page_order == orders[i]) &&
		    tdvf_mrtd(in->firmware, orders[i], mrtd) == 0)
			(void)td_pin_value(p, TD_REG_MRTD, PIN_ARTEFACT, origin, mrtd);
	if (!expected_rtmr0_determined(in, events, n))
		return;
	uint8_t rtmr[4][SHA384_SIZE];
	expected_replay_rtmrs(events, n, rtmr);
	snprintf(origin, sizeof(origin), "--firmware %s and the VM's shape (%s)", art->firmware,
		 firmware_profile_name(in->profile));
	(void)td_pin_value(p, TD_REG_RTMR0, PIN_ARTEFACT, origin, rtmr[0]);
	p->pin[TD_REG_RTMR0][PIN_ARTEFACT].events = state->by_rtmr[0];
	p->pin[TD_REG_RTMR0][PIN_ARTEFACT].n_events = state->n_by_rtmr[0];
}

/* Artefact pins of RTMR1..3: the replay of the predicted events, when they are complete. */
static void pin_artefacts(const struct expect_args *art, const struct expect_state *st,
			  const struct expected_event *events, size_t n,
			  struct check_pins_state *state, struct td_pins *p)
{
	const struct expected_inputs *in = &st->in;
	for (size_t i = 0; i < n; i++) {
		unsigned r = events[i].rtmr;
		if (r < 4 && state->n_by_rtmr[r] < ELEMENTSOF(state->by_rtmr[r]))
			state->by_rtmr[r][state->n_by_rtmr[r]++] = &events[i];
	}
	uint8_t rtmr[4][SHA384_SIZE];
	expected_replay_rtmrs(events, n, rtmr);
	char origin[192];
	bool complete[4] = {
		[1] = in->kernel_path != NULL,
		/* The EFI stub's events; with tdverity.rtmr=2 the rootfs event too.  Without
		 * --initrd the prediction is that of a boot without one. */
		[2] = in->cmdline && (in->rootfs_rtmr != 2 || in->rootfs_event),
		/* The rootfs event, or (tdverity.rtmr=2, read off the cmdline) no boot event. */
		[3] = in->rootfs_rtmr == 3 ? in->rootfs_event != NULL : in->cmdline != NULL,
	};
	const char *what[4] = {
		[1] = art->kernel,
		[2] = art->cmdline_file ? art->cmdline_file : art->manifest,
		[3] = art->manifest ? art->manifest : art->cmdline_file,
	};
	for (unsigned r = 1; r < 4; r++) {
		if (!complete[r])
			continue;
		snprintf(origin, sizeof(origin), "%s%s%s (%s)", what[r] ? what[r] : "artefacts",
			 r == 2 && art->initrd ? " + " : "", r == 2 && art->initrd ? art->initrd : "",
			 firmware_profile_name(in->profile));
		(void)td_pin_value(p, TD_REG_RTMR0 + r, PIN_ARTEFACT, origin, rtmr[r]);
		p->pin[TD_REG_RTMR0 + r][PIN_ARTEFACT].events = state->by_rtmr[r];
		p->pin[TD_REG_RTMR0 + r][PIN_ARTEFACT].n_events = state->n_by_rtmr[r];
	}
	p->rtmr3_boot_events = in->rootfs_rtmr == 3 ? 1 : 0;
	pin_firmware(art, in, events, n, state, p);
}

int check_pins_build(const struct check_pin_args *a, const struct expect_args *art,
		     const struct expect_state *st, const struct expected_event *events,
		     size_t n_events, struct check_pins_state *state, struct td_pins *ret)
{
	td_pins_init(ret);
	*state = (struct check_pins_state){ 0 };
	ret->rtmr3_only_rootfs = a->rtmr3_only_rootfs;
	if (a->td_attributes &&
	    attr_policy_parse(a->td_attributes, "--td-attributes", &ret->td_attributes) < 0)
		return fail(VERIFY_USAGE, "--td-attributes must be HEX or HEX/MASK (16 hex digits each)");
	if (a->xfam && attr_policy_parse(a->xfam, "--xfam", &ret->xfam) < 0)
		return fail(VERIFY_USAGE, "--xfam must be HEX or HEX/MASK (16 hex digits each)");
	int r = pin_given(a, ret);
	if (r == VERIFY_OK && a->reference_values)
		r = pin_reference_values(a->reference_values, ret);
	if (r == VERIFY_OK && a->initdata)
		r = pin_initdata(a->initdata, ret);
	if (r == VERIFY_OK && st)
		pin_artefacts(art, st, events, n_events, state, ret);
	return r;
}
