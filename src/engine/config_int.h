/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_int.h -- what config.c shares with the files that check one
 * group each (config_detect.c).  Not for the rest of the engine.
 */
#ifndef MS_CONFIG_INT_H
#define MS_CONFIG_INT_H

#include <stddef.h>

#include "../common/ms.h"

/* The keys of [detect], NULL-terminated. */
extern const char *const config__detect_keys[];

/*
 * Check the value of [detect] 'key' (one of config__detect_keys).
 * MS_OK, or MS_EINVAL with 'why' saying what is wrong (the caller adds
 * FILE:LINE and the key).
 */
enum ms_err	 config__detect_check(const char *key, const char *val,
		    char *why, size_t whylen);

#endif /* MS_CONFIG_INT_H */
