/* SPDX-License-Identifier: ISC */
/*
 * webasset: the web inbox's stylesheet and script (agents/web/dutynet.css,
 * agents/web/dutynet.js), compiled into the agent as byte arrays by
 * agents/CMakeLists.txt (webasset_data.c in the build directory), so the
 * agent serves no file from disk.
 */
#ifndef DUTYNET_WEBASSET_H
#define DUTYNET_WEBASSET_H

#include <stddef.h>

extern const unsigned char webasset_css[];
extern const size_t webasset_css_len;
extern const unsigned char webasset_js[];
extern const size_t webasset_js_len;

#endif
