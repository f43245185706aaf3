/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/ctlmsg.c, the control-socket framing: round trips,
 * the exact bytes of a small request, and every reject path of the strict
 * decoder with its status code.  The unit under test is included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agents/ctlmsg.c"

static void
decode_rejects(const uint8_t *buf, size_t len, int code)
{
	struct ctlmsg_request req;
	struct status st;

	assert_int_equal(ctlmsg_request_decode(buf, len, &req, &st), -1);
	assert_int_equal(st.code, code);
	assert_int_equal(req.nargs, 0);
}

static void
bad_requests_are_refused_with_their_codes(void **state)
{
	/* [2, "inbox", []]: another version. */
	static const uint8_t v2[] = { 0x93, 0x02, 0xa5, 'i', 'n', 'b', 'o', 'x', 0x90 };
	/* [1, "inbox"]: a field missing. */
	static const uint8_t short2[] = { 0x92, 0x01, 0xa5, 'i', 'n', 'b', 'o', 'x' };
	/* [1, "In", []]: a verb with a capital. */
	static const uint8_t badverb[] = { 0x93, 0x01, 0xa2, 'I', 'n', 0x90 };
	/* [1, "show", [["id"]]]: a pair with one element. */
	static const uint8_t halfpair[] = { 0x93, 0x01, 0xa4, 's', 'h', 'o', 'w', 0x91, 0x91,
		0xa2, 'i', 'd' };
	/* [1, "show", [["id","a"],["id","b"]]]: a key twice. */
	static const uint8_t twice[] = { 0x93, 0x01, 0xa4, 's', 'h', 'o', 'w', 0x92, 0x92, 0xa2,
		'i', 'd', 0xa1, 'a', 0x92, 0xa2, 'i', 'd', 0xa1, 'b' };
	/* [1, "show", []] and a stray byte. */
	static const uint8_t trailing[] = { 0x93, 0x01, 0xa4, 's', 'h', 'o', 'w', 0x90, 0xc0 };
	/* A uint8-encoded 1: not canonical. */
	static const uint8_t longint[] = { 0x93, 0xcc, 0x01, 0xa4, 's', 'h', 'o', 'w', 0x90 };
	/* An array claiming 65535 arguments in 12 bytes: refused as truncated
	 * before anything is allocated. */
	static const uint8_t huge[] = { 0x93, 0x01, 0xa4, 's', 'h', 'o', 'w', 0xdc, 0xff, 0xff,
		0x90, 0x90 };
	/* A value with invalid UTF-8. */
	static const uint8_t utf8[] = { 0x93, 0x01, 0xa4, 's', 'h', 'o', 'w', 0x91, 0x92, 0xa2,
		'i', 'd', 0xa1, 0xff };
	static uint8_t big[CTLMSG_REQUEST_MAX + 1];
	uint8_t many[16 + 5 * (CTLMSG_ARGS_MAX + 1)];
	size_t n, i;

	(void)state;
	decode_rejects(big, sizeof(big), STATUS_TOO_LARGE);
	decode_rejects(v2, sizeof(v2), STATUS_BAD_VERSION);
	decode_rejects(short2, sizeof(short2), STATUS_MALFORMED);
	decode_rejects(badverb, sizeof(badverb), STATUS_BAD_FIELD);
	decode_rejects(halfpair, sizeof(halfpair), STATUS_MALFORMED);
	decode_rejects(twice, sizeof(twice), STATUS_BAD_FIELD);
	decode_rejects(trailing, sizeof(trailing), STATUS_MALFORMED);
	decode_rejects(longint, sizeof(longint), STATUS_MALFORMED);
	decode_rejects(huge, sizeof(huge), STATUS_MALFORMED);
	/* One argument more than allowed, all present. */
	n = 0;
	memcpy(many, "\x93\x01\xa1x\xdc\x00", 6);
	n = 6;
	many[n++] = CTLMSG_ARGS_MAX + 1;
	for (i = 0; i < CTLMSG_ARGS_MAX + 1; i++) {
		memcpy(many + n, "\x92\xa1k\xa1v", 5);
		n += 5;
	}
	decode_rejects(many, n, STATUS_BAD_FIELD);
	decode_rejects(utf8, sizeof(utf8), STATUS_MALFORMED);
	decode_rejects(NULL, 0, STATUS_MALFORMED);
}

