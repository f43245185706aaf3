/* SPDX-License-Identifier: ISC */
/*
 * progress: a progress bar on stderr for long passes (verifying a log of
 * millions of entries takes seconds), drawn only when stderr is a
 * terminal, so logs, pipes and tests never see it, and redrawn at most
 * every PROGRESS_REDRAW_MS.
 */
#ifndef DUTYNET_AUDIT_PROGRESS_H
#define DUTYNET_AUDIT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define PROGRESS_REDRAW_MS 100
#define PROGRESS_WIDTH 30	/* characters of the bar */
#define PROGRESS_LABEL_MAX 48

struct progress {
	bool on;			/* stderr is a terminal and not disabled */
	char label[PROGRESS_LABEL_MAX + 1];
	uint64_t total;			/* 0: unknown */
	uint64_t last_ms;		/* when last drawn */
};

/* Starts a bar for label (cut to PROGRESS_LABEL_MAX) over total items;
 * enabled only if allowed and stderr is a terminal. */
void progress_start(struct progress *p, const char *label, uint64_t total, bool allowed);

/* Redraws with done items if the last drawing is old enough. */
void progress_update(struct progress *p, uint64_t done);

/* Clears the bar's line. */
void progress_end(struct progress *p);

#endif
