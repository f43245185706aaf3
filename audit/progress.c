/* SPDX-License-Identifier: ISC */
/*
 * progress: a terminal progress bar on stderr (see progress.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "audit/progress.h"
#include "common/clock.h"

#define PERCENT 100

void
progress_start(struct progress *p, const char *label, uint64_t total, bool allowed)
{
	p->on = allowed && isatty(STDERR_FILENO);
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->total = total;
	p->last_ms = 0;
}

void
progress_update(struct progress *p, uint64_t done)
{
	char bar[PROGRESS_WIDTH + 1];
	uint64_t now, filled, i;

	if (!p->on)
		return;
	now = clock_mono_ms();
	if (p->last_ms != 0 && now - p->last_ms < PROGRESS_REDRAW_MS)
		return;
	p->last_ms = now;
	if (p->total == 0) {
		fprintf(stderr, "\r%s: %" PRIu64 " entries", p->label, done);
		return;
	}
	if (done > p->total)
		done = p->total;
	filled = done * PROGRESS_WIDTH / p->total;
	for (i = 0; i < PROGRESS_WIDTH; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[PROGRESS_WIDTH] = '\0';
	fprintf(stderr, "\r%s [%s] %3" PRIu64 "%% %" PRIu64 "/%" PRIu64, p->label, bar,
	    done * PERCENT / p->total, done, p->total);
}

void
progress_end(struct progress *p)
{
	if (!p->on)
		return;
	/* Erase the line: the result follows on stdout. */
	fputs("\r\033[K", stderr);
	p->on = false;
}
