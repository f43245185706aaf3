/* SPDX-License-Identifier: ISC */
/*
 * control: the control socket and the table of request handlers (see
 * control.h).  Non-blocking throughout: the agent has one thread, and a
 * slow or stuck caller must never hold up the broker link.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "agents/control.h"
#include "agents/ctlmsg.h"
#include "agents/output.h"
#include "agents/req.h"
#include "common/clock.h"
#include "common/log.h"

static const struct {
	const char *verb;
	int (*fn)(struct req *r, struct status *st);
} handlers[] = {
	{"send", req_send},
	{"inbox", req_inbox},
	{"show", req_show},
	{"ack", req_ack},
	{"decide", req_decide},
	{"feedback", req_feedback},
	{"outbox", req_outbox},
	{"status", req_status},
	{"deadlines", req_deadlines},
	{"user-add", req_user_add},
	{"user-passwd", req_user_passwd},
	{"user-disable", req_user_disable},
	{"user-list", req_user_list},
};

enum phase { READING, READY, WRITING };

struct client {
	int fd;
	uid_t uid;
	enum phase phase;
	uint64_t deadline_mono;
	uint8_t *buf;		/* READING: length prefix then body; WRITING: the answer */
	size_t len;		/* bytes in buf */
	size_t need;		/* READING: bytes wanted; WRITING: bytes written */
};

struct control {
	int fd;
	char *path;
	struct client clients[CONTROL_CLIENTS_MAX];
	size_t n;
};

/* Frees a client's buffer, wiped first: a request may carry a password
 * (user-add, user-passwd). */
static void
free_buf(struct client *cl)
{
	if (cl->buf != NULL)
		sodium_memzero(cl->buf, cl->len);
	free(cl->buf);
	cl->buf = NULL;
}

static void
drop(struct control *c, size_t i)
{
	close(c->clients[i].fd);
	free_buf(&c->clients[i]);
	c->clients[i] = c->clients[--c->n];
}

