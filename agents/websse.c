/* SPDX-License-Identifier: ISC */
/*
 * websse: event streams on suspended connections (see websse.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "agents/websse.h"

#define STREAM_BLOCK 4096	/* bytes the reader is asked for at most */

struct stream {
	struct websse *owner;
	struct MHD_Connection *conn;
	char token[WEBSESSION_TOKEN_TEXT + 1];	/* its session's */
	char *queue;
	size_t len;
	uint64_t last_ms;			/* last byte queued */
	bool suspended;
	bool closing;
};

struct websse {
	struct websessions *sessions;
	struct stream *v[WEBSSE_STREAMS_MAX];
	unsigned n;
};

struct websse *
websse_new(struct websessions *sessions)
{
	struct websse *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->sessions = sessions;
	return s;
}

static void
wake(struct stream *t)
{
	if (t->suspended) {
		t->suspended = false;
		MHD_resume_connection(t->conn);
	}
}

static void
queue(struct stream *t, const char *text, uint64_t now_ms)
{
	size_t n = strlen(text);
	char *grown;

	if (t->closing)
		return;
	if (t->len + n > WEBSSE_QUEUE_MAX || (grown = realloc(t->queue, t->len + n)) == NULL) {
		t->closing = true;
	} else {
		memcpy(grown + t->len, text, n);
		t->queue = grown;
		t->len += n;
		t->last_ms = now_ms;
	}
	wake(t);
}

static ssize_t
reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *t = cls;
	size_t n;

	(void)pos;
	if (t->len == 0 && t->closing)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (t->len == 0) {
		t->suspended = true;
		MHD_suspend_connection(t->conn);
		return 0;
	}
	n = t->len < max ? t->len : max;
	if (n > STREAM_BLOCK)
		n = STREAM_BLOCK;
	memcpy(buf, t->queue, n);
	memmove(t->queue, t->queue + n, t->len - n);
	t->len -= n;
	return (ssize_t)n;
}

static void
release(void *cls)
{
	struct stream *t = cls;
	struct websse *s = t->owner;
	unsigned i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (s->v[i] == t) {
			s->v[i] = s->v[--s->n];
			break;
		}
	sodium_memzero(t->token, sizeof(t->token));
	free(t->queue);
	free(t);
}

struct MHD_Response *
websse_open(struct websse *s, void *conn, const char *token, uint64_t now_ms)
{
	struct MHD_Response *resp;
	struct stream *t;
	char hello[64];

	if (s->n == WEBSSE_STREAMS_MAX || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->owner = s;
	t->conn = conn;
	snprintf(t->token, sizeof(t->token), "%s", token);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, reader, t,
	    release);
	if (resp == NULL) {
		free(t);
		return NULL;
	}
	s->v[s->n++] = t;
	snprintf(hello, sizeof(hello), "retry: %d\n: dutynet\n\n", WEBSSE_RETRY_MS);
	queue(t, hello, now_ms);
	return resp;
}

void
websse_send(struct websse *s, const char *event, const char *data)
{
	char *text;
	size_t cap;
	unsigned i;

	cap = strlen(event) + strlen(data) + sizeof("event: \ndata: \n\n");
	if ((text = malloc(cap)) == NULL)
		return;
	snprintf(text, cap, "event: %s\ndata: %s\n\n", event, data);
	for (i = 0; i < s->n; i++)
		queue(s->v[i], text, s->v[i]->last_ms);
	free(text);
}

void
websse_tick(struct websse *s, uint64_t now_ms)
{
	struct stream *t;
	unsigned i;

	for (i = 0; i < s->n; i++) {
		t = s->v[i];
		if (websession_find(s->sessions, t->token, now_ms, false) == NULL) {
			t->closing = true;
			wake(t);
		} else if (now_ms - t->last_ms >= WEBSSE_KEEPALIVE_MS) {
			queue(t, ": keepalive\n\n", now_ms);
		}
	}
}

unsigned
websse_count(const struct websse *s)
{
	return s->n;
}

void
websse_destroy(struct websse **sp)
{
	struct websse *s;
	unsigned i;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	/* Each stream is freed by its response's release when the daemon
	 * stops; from now on it must not find its owner. */
	for (i = 0; i < s->n; i++) {
		s->v[i]->owner = NULL;
		s->v[i]->closing = true;
		wake(s->v[i]);
	}
	free(s);
	*sp = NULL;
}
