/* SPDX-License-Identifier: ISC */
/*
 * keyfile: reading, generating and writing secret key files (see keyfile.h).
 *
 * The file is checked on the descriptor that is read (fstat after open), so
 * a file swapped between the check and the read is still the one checked.
 * Its bytes are read into sodium_malloc memory and decoded with
 * sodium_hex2bin, and no error text ever quotes a secret line: errors name
 * the file, the line number and what the line should be.  The public keys
 * are derived from the secrets, never read, so a key file cannot disagree
 * with itself; a sign_sk whose stored public half differs from the one its
 * seed gives is reported as damaged.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/keyfile.h"

#define PERM_BITS 07777
#define GROUP_OTHER_BITS 077
#define SEED_BYTES crypto_sign_SEEDBYTES
/* Longest key file line: "curve_sk " or "sign_sk " and the hex digits. */
#define LINE_MAX_BYTES (16 + SEAL_SIGN_SKBYTES * 2)

/* The line parser's position in a file. */
struct cursor {
	const char *path;
	const char *buf;
	size_t len, pos;
	int lineno;
	const char *line;	/* current line, not NUL-terminated */
	size_t line_len;
};

static struct keyfile *
alloc(void)
{
	struct keyfile *k;

	if ((k = sodium_malloc(sizeof(*k))) == NULL)
		return NULL;
	sodium_memzero(k, sizeof(*k));
	return k;
}

void
keyfile_destroy(struct keyfile **kp)
{
	if (kp == NULL || *kp == NULL)
		return;
	/* sodium_free makes the pages writable again, zeroes and unlocks them. */
	sodium_free(*kp);
	*kp = NULL;
}

/* Moves c to the next line: 1 if there is one, 0 at the end.  The last line
 * may lack its '\n'. */
static int
next_line(struct cursor *c)
{
	const char *nl;

	if (c->pos >= c->len)
		return 0;
	c->line = c->buf + c->pos;
	nl = memchr(c->line, '\n', c->len - c->pos);
	c->line_len = nl ? (size_t)(nl - c->line) : c->len - c->pos;
	c->pos += c->line_len + (nl ? 1 : 0);
	c->lineno++;
	return 1;
}

/* 1 if the current line starts with "name ". */
static int
has_prefix(const struct cursor *c, const char *name)
{
	size_t n = strlen(name);

	return c->line_len > n && memcmp(c->line, name, n) == 0 && c->line[n] == ' ';
}

/* Decodes the current line "name <2*len hex>" into out. */
static int
hex_line(struct cursor *c, const char *name, uint8_t *out, size_t len, struct status *st)
{
	size_t n = strlen(name) + 1, bin_len = 0;
	const char *end = NULL;

	if (!has_prefix(c, name) || c->line_len - n != 2 * len ||
	    sodium_hex2bin(out, len, c->line + n, c->line_len - n, NULL, &bin_len, &end) != 0 ||
	    bin_len != len || end != c->line + c->line_len)
		return status_set(st, STATUS_BAD_FIELD,
		    "key file %s line %d must be '%s' and %zu hex digits; the file is damaged: "
		    "restore it from a backup or generate new keys", c->path, c->lineno, name,
		    2 * len);
	return 0;
}

/* Moves to the next line, which must exist: the file must not end before
 * the line called name. */
static int
expect(struct cursor *c, const char *name, struct status *st)
{
	if (next_line(c))
		return 0;
	return status_set(st, STATUS_BAD_FIELD, "key file %s ends early: %s is missing", c->path,
	    name);
}

