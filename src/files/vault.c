/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vault.c -- content-addressed files under DATADIR/vault/ab/cd/<sha256>.
 * Written with a temporary file and rename(2) so that a reader never sees
 * a partial file, read-only (0440) and never executable.  The file name is
 * the sha256 the caller computed; the vault trusts it (it is our own
 * digest, never a value from the email).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "vault.h"
#include "../common/log.h"

struct vault {
	char	*dir;		/* DATADIR/vault */
	gint	 dirty;		/* files written since the last sync */
};

const char *
vault_default_datadir(void)
{
	static char	buf[4096];
	const char	*x = getenv("XDG_DATA_HOME"), *h = getenv("HOME");

	if (x != NULL && x[0] == '/')
		snprintf(buf, sizeof(buf), "%s/mailsoar", x);
	else if (h != NULL && h[0] != '\0')
		snprintf(buf, sizeof(buf), "%s/.local/share/mailsoar", h);
	else
		snprintf(buf, sizeof(buf), "./mailsoar-data");
	return buf;
}

struct vault *
vault_open(const char *datadir)
{
	struct vault	*v;
	char		*dir = g_build_filename(datadir, "vault", NULL);

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		log_warn("vault: cannot create %s", dir);
		g_free(dir);
		return NULL;
	}
	v = g_new0(struct vault, 1);
	v->dir = dir;
	return v;
}

void
vault_close(struct vault *v)
{
	if (v == NULL)
		return;
	g_free(v->dir);
	g_free(v);
}

static int
valid_sha256(const char *s)
{
	size_t	i;

	for (i = 0; i < 64; i++)
		if (!g_ascii_isxdigit(s[i]) || g_ascii_isupper(s[i]))
			return 0;
	return s[64] == '\0';
}

static void
file_path(struct vault *v, const char *sha, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "%s/%.2s/%.2s/%s", v->dir, sha, sha + 2, sha);
}

enum ms_err
vault_path(struct vault *v, const char *sha256, char *buf, size_t bufsz)
{
	struct stat	st;

	if (!valid_sha256(sha256))
		return MS_EINVAL;
	file_path(v, sha256, buf, bufsz);
	return stat(buf, &st) == 0 ? MS_OK : MS_EIO;
}

static enum ms_err
write_all(int fd, const void *p, size_t len)
{
	const char	*q = p;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, q, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return MS_EIO;
		q += n;
		len -= (size_t)n;
	}
	return MS_OK;
}

enum ms_err
vault_put(struct vault *v, const char *sha256, const void *p, size_t len)
{
	char		 path[4096], tmp[4200], *dir;
	struct stat	 st;
	enum ms_err	 rc = MS_EIO;
	int		 fd;

	if (!valid_sha256(sha256))
		return MS_EINVAL;
	file_path(v, sha256, path, sizeof(path));
	if (stat(path, &st) == 0)
		return MS_OK;		/* content-addressed: already there */
	dir = g_path_get_dirname(path);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		log_warn("vault: %s", dir);
		g_free(dir);
		return MS_EIO;
	}
	g_free(dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		log_warn("vault: %s", tmp);
		return MS_EIO;
	}
	if (write_all(fd, p, len) != MS_OK || fchmod(fd, 0440) != 0) {
		log_warn("vault: write %s", tmp);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		log_warn("vault: close %s", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		log_warn("vault: rename to %s", path);
		goto out;
	}
	g_atomic_int_set(&v->dirty, 1);	/* puts run on worker threads */
	return MS_OK;
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

enum ms_err
vault_sync(struct vault *v)
{
	enum ms_err	rc = MS_OK;
	int		fd;

	if (!g_atomic_int_get(&v->dirty))
		return MS_OK;
	if ((fd = open(v->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    syncfs(fd) != 0) {
		log_warn("vault: sync %s", v->dir);
		rc = MS_EIO;
	}
	if (fd >= 0)
		close(fd);
	if (rc == MS_OK)
		g_atomic_int_set(&v->dirty, 0);
	return rc;
}

enum ms_err
vault_get(struct vault *v, const char *sha256, const char *dst)
{
	char		 path[4096], buf[65536];
	FILE		*in, *out;
	size_t		 n;
	enum ms_err	 rc;

	if ((rc = vault_path(v, sha256, path, sizeof(path))) != MS_OK)
		return rc;
	if ((in = fopen(path, "rb")) == NULL)
		return MS_EIO;
	out = strcmp(dst, "-") == 0 ? stdout : fopen(dst, "wb");
	if (out == NULL) {
		fclose(in);
		return MS_EIO;
	}
	rc = MS_OK;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n) {
			rc = MS_EIO;
			break;
		}
	if (ferror(in))
		rc = MS_EIO;
	fclose(in);
	if (out != stdout && fclose(out) != 0)
		rc = MS_EIO;
	else if (out == stdout && fflush(stdout) != 0)
		rc = MS_EIO;
	return rc;
}
