/* SPDX-License-Identifier: ISC */
/*
 * html: writing the web inbox's pages (issue 9) into an output buffer -
 * escaping every text that did not come from this file, and the layout
 * every page shares (GOV.UK Design System markup: skip link, header with
 * navigation, main, footer; our own stylesheet and script, no inline
 * script or style, so the Content-Security-Policy can forbid both).
 *
 * Only html_text and html_textn put outside text into a page; markup is
 * written with output_printf and never takes a %s that is not a constant
 * of the program or already escaped.
 */
#ifndef DUTYNET_HTML_H
#define DUTYNET_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "agents/output.h"

/* The service's name in the header and every title. */
#define HTML_SERVICE "dutynet"

/* Which navigation link is the current page. */
enum html_nav {
	HTML_NAV_NONE,
	HTML_NAV_INBOX,
	HTML_NAV_COMPOSE,
	HTML_NAV_SENT,
	HTML_NAV_DEADLINES,
};

/* What the layout needs to know about a page and who is looking at it. */
struct html_page {
	const char *title;		/* the h1 and the <title> */
	const char *agency;		/* this agency's name, in the header */
	const char *user;		/* NULL: not logged in (no navigation) */
	const char *role;
	bool can_act;			/* not a viewer: Compose is offered */
	const char *csrf;		/* the session's token for the sign-out form */
	enum html_nav nav;
};

/* Appends s with & < > " ' escaped (for text and quoted attribute values);
 * NULL as nothing. */
void html_text(struct output *o, const char *s);

/* The same for s[0..len) (may hold no NUL). */
void html_textn(struct output *o, const char *s, size_t len);

/* Appends <tag class="cls">text</tag> with text escaped; cls NULL: none. */
void html_elem(struct output *o, const char *tag, const char *cls, const char *text);

/* Appends the page's head, header, navigation and the opening of main
 * (the h1 is the page's to write). */
void html_begin(struct output *o, const struct html_page *p);

/* Closes main and the page. */
void html_end(struct output *o);

/* Appends <table class="govuk-table" id=ID> with its caption and a head
 * row of headers (NULL-terminated), and opens its body; html_table_end
 * closes it. */
void html_table_begin(struct output *o, const char *id, const char *caption,
    const char *const *headers);
void html_table_end(struct output *o);

/* Appends the hidden csrf field every POST form carries. */
void html_csrf(struct output *o, const char *token);

#endif
