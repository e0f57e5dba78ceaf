/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCG2 crypto-agile event logs: the TDX CCEL (ACPI "CCEL" table's log area), a TPM's
 * binary_bios_measurements, and the attestation agent's log (AAEL) appended to either.
 *
 * Layout (TCG PC Client Platform Firmware Profile):
 *
 *     TCG_PCR_EVENT   u32 register ‖ u32 type (EV_NO_ACTION) ‖ u8 sha1[20] ‖ u32 size ‖ data
 *                     where data = "Spec ID Event03\0" ‖ u32 platform class ‖ u8 minor ‖
 *                     u8 major ‖ u8 errata ‖ u8 uintn size ‖ u32 n ‖ n × (u16 alg ‖ u16 size)
 *                     ‖ u8 vendor size ‖ vendor info
 *     TCG_PCR_EVENT2  u32 register ‖ u32 type ‖ u32 count ‖ count × (u16 alg ‖ digest) ‖
 *                     u32 size ‖ data                          (repeated)
 *
 * The log ends at the end of the buffer or at end-of-log fill: a record whose register and
 * type fields are both 0xFFFFFFFF or both 0 (the CCEL area is 0xFF-filled; the evidence the
 * attestation agent sends ends with 8 × 0xFF); everything from there to the end of the buffer
 * must be fill too (all 0xFF or all 0x00), else -EBADMSG.  Every count, size and algorithm id is checked
 * against the remaining buffer and the Spec ID algorithm table before it is used; the parser
 * allocates only the event array, whose length is bounded by the buffer size.
 *
 * Register numbering: in a CCEL the register is the CC measurement-register index
 * (1..4 = RTMR0..3); in a TPM log it is the PCR number (0..23).  eventlog_parse() decides
 * which by looking at the registers used (see enum eventlog_kind).
 *
 * The parsed log points into the caller's buffers (no copies): they must outlive it.
 * Library code: nothing here prints.
 */
#pragma once

#include "core/error.h"
#include "core/measure.h" /* EV_NO_ACTION, EV_SEPARATOR, EV_EVENT_TAG, EV_IPL, AAEL id */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCG_ALG_SHA1 0x0004
#define TCG_ALG_SHA256 0x000B
#define TCG_ALG_SHA384 0x000C
#define TCG_ALG_SHA512 0x000D
#define TCG_ALG_SM3_256 0x0012

/* Event types this code decodes or recomputes (TCG PFP, "Event Types"). */
#define EV_PREBOOT_CERT 0x00000000U
#define EV_POST_CODE 0x00000001U
#define EV_ACTION 0x00000005U
#define EV_S_CRTM_VERSION 0x00000008U
#define EV_PLATFORM_CONFIG_FLAGS 0x0000000AU
#define EV_COMPACT_HASH 0x0000000CU
#define EV_EFI_VARIABLE_DRIVER_CONFIG 0x80000001U
#define EV_EFI_VARIABLE_BOOT 0x80000002U
#define EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003U
#define EV_EFI_GPT_EVENT 0x80000006U
#define EV_EFI_ACTION 0x80000007U
#define EV_EFI_VARIABLE_BOOT2 0x8000000CU
#define EV_EFI_VARIABLE_AUTHORITY 0x800000E0U

/* The Linux EFI stub's tagged events (drivers/firmware/efi/libstub). */
#define LINUX_EFISTUB_INITRD_TAG_ID 0x8F3B22ECU
#define LINUX_EFISTUB_LOAD_OPTIONS_TAG_ID 0x8F3B22EDU

#define EVENTLOG_MAX_ALGS 8	   /* digests per event / Spec ID table entries we accept */
#define EVENTLOG_MAX_DIGEST 64	   /* SHA-512 */
#define EVENTLOG_MAX_REGISTERS 24  /* PCR 0..23; CC MR 0..4 fit too */
#define EVENTLOG_MAX_EVENTS 1000000 /* far above any real log; bounds the event array */

struct eventlog_alg {
	uint16_t id;
	uint16_t size;
};

struct eventlog_digest {
	uint16_t alg_id;
	uint16_t size;
	const uint8_t *value; /* into the caller's buffer */
};

enum eventlog_source {
	EVENTLOG_SOURCE_FIRMWARE, /* the CCEL / TPM log itself */
	EVENTLOG_SOURCE_AAEL,	  /* appended with eventlog_append_records() */
};

struct eventlog_event {
	size_t index;  /* 0-based over TCG_PCR_EVENT2 records (the Spec ID header is not one) */
	size_t offset; /* byte offset of the record in its buffer */
	enum eventlog_source source;
	uint32_t register_index; /* as stored: CC MR index (CCEL) or PCR number (TPM log) */
	uint32_t type;
	uint32_t n_digests;
	struct eventlog_digest digests[EVENTLOG_MAX_ALGS];
	const uint8_t *data; /* into the caller's buffer */
	uint32_t data_len;
};

enum eventlog_kind {
	EVENTLOG_KIND_CC_MR, /* registers 1..4 only: CC MR index, RTMR = index - 1 */
	EVENTLOG_KIND_PCR,   /* any register 0 or > 4 present: TPM PCR numbers */
};

struct eventlog {
	struct eventlog_alg algs[EVENTLOG_MAX_ALGS]; /* from the Spec ID event */
	size_t n_algs;
	uint8_t spec_major, spec_minor, spec_errata, uintn_size;
	size_t header_len;  /* bytes of the TCG_PCR_EVENT Spec ID record */
	size_t log_len;	    /* bytes up to the end of the last record of the firmware log */
	struct eventlog_event *events;
	size_t n_events;
	size_t allocated;
};

/* Free a log (NULL is fine) / cleanup helper. */
void eventlog_free(struct eventlog *log);
static inline void eventlog_freep(struct eventlog **log) { eventlog_free(*log); }
#define _cleanup_eventlog_ __attribute__((cleanup(eventlog_freep)))

/*
 * Parse a crypto-agile log starting with the Spec ID event.  buf must outlive *ret_log.
 * Errors: -EBADMSG for a malformed log (err says what and at which offset), -ENOMEM.
 */
int eventlog_parse(const uint8_t *buf, size_t len, struct eventlog **ret_log,
		   struct tdv_error *err);

/*
 * Append raw TCG_PCR_EVENT2 records (no Spec ID header: the attestation agent's log) that
 * use the log's algorithm table.  Ends at the end of buf or at end-of-log fill (as above).  The new
 * events are tagged EVENTLOG_SOURCE_AAEL.  buf must outlive log.  On error the log is
 * unchanged.
 */
int eventlog_append_records(struct eventlog *log, const uint8_t *buf, size_t len,
			    struct tdv_error *err);

/* Size of a TCG algorithm in the log's Spec ID table, 0 when absent. */
size_t eventlog_alg_size(const struct eventlog *log, uint16_t alg_id);
/* "sha384" etc., or NULL for an id we do not know by name. */
const char *tcg_alg_name(uint16_t alg_id);
/* "EV_EFI_ACTION" etc., or NULL for an unknown type. */
const char *eventlog_type_name(uint32_t type);

/* The event's digest for an algorithm, or NULL when it carries none. */
const struct eventlog_digest *eventlog_event_digest(const struct eventlog_event *ev,
						   uint16_t alg_id);

/* CC_MR unless a register outside 1..4 is used. */
enum eventlog_kind eventlog_kind(const struct eventlog *log);

/*
 * Replay one bank: every register starts at zero; for each event that is not EV_NO_ACTION,
 * reg ← H(reg ‖ digest).  ret_regs[i] is the value of register i (stored numbering) and
 * ret_used[i] says whether any event extended it.  -ENOENT when the log's Spec ID table
 * has no such algorithm, -EOPNOTSUPP for an algorithm libcrypto cannot compute, -EBADMSG
 * when an event lacks that bank's digest.
 */
int eventlog_replay(const struct eventlog *log, uint16_t alg_id,
		    uint8_t ret_regs[EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST],
		    bool ret_used[EVENTLOG_MAX_REGISTERS]);

enum eventlog_recompute {
	EVENTLOG_RECOMPUTE_NA,	     /* the digest covers data that is not in the log */
	EVENTLOG_RECOMPUTE_MATCH,    /* recomputed from the event's own data: equal */
	EVENTLOG_RECOMPUTE_MISMATCH, /* recomputed and different: the log lies about it */
};

/*
 * Recompute one digest of an event from the event's own data, where the event type says
 * what was hashed:
 *   EV_SEPARATOR, EV_ACTION, EV_EFI_ACTION, EV_EFI_VARIABLE_DRIVER_CONFIG,
 *   EV_EFI_VARIABLE_AUTHORITY, EV_EFI_VARIABLE_BOOT2, EV_EFI_GPT_EVENT: the whole data;
 *   EV_EFI_VARIABLE_BOOT: the variable's data only (UEFI_VARIABLE_DATA.VariableData);
 *   EV_IPL "grub_cmd: ", "kernel_cmdline: ", "module_cmdline: " (GRUB): the string after
 *     the prefix, without the trailing NUL;
 *   EV_EVENT_TAG with the AAEL id: the whole tagged-event structure.
 * Everything else (firmware volumes, PE images, the EFI stub's LoadOptions/initrd tags
 * whose digests cover memory the log does not hold) is EVENTLOG_RECOMPUTE_NA.  A malformed
 * structure of a recomputable type is a MISMATCH (its data cannot explain the digest).
 */
enum eventlog_recompute eventlog_event_recompute(const struct eventlog_event *ev,
						 const struct eventlog_digest *digest);

/* A parsed AAEL tagged event: u32 0x4141454C ‖ u32 N ‖ N bytes of text. */
struct aael_event {
	const char *text; /* NOT NUL-terminated */
	uint32_t text_len;
};
/* 0 when ev is a well-formed AAEL EV_EVENT_TAG event, -EBADMSG otherwise. */
int eventlog_event_aael(const struct eventlog_event *ev, struct aael_event *ret);

/* A TCG_PCClientTaggedEvent: u32 id ‖ u32 size ‖ data (size bytes, exactly the rest). */
int eventlog_event_tagged(const struct eventlog_event *ev, uint32_t *ret_id,
			  const uint8_t **ret_data, uint32_t *ret_len);
