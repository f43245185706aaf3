/* SPDX-License-Identifier: ISC */
/* Unit tests for agents/html.c: escaping and the page layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "agents/html.c"
#include "agents/output.c"

static void
escapes_every_special_character(void **state)
{
	struct output o;

	(void)state;
	output_init(&o, false);
	html_text(&o, "<script>alert('x') & \"y\"</script>");
	assert_false(o.failed);
	assert_string_equal(o.buf,
	    "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
	output_free(&o);
}

static void
plain_text_and_null_unchanged(void **state)
{
	struct output o;

	(void)state;
	output_init(&o, false);
	html_text(&o, NULL);
	html_text(&o, "");
	assert_int_equal(o.len, 0);
	html_text(&o, "Ann Example, born 2015-03-02");
	assert_string_equal(o.buf, "Ann Example, born 2015-03-02");
	output_free(&o);
}

static void
textn_stops_at_len_and_passes_utf8(void **state)
{
	struct output o;

	(void)state;
	output_init(&o, false);
	html_textn(&o, "a<b>c", 2);
	assert_string_equal(o.buf, "a&lt;");
	output_reset(&o);
	html_textn(&o, "caf\xc3\xa9 & <", 9);
	assert_string_equal(o.buf, "caf\xc3\xa9 &amp; &lt;");
	output_free(&o);
}

static void
elem_escapes_class_and_text(void **state)
{
	struct output o;

	(void)state;
	output_init(&o, false);
	html_elem(&o, "p", "a\"b", "<x>");
	assert_string_equal(o.buf, "<p class=\"a&quot;b\">&lt;x&gt;</p>");
	output_reset(&o);
	html_elem(&o, "h1", NULL, "Inbox");
	assert_string_equal(o.buf, "<h1>Inbox</h1>");
	output_reset(&o);
	html_csrf(&o, "ab\"c");
	assert_string_equal(o.buf, "<input type=\"hidden\" name=\"csrf\" value=\"ab&quot;c\">");
	output_free(&o);
}

static void
layout_signed_out_has_no_navigation(void **state)
{
	struct html_page p = { "Sign <in>", "St Mary's", NULL, NULL, false, NULL, HTML_NAV_NONE };
	struct output o;

	(void)state;
	output_init(&o, false);
	html_begin(&o, &p);
	html_end(&o);
	assert_non_null(strstr(o.buf, "<title>Sign &lt;in&gt; - dutynet</title>"));
	assert_non_null(strstr(o.buf, "St Mary&#39;s"));
	assert_non_null(strstr(o.buf, "<script src=\"/static/dutynet.js\" defer></script>"));
	assert_null(strstr(o.buf, "nav-inbox"));
	assert_null(strstr(o.buf, "live-region"));
	assert_null(strstr(o.buf, "<script>"));
	assert_non_null(strstr(o.buf, "</html>\n"));
	output_free(&o);
}

static void
layout_signed_in_marks_current_page(void **state)
{
	struct html_page p = { "Inbox", "MASH", "alice.khan", "worker", true, "tok<en",
		HTML_NAV_INBOX };
	struct output o;

	(void)state;
	output_init(&o, false);
	html_begin(&o, &p);
	assert_non_null(strstr(o.buf, "id=\"nav-inbox\" href=\"/inbox\" aria-current=\"page\""));
	assert_non_null(strstr(o.buf, "id=\"nav-compose\" href=\"/compose\">"));
	assert_non_null(strstr(o.buf, "id=\"nav-sent\" href=\"/sent\">"));
	assert_non_null(strstr(o.buf, "id=\"nav-deadlines\" href=\"/deadlines\">"));
	assert_non_null(strstr(o.buf, "Signed in as <strong>alice.khan</strong> (worker)"));
	assert_non_null(strstr(o.buf, "<form id=\"logout-form\" method=\"post\" "
	    "action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"tok&lt;en\">"));
	assert_non_null(strstr(o.buf, "id=\"live-region\""));
	output_free(&o);
	/* A viewer is not offered Compose. */
	p.can_act = false;
	output_init(&o, false);
	html_begin(&o, &p);
	assert_null(strstr(o.buf, "nav-compose"));
	output_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes_every_special_character),
		cmocka_unit_test(plain_text_and_null_unchanged),
		cmocka_unit_test(textn_stops_at_len_and_passes_utf8),
		cmocka_unit_test(elem_escapes_class_and_text),
		cmocka_unit_test(layout_signed_out_has_no_navigation),
		cmocka_unit_test(layout_signed_in_marks_current_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
