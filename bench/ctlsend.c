/* SPDX-License-Identifier: ISC */
/*
 * ctlsend: concurrent control-socket requests (see ctlsend.h).  The
 * connect is blocking (a local socket whose agent accepts at once), the
 * rest non-blocking.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agents/ctlmsg.h"
#include "bench/ctlsend.h"

void
ctlsend_init(struct ctlsend *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < CTLSEND_SLOTS_MAX; i++)
		c->slot[i].fd = -1;
}

static void
release(struct ctlsend *c, struct ctlsend_slot *s)
{
	close(s->fd);
	free(s->body);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	c->active--;
}

void
ctlsend_clear(struct ctlsend *c)
{
	size_t i;

	for (i = 0; i < CTLSEND_SLOTS_MAX; i++)
		if (c->slot[i].fd >= 0)
			release(c, &c->slot[i]);
}

int
ctlsend_start(struct ctlsend *c, const char *path, const uint8_t *req, size_t len, int tag,
    struct status *st)
{
	struct sockaddr_un addr;
	struct ctlsend_slot *s = NULL;
	size_t i;
	int fd;

	for (i = 0; i < CTLSEND_SLOTS_MAX && s == NULL; i++)
		if (c->slot[i].fd < 0)
			s = &c->slot[i];
	if (s == NULL)
		return status_set(st, STATUS_UNAVAILABLE, "all %d request slots are busy",
		    CTLSEND_SLOTS_MAX);
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr.sun_path))
		return status_set(st, STATUS_BAD_FIELD, "socket path %s is too long", path);
	memcpy(addr.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return status_set(st, STATUS_UNAVAILABLE, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		status_set(st, STATUS_UNAVAILABLE, "the agent does not answer on %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->tag = tag;
	s->req = req;
	s->req_len = len;
	s->need = CTLMSG_LEN_BYTES;
	c->active++;
	return 0;
}

size_t
ctlsend_pollfds(const struct ctlsend *c, struct pollfd *pfd)
{
	size_t i, n = 0;

	for (i = 0; i < CTLSEND_SLOTS_MAX; i++) {
		if (c->slot[i].fd < 0)
			continue;
		pfd[n].fd = c->slot[i].fd;
		pfd[n].events = c->slot[i].sent < c->slot[i].req_len ? POLLOUT : POLLIN;
		pfd[n++].revents = 0;
	}
	return n;
}

/* Moves s forward: 1 when answered (*code set), 0 to wait, -1 if broken. */
static int
step(struct ctlsend_slot *s, int *code)
{
	struct ctlmsg_response resp;
	struct status st;
	uint8_t *p;
	ssize_t r;

	while (s->sent < s->req_len) {
		r = send(s->fd, s->req + s->sent, s->req_len - s->sent, MSG_NOSIGNAL);
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		s->sent += (size_t)r;
	}
	for (;;) {
		p = s->body == NULL ? s->prefix : s->body;
		if (s->got == s->need) {
			if (s->body != NULL)
				break;
			s->need = ctlmsg_frame_len(s->prefix);
			if (s->need > CTLMSG_RESPONSE_MAX ||
			    (s->body = malloc(s->need ? s->need : 1)) == NULL)
				return -1;
			s->got = 0;
			continue;
		}
		r = read(s->fd, p + s->got, s->need - s->got);
		if (r == 0)
			return -1;
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		s->got += (size_t)r;
	}
	memset(&resp, 0, sizeof(resp));
	if (ctlmsg_response_decode(s->body, s->need, &resp, &st) != 0)
		return -1;
	*code = resp.code;
	ctlmsg_response_clear(&resp);
	return 1;
}

void
ctlsend_io(struct ctlsend *c, const struct pollfd *pfd, size_t n, ctlsend_done_fn *done,
    void *arg)
{
	struct ctlsend_slot *s;
	size_t i, j;
	int rc, code, tag;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		for (j = 0, s = NULL; j < CTLSEND_SLOTS_MAX && s == NULL; j++)
			if (c->slot[j].fd == pfd[i].fd)
				s = &c->slot[j];
		if (s == NULL)
			continue;
		code = 0;
		if ((rc = step(s, &code)) == 0)
			continue;
		tag = s->tag;
		release(c, s);
		done(arg, tag, rc == 1 ? code : 0);
	}
}
