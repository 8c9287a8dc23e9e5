/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vault.h -- content-addressed file store under the data directory:
 * DIR/vault/ab/cd/abcd...sha256.  Files are written once, atomically
 * (temp file + rename), read-only (0440).  Nothing in the vault is ever
 * executed.  Durability is per batch: vault_sync() flushes every file
 * written since the last sync in one syncfs(2), instead of one fsync per
 * file.  Thread-safe: concurrent puts of the same file are harmless.
 */
#ifndef MS_VAULT_H
#define MS_VAULT_H

#include <stddef.h>

#include "../common/ms.h"

struct vault;

/* Open (creating directories, mode 0700) the vault under 'datadir'.
 * Returns NULL and logs on failure. */
struct vault	*vault_open(const char *datadir);
void		 vault_close(struct vault *v);	/* NULL-safe */

/*
 * Store 'len' bytes whose sha256 (lower-case hex) is 'sha256'.  MS_OK if
 * stored or already present; MS_EIO on failure (logged).
 */
enum ms_err	 vault_put(struct vault *v, const char *sha256, const void *p,
		    size_t len);

/* Make every file put so far durable (syncfs on the vault's file
 * system).  MS_OK, or MS_EIO (logged). */
enum ms_err	 vault_sync(struct vault *v);

/*
 * Path of the stored file for 'sha256' into 'buf' (size 'bufsz').
 * MS_EINVAL if 'sha256' is not 64 hex digits, MS_EIO if absent.
 */
enum ms_err	 vault_path(struct vault *v, const char *sha256, char *buf,
		    size_t bufsz);

/* Copy the stored file to 'dst' ("-" for stdout).  MS_EIO on failure. */
enum ms_err	 vault_get(struct vault *v, const char *sha256,
		    const char *dst);

/* The default data directory: $XDG_DATA_HOME/mailsoar, else
 * $HOME/.local/share/mailsoar.  Returns a static buffer. */
const char	*vault_default_datadir(void);

#endif /* MS_VAULT_H */