/* Parses the whole text of a key file into k. */
static int
parse(struct cursor *c, struct keyfile *k, struct status *st)
{
	size_t magic_len = strlen(KEYFILE_MAGIC), id_len;
	struct status ist;

	if (!next_line(c) || c->line_len != magic_len || memcmp(c->line, KEYFILE_MAGIC, magic_len))
		return status_set(st, STATUS_BAD_FIELD,
		    "%s is not a dutynet key file: its first line must be '%s'", c->path,
		    KEYFILE_MAGIC);
	if (!next_line(c) || !has_prefix(c, "id") || (id_len = c->line_len - 3) > IDS_AGENCY_MAX ||
	    ids_agency_valid(c->line + 3, id_len, &ist) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "key file %s line 2 must be 'id' and a valid agency id", c->path);
	memcpy(k->id, c->line + 3, id_len);
	k->id[id_len] = '\0';
	if (expect(c, "sign_sk", st) != 0 ||
	    hex_line(c, "sign_sk", k->sign_sk, sizeof(k->sign_sk), st) != 0)
		return -1;
	if (expect(c, "curve_sk", st) != 0)
		return -1;
	if (has_prefix(c, "box_sk")) {
		if (hex_line(c, "box_sk", k->box_sk, sizeof(k->box_sk), st) != 0)
			return -1;
		k->has_box = true;
		if (expect(c, "curve_sk", st) != 0)
			return -1;
	}
	if (hex_line(c, "curve_sk", k->curve_sk, sizeof(k->curve_sk), st) != 0)
		return -1;
	if (next_line(c))
		return status_set(st, STATUS_BAD_FIELD,
		    "key file %s has extra text at line %d; a key file ends after curve_sk",
		    c->path, c->lineno);
	return 0;
}

/* Fills the public keys from the secret ones. */
static int
derive(struct keyfile *k, const char *path, struct status *st)
{
	uint8_t check_sk[SEAL_SIGN_SKBYTES];
	int bad;

	crypto_sign_seed_keypair(k->sign_pk, check_sk, k->sign_sk);
	bad = sodium_memcmp(check_sk, k->sign_sk, sizeof(check_sk)) != 0;
	sodium_memzero(check_sk, sizeof(check_sk));
	if (bad)
		return status_set(st, STATUS_BAD_FIELD,
		    "sign_sk in key file %s is damaged (its public half does not match its "
		    "seed): restore the file from a backup or generate new keys", path);
	if ((k->has_box && crypto_scalarmult_base(k->box_pk, k->box_sk) != 0) ||
	    crypto_scalarmult_base(k->curve_pk, k->curve_sk) != 0)
		return status_set(st, STATUS_BAD_FIELD,
		    "key file %s holds an unusable X25519 secret key; generate new keys", path);
	return 0;
}

/* Checks the opened file: regular, ours, no group or other access, at most
 * max bytes. */