/* Makes the socket's directory exist with mode 0700. */
static int
socket_dir(const char *path, struct status *st)
{
	char *copy = strdup(path), *dir;
	struct stat sb;
	int ret = -1;

	if (copy == NULL)
		return status_set(st, STATUS_UNAVAILABLE, "out of memory");
	dir = dirname(copy);
	if (mkdir(dir, CONTROL_DIR_MODE) != 0 && errno != EEXIST) {
		status_set(st, STATUS_UNAVAILABLE, "cannot create %s for the control socket: %s", dir,
		    strerror(errno));
		goto out;
	}
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		status_set(st, STATUS_UNAVAILABLE, "%s is not a directory", dir);
		goto out;
	}
	if ((sb.st_mode & 077) != 0) {
		/* Only this agent's user may reach the socket. */
		if (chmod(dir, CONTROL_DIR_MODE) != 0) {
			status_set(st, STATUS_UNAVAILABLE,
			    "%s has mode %03o and cannot be made 0700: %s; run chmod 700 %s", dir,
			    (unsigned)(sb.st_mode & 0777), strerror(errno), dir);
			goto out;
		}
		log_warnx("made %s mode 0700 (it was %03o): it holds the control socket", dir,
		    (unsigned)(sb.st_mode & 0777));
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

/* 1 if an agent is listening at addr already. */
static int
live(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return 0;
	r = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
	close(fd);
	return r;
}

struct control *
control_new(const char *path, struct status *st)
{
	struct sockaddr_un addr;
	struct control *c;
	mode_t old;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		status_set(st, STATUS_BAD_FIELD, "control socket path %s is longer than %zu bytes",
		    path, sizeof(addr.sun_path) - 1);
		return NULL;
	}
	if (socket_dir(path, st) != 0)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->path = strdup(path)) == NULL) {
		free(c);
		status_set(st, STATUS_UNAVAILABLE, "out of memory");
		return NULL;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, strlen(path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		status_set(st, STATUS_UNAVAILABLE, "cannot create the control socket: %s",
		    strerror(errno));
		goto fail;
	}
	if (live(&addr)) {
		status_set(st, STATUS_UNAVAILABLE,
		    "another agent already answers on %s; stop it first", path);
		goto fail;
	}
	unlink(path);	/* a stale socket from a crash */
	old = umask(0177);
	if (bind(c->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		umask(old);
		status_set(st, STATUS_UNAVAILABLE, "cannot bind the control socket %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	umask(old);
	if (chmod(path, CONTROL_SOCKET_MODE) != 0 || listen(c->fd, CONTROL_BACKLOG) != 0) {
		status_set(st, STATUS_UNAVAILABLE, "cannot listen on %s: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	return c;
fail:
	if (c->fd >= 0)
		close(c->fd);
	free(c->path);
	free(c);
	return NULL;
}

void
control_destroy(struct control **cp)
{
	struct control *c = *cp;

	if (c == NULL)
		return;
	while (c->n > 0)
		drop(c, 0);
	close(c->fd);
	unlink(c->path);
	free(c->path);
	free(c);
	*cp = NULL;
}

size_t
control_pollitems(struct control *c, zmq_pollitem_t *items, size_t cap)
{
	size_t i, n = 0;

	if (cap == 0)
		return 0;
	items[n].socket = NULL;
	items[n].fd = c->fd;
	items[n].events = c->n < CONTROL_CLIENTS_MAX ? ZMQ_POLLIN : 0;
	items[n++].revents = 0;
	for (i = 0; i < c->n && n < cap; i++) {
		items[n].socket = NULL;
		items[n].fd = c->clients[i].fd;
		items[n].events = c->clients[i].phase == WRITING ? ZMQ_POLLOUT :
		    c->clients[i].phase == READING ? ZMQ_POLLIN : 0;
		items[n++].revents = 0;
	}
	return n;
}

static void
accept_one(struct control *c)
{
	struct client *cl;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    (cred.uid != getuid() && cred.uid != 0) || c->n >= CONTROL_CLIENTS_MAX) {
		log_warnx("control: refused a caller (uid %d): only uid %d or root may use %s",
		    len == sizeof(cred) ? (int)cred.uid : -1, (int)getuid(), c->path);
		close(fd);
		return;
	}
	cl = &c->clients[c->n++];
	memset(cl, 0, sizeof(*cl));
	cl->fd = fd;
	cl->uid = cred.uid;
	cl->phase = READING;
	cl->need = CTLMSG_LEN_BYTES;
	cl->deadline_mono = clock_mono_ms() + CONTROL_IDLE_MS;
}

/* Reads what is there: 0 to keep the client, -1 to drop it. */
static int
read_some(struct client *cl)
{
	uint8_t *p;
	uint32_t body;
	ssize_t r;

	if (cl->buf == NULL && (cl->buf = malloc(CTLMSG_LEN_BYTES)) == NULL)
		return -1;
	while (cl->len < cl->need) {
		r = read(cl->fd, cl->buf + cl->len, cl->need - cl->len);
		if (r == 0)
			return -1;	/* gone before finishing its request */
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		cl->len += (size_t)r;
		if (cl->len == CTLMSG_LEN_BYTES && cl->need == CTLMSG_LEN_BYTES) {
			body = ctlmsg_frame_len(cl->buf);
			if (body > CTLMSG_REQUEST_MAX)
				return -1;
			if ((p = realloc(cl->buf, CTLMSG_LEN_BYTES + body + 1)) == NULL)
				return -1;
			cl->buf = p;
			cl->need = CTLMSG_LEN_BYTES + body;
		}
	}
	cl->phase = READY;
	return 0;
}

static int
write_some(struct client *cl)
{
	ssize_t w;

	while (cl->need < cl->len) {
		w = send(cl->fd, cl->buf + cl->need, cl->len - cl->need, MSG_NOSIGNAL);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		cl->need += (size_t)w;
	}
	return -1;	/* all written: done with this caller */
}

static void
answer(struct client *cl, int code, const char *text, const struct output *out)
{
	struct status st;
	uint8_t *buf;
	size_t len;

	if (ctlmsg_response_encode(code, text, out != NULL ? out->buf : NULL,
		out != NULL && !out->failed ? out->len : 0, &buf, &len, &st) != 0 &&
	    ctlmsg_response_encode(st.code, st.text, NULL, 0, &buf, &len, &st) != 0) {
		buf = NULL;
		len = 0;
	}
	free_buf(cl);
	cl->buf = buf;
	cl->len = len;
	cl->need = 0;
	cl->phase = WRITING;
	cl->deadline_mono = clock_mono_ms() + CONTROL_IDLE_MS;
}

int
control_run(struct agent *a, const struct ctlmsg_request *rq, uid_t uid, struct output *out,
    struct status *st)
{
	struct req r = { a, rq, uid, out };
	size_t i;

	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(rq->verb, handlers[i].verb) == 0)
			break;
	if (i == sizeof(handlers) / sizeof(handlers[0])) {
		status_set(st, STATUS_UNKNOWN_COMMAND,
		    "this agent does not know '%s'; is the dutynet command newer than the agent?",
		    rq->verb);
		return st->code;
	}
	if (db_savepoint(a->db, st) != 0)
		return st->code;
	status_ok(st);
	if (handlers[i].fn(&r, st) == 0)
		return db_release(a->db, st) == 0 ? STATUS_OK : st->code;
	if (st->code != STATUS_STORE_FAILED && db_rollback_to(a->db, NULL) != 0)
		st->code = STATUS_STORE_FAILED;
	output_reset(out);
	return st->code;
}

/* One request, in its own savepoint: the code it answers with. */
static int
run_one(struct agent *a, struct client *cl, struct ctlmsg_request *rq, struct output *out,
    struct status *st)
{
	const char *json;

	if (ctlmsg_request_decode(cl->buf + CTLMSG_LEN_BYTES, cl->len - CTLMSG_LEN_BYTES, rq, st) != 0)
		return st->code;
	json = ctlmsg_get(rq, CTLMSG_JSON_KEY);
	output_init(out, json != NULL && strcmp(json, "1") == 0);
	return control_run(a, rq, cl->uid, out, st);
}

/* Runs every complete request as one group (see control.h). */
static void
run_ready(struct control *c, struct agent *a)
{
	struct ctlmsg_request rq[CONTROL_CLIENTS_MAX];
	struct output out[CONTROL_CLIENTS_MAX];
	struct status st[CONTROL_CLIENTS_MAX], bst;
	int code[CONTROL_CLIENTS_MAX], failed = 0;
	size_t idx[CONTROL_CLIENTS_MAX], n = 0, i;

	for (i = 0; i < c->n; i++)
		if (c->clients[i].phase == READY)
			idx[n++] = i;
	if (n == 0)
		return;
	memset(rq, 0, sizeof(rq[0]) * n);
	memset(out, 0, sizeof(out[0]) * n);
	if (db_begin(a->db, &bst) != 0)
		failed = 1;
	for (i = 0; i < n && !failed; i++) {
		status_ok(&st[i]);
		code[i] = run_one(a, &c->clients[idx[i]], &rq[i], &out[i], &st[i]);
		if (code[i] == STATUS_STORE_FAILED) {
			bst = st[i];
			failed = 1;
		}
	}
	if (!failed && db_commit(a->db, &bst) != 0)
		failed = 1;
	if (failed) {
		db_rollback(a->db, NULL);
		log_event(LOG_LEVEL_WARN, NULL, NULL, "store-failed", "%s", bst.text);
	}
	for (i = 0; i < n; i++) {
		if (failed)
			answer(&c->clients[idx[i]], STATUS_STORE_FAILED, bst.text, NULL);
		else
			answer(&c->clients[idx[i]], code[i], code[i] == STATUS_OK ? "" : st[i].text,
			    &out[i]);
		output_free(&out[i]);
		ctlmsg_request_clear(&rq[i]);
	}
}

void
control_io(struct control *c, struct agent *a, const zmq_pollitem_t *items, size_t n)
{
	uint64_t now = clock_mono_ms();
	size_t i, j;
	int keep;

	/* Clients first (items[1..] are them, in order), from the last so that
	 * dropping one does not move those not yet looked at. */
	for (i = c->n; i-- > 0;) {
		keep = 1;
		for (j = 1; j < n; j++) {
			if (items[j].fd != c->clients[i].fd || items[j].revents == 0)
				continue;
			if (items[j].revents & (ZMQ_POLLERR))
				keep = 0;
			else if (c->clients[i].phase == READING)
				keep = read_some(&c->clients[i]) == 0;
			else if (c->clients[i].phase == WRITING)
				keep = write_some(&c->clients[i]) == 0;
			break;
		}
		if (keep && now >= c->clients[i].deadline_mono)
			keep = 0;
		if (!keep)
			drop(c, i);
	}
	if (n > 0 && (items[0].revents & ZMQ_POLLIN))
		while (c->n < CONTROL_CLIENTS_MAX) {
			size_t before = c->n;

			accept_one(c);
			if (c->n == before)
				break;
			/* A caller has usually written its request already:
			 * read it now and answer in this turn, not the next. */
			if (read_some(&c->clients[c->n - 1]) != 0)
				drop(c, c->n - 1);
		}
	run_ready(c, a);
	/* Answers are usually small: try to write them at once. */
	for (i = c->n; i-- > 0;)
		if (c->clients[i].phase == WRITING && write_some(&c->clients[i]) != 0)
			drop(c, i);
}

uint64_t
control_wait_ms(const struct control *c)
{
	uint64_t now = clock_mono_ms(), wait = AGENT_POLL_MAX_MS;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->clients[i].deadline_mono <= now)
			return 0;
		if (c->clients[i].deadline_mono - now < wait)
			wait = c->clients[i].deadline_mono - now;
	}
	return wait;
}
