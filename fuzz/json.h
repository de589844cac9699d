/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - a strict JSON (RFC 8259) syntax check for fuzz oracles: one
 * value, optional surrounding whitespace, nothing after it.  Bytes >= 0x80
 * inside strings are accepted as they are (UTF-8 is not checked).
 */
#ifndef VCT_FUZZ_JSON_H
#define VCT_FUZZ_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* Whether p[0..len) is one JSON value; on false *at is the offending offset. */
bool fz_json_valid(const char *p, size_t len, size_t *at);

#endif