static void
bad_arguments_are_not_encoded(void **state)
{
	struct ctlmsg_arg args[CTLMSG_ARGS_MAX + 1];
	struct status st;
	uint8_t *out;
	size_t len, i;
	char *big;

	(void)state;
	assert_int_equal(ctlmsg_request_encode("Send", NULL, 0, &out, &len, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_null(out);
	assert_int_equal(ctlmsg_request_encode("", NULL, 0, &out, &len, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	args[0].key = "to agency";
	args[0].value = "mash";
	assert_int_equal(ctlmsg_request_encode("send", args, 1, &out, &len, &st), -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	assert_non_null(strstr(st.text, "to agency"));
	for (i = 0; i < CTLMSG_ARGS_MAX + 1; i++) {
		args[i].key = "k";
		args[i].value = "v";
	}
	assert_int_equal(ctlmsg_request_encode("send", args, CTLMSG_ARGS_MAX + 1, &out, &len, &st),
	    -1);
	assert_int_equal(st.code, STATUS_BAD_FIELD);
	big = malloc(CTLMSG_VALUE_MAX + 2);
	memset(big, 'x', CTLMSG_VALUE_MAX + 1);
	big[CTLMSG_VALUE_MAX + 1] = '\0';
	args[0].key = "summary";
	args[0].value = big;
	assert_int_equal(ctlmsg_request_encode("send", args, 1, &out, &len, &st), -1);
	assert_int_equal(st.code, STATUS_TOO_LARGE);
	assert_non_null(strstr(st.text, "--summary"));
	free(big);
}

static void
request_has_the_documented_bytes_and_round_trips(void **state)
{
	static const uint8_t want[] = { 0x00, 0x00, 0x00, 0x13, 0x93, 0x01, 0xa4, 's', 'h', 'o',
		'w', 0x91, 0x92, 0xa2, 'i', 'd', 0xa6, '0', '1', '9', 'a', 'b', 'c' };
	struct ctlmsg_arg args[3] = {
		{ "id", "019abc" },
		{ "json", "1" },
		{ "summary", "Ça va — a \"quoted\" line\nand another" },
	};
	struct ctlmsg_request req;
	struct status st;
	uint8_t *out;
	size_t len;

	(void)state;
	assert_int_equal(ctlmsg_request_encode("show", args, 1, &out, &len, &st), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(ctlmsg_frame_len(out), len - CTLMSG_LEN_BYTES);
	free(out);

	assert_int_equal(ctlmsg_request_encode("send", args, 3, &out, &len, &st), 0);
	assert_int_equal(ctlmsg_request_decode(out + CTLMSG_LEN_BYTES, len - CTLMSG_LEN_BYTES,
			     &req, &st),
	    0);
	free(out);
	assert_string_equal(req.verb, "send");
	assert_int_equal(req.nargs, 3);
	assert_string_equal(ctlmsg_get(&req, "id"), "019abc");
	assert_string_equal(ctlmsg_get(&req, "json"), "1");
	assert_string_equal(ctlmsg_get(&req, "summary"), args[2].value);
	assert_null(ctlmsg_get(&req, "to"));
	ctlmsg_request_clear(&req);
	assert_int_equal(req.nargs, 0);
	assert_null(ctlmsg_get(&req, "id"));
}

static void
response_round_trips_and_rejects(void **state)
{
	/* [200, "", "x"] and [700, "", ""]. */
	static const uint8_t ok[] = { 0x93, 0xcc, 0xc8, 0xa0, 0xa1, 'x' };
	static const uint8_t badcode[] = { 0x93, 0xcd, 0x02, 0xbc, 0xa0, 0xa0 };
	static const uint8_t shape[] = { 0x92, 0xcc, 0xc8, 0xa0, 0xa0 };
	struct ctlmsg_response resp;
	struct status st;
	uint8_t *out;
	size_t len;
	const char *text = "recipient 'nowhere' is not in the directory";
	const char *output = "{\"id\": \"019a\"}\n";

	(void)state;
	assert_int_equal(ctlmsg_response_encode(STATUS_UNKNOWN_AGENCY, text, output, strlen(output),
			     &out, &len, &st),
	    0);
	assert_int_equal(ctlmsg_frame_len(out), len - CTLMSG_LEN_BYTES);
	assert_int_equal(ctlmsg_response_decode(out + CTLMSG_LEN_BYTES, len - CTLMSG_LEN_BYTES,
			     &resp, &st),
	    0);
	free(out);
	assert_int_equal(resp.code, STATUS_UNKNOWN_AGENCY);
	assert_string_equal(resp.text, text);
	assert_string_equal(resp.output, output);
	assert_int_equal(resp.output_len, strlen(output));
	ctlmsg_response_clear(&resp);

	assert_int_equal(ctlmsg_response_encode(STATUS_OK, NULL, NULL, 5, &out, &len, &st), 0);
	assert_int_equal(ctlmsg_response_decode(out + 4, len - 4, &resp, &st), 0);
	assert_string_equal(resp.text, "");
	assert_string_equal(resp.output, "");
	ctlmsg_response_clear(&resp);
	free(out);

	assert_int_equal(ctlmsg_response_decode(ok, sizeof(ok), &resp, &st), 0);
	assert_int_equal(resp.code, 200);
	ctlmsg_response_clear(&resp);
	assert_int_equal(ctlmsg_response_decode(badcode, sizeof(badcode), &resp, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	assert_int_equal(ctlmsg_response_decode(shape, sizeof(shape), &resp, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
	assert_int_equal(ctlmsg_response_decode(ok, sizeof(ok) - 1, &resp, &st), -1);
	assert_int_equal(st.code, STATUS_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_requests_are_refused_with_their_codes),
		cmocka_unit_test(bad_arguments_are_not_encoded),
		cmocka_unit_test(request_has_the_documented_bytes_and_round_trips),
		cmocka_unit_test(response_round_trips_and_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