static int
check_file(int fd, const char *path, size_t max, struct status *st)
{
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return status_set(st, STATUS_BAD_FIELD, "cannot stat key file %s: %s", path,
		    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return status_set(st, STATUS_BAD_FIELD, "key file %s is not a regular file", path);
	if (sb.st_uid != geteuid())
		return status_set(st, STATUS_BAD_FIELD,
		    "key file %s is owned by uid %u, not by uid %u which runs this; chown it "
		    "or run as its owner", path, (unsigned)sb.st_uid, (unsigned)geteuid());
	if ((sb.st_mode & GROUP_OTHER_BITS) != 0)
		return status_set(st, STATUS_BAD_FIELD, "key file %s has mode %04o; run chmod 600 %s",
		    path, (unsigned)(sb.st_mode & PERM_BITS), path);
	if ((uint64_t)sb.st_size > max)
		return status_set(st, STATUS_BAD_FIELD,
		    "key file %s is %lld bytes; a key file is at most %zu", path,
		    (long long)sb.st_size, max);
	return 0;
}

int
keyfile_read_secret(const char *path, size_t max, char **out, size_t *outlen, struct status *st)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret = -1;

	*out = NULL;
	*outlen = 0;
	if (sodium_init() < 0)
		return status_set(st, STATUS_UNAVAILABLE, "libsodium failed to initialise");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return status_set(st, STATUS_BAD_FIELD, "cannot open key file %s: %s", path,
		    strerror(errno));
	if (check_file(fd, path, max, st) != 0)
		goto out;
	if ((buf = sodium_malloc(max + 1)) == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "out of locked memory reading key file %s",
		    path);
		goto out;
	}
	while (len <= max && (n = read(fd, buf + len, max + 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			status_set(st, STATUS_BAD_FIELD, "cannot read key file %s: %s", path,
			    strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len > max) {
		status_set(st, STATUS_BAD_FIELD, "key file %s is longer than %zu bytes", path, max);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	ret = 0;
out:
	close(fd);
	sodium_free(buf);	/* zeroes it; accepts NULL */
	return ret;
}

int
keyfile_load(const char *path, struct keyfile **out, struct status *st)
{
	struct keyfile *k = NULL;
	struct cursor c = {0};
	char *buf = NULL;
	size_t len = 0;
	int ret = -1;

	*out = NULL;
	if (keyfile_read_secret(path, KEYFILE_MAX_BYTES, &buf, &len, st) != 0)
		return -1;
	if ((k = alloc()) == NULL) {
		status_set(st, STATUS_UNAVAILABLE, "out of locked memory reading key file %s",
		    path);
		goto out;
	}
	c = (struct cursor){.path = path, .buf = buf, .len = len};
	if (parse(&c, k, st) != 0 || derive(k, path, st) != 0)
		goto out;
	sodium_mprotect_readonly(k);
	*out = k;
	k = NULL;
	status_ok(st);
	ret = 0;
out:
	sodium_free(buf);
	keyfile_destroy(&k);
	return ret;
}

int
keyfile_generate(const char *id, bool with_box, struct keyfile **out, struct status *st)
{
	struct keyfile *k;

	*out = NULL;
	if (ids_agency_valid(id, strlen(id), st) != 0)
		return -1;
	if (sodium_init() < 0)
		return status_set(st, STATUS_UNAVAILABLE, "libsodium failed to initialise");
	if ((k = alloc()) == NULL)
		return status_set(st, STATUS_UNAVAILABLE, "out of locked memory for new keys");
	snprintf(k->id, sizeof(k->id), "%s", id);
	crypto_sign_keypair(k->sign_pk, k->sign_sk);
	if (with_box) {
		k->has_box = true;
		crypto_box_keypair(k->box_pk, k->box_sk);
	}
	/* CURVE keys are X25519 pairs, exactly what crypto_box_keypair makes. */
	crypto_box_keypair(k->curve_pk, k->curve_sk);
	sodium_mprotect_readonly(k);
	*out = k;
	status_ok(st);
	return 0;
}

/* Appends "name <hex of bin>\n" to text at *o. */
static void
put_hex(char *text, size_t cap, size_t *o, const char *name, const uint8_t *bin, size_t len)
{
	size_t n = strlen(name);

	memcpy(text + *o, name, n);
	text[*o + n] = ' ';
	*o += n + 1;
	sodium_bin2hex(text + *o, cap - *o, bin, len);
	*o += 2 * len;
	text[(*o)++] = '\n';
}

/* fsyncs the directory holding path, so the new name survives a crash. */
static int
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
keyfile_write(const struct keyfile *k, const char *path, struct status *st)
{
	char *text = NULL;
	size_t cap = KEYFILE_MAX_BYTES, o, done = 0;
	ssize_t n;
	int fd, ret = -1, err = 0;

	if (ids_agency_valid(k->id, strlen(k->id), st) != 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, KEYFILE_MODE);
	if (fd == -1 && errno == EEXIST)
		return status_set(st, STATUS_CONFLICT,
		    "key file %s already exists; refusing to overwrite it (old messages may "
		    "need those keys): move it away first if you mean to replace them", path);
	if (fd == -1)
		return status_set(st, STATUS_STORE_FAILED, "cannot create key file %s: %s", path,
		    strerror(errno));
	if ((text = sodium_malloc(cap)) == NULL) {
		err = ENOMEM;
		goto out;
	}
	o = (size_t)snprintf(text, cap, "%s\nid %s\n", KEYFILE_MAGIC, k->id);
	put_hex(text, cap, &o, "sign_sk", k->sign_sk, sizeof(k->sign_sk));
	if (k->has_box)
		put_hex(text, cap, &o, "box_sk", k->box_sk, sizeof(k->box_sk));
	put_hex(text, cap, &o, "curve_sk", k->curve_sk, sizeof(k->curve_sk));
	/* The umask may have taken bits away; set exactly 0600. */
	if (fchmod(fd, KEYFILE_MODE) == -1) {
		err = errno;
		goto out;
	}
	while (done < o) {
		if ((n = write(fd, text + done, o - done)) == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			goto out;
		}
		done += (size_t)n;
	}
	if (fsync(fd) == -1 || sync_dir(path) == -1) {
		err = errno;
		goto out;
	}
	status_ok(st);
	ret = 0;
out:
	if (ret != 0) {
		unlink(path);
		status_set(st, STATUS_STORE_FAILED,
		    "cannot write key file %s: %s (nothing was kept)", path, strerror(err));
	}
	close(fd);
	if (text != NULL)
		sodium_free(text);
	return ret;
}
