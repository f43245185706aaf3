/* SPDX-License-Identifier: ISC */
/*
 * dutynet-testclient: one DEALER connection to the broker, driven by a
 * script of steps on the command line, printing one line per thing that
 * comes back ("COMMAND CODE TEXT").  It authenticates with an agency's key
 * file (--as, --key) or a random unknown key (--random-key), may choose its
 * own routing id (--routing-id), and can play the receiving agency too
 * (verify, decrypt, commit nothing, answer with a signed receipt).
 *
 *	dutynet-testclient --config DIR --as school-stmarys \
 *	    hello send:to=camhs:marker=XYZ expect:cmd=RESULT:code=202
 *
 * Steps (options are name=value, separated by ':'):
 *   hello[:agency=A][:window=N]   HELLO (as another agency with agency=)
 *   send:to=A[:type=T][:from=A][:marker=M][:tamper=sig|to:A][:pad=N]
 *        [:reply=ID|last][:urgency=N][:save=FILE]   seal and SEND one envelope
 *   sendmany:to=A:n=N[:save=DIR][:marker=M][:gap=MS]  N referrals (markers
 *                                  M-000000, M-000001, ...), MS apart, not waiting
 *   resend:file=F | resend:dir=D   SEND saved envelope bytes again
 *   raw:HEX,HEX,...                one message of raw frames ('-' is empty)
 *   big:bytes=N                    a SEND whose envelope frame is N bytes
 *   flood:n=N                      N malformed messages, without waiting
 *   ping | ack:seq=N | sleep:ms=N
 *   recv[:ms=N][:n=N]              print what arrives
 *   expect:cmd=C[:code=N][:text=S][:count=N][:ms=N]   wait for it (exit 1 if not)
 *   receive[:n=N][:ms=N]           act as the recipient: RECEIPT or ACK each (a
 *                                  broker notice is opened, printed NOTICE, ACKed)
 *   until:ms=T                     wait (handling what arrives) until clock_now_ms()
 *                                  >= T (DUTYNET_CLOCK_OFFSET_MS applies)
 * Exit: 0, 1 an expect failed, 2 bad usage or setup.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "common/clock.h"
#include "config/settings.h"
#include "proto/frame.h"
#include "tests/support/testclient/tc.h"
#include "tests/support/testclient/tc_io.h"

#define DEFAULT_TIMEOUT_MS 5000
#define FLOOD_KINDS 5
#define FLOOD_QUIET_MS 300
#define PATH_MAX_LEN 4096
#define OPT_MAX 16
#define UNTIL_STEP_MS 50

/* One step's name=value options. */
struct opts {
	int n;
	char *name[OPT_MAX];
	char *value[OPT_MAX];
};

static const char *
opt(const struct opts *o, const char *name, const char *dflt)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->name[i], name) == 0)
			return o->value[i];
	return dflt;
}

static long long
opt_num(const struct opts *o, const char *name, long long dflt)
{
	const char *v = opt(o, name, NULL);

	return v != NULL ? atoll(v) : dflt;
}

/* Splits "verb:a=1:b=2" in place. */
static char *
split(char *step, struct opts *o)
{
	char *verb = strtok(step, ":"), *kv, *eq;

	o->n = 0;
	while ((kv = strtok(NULL, ":")) != NULL && o->n < OPT_MAX) {
		/* tamper=to:AGENCY keeps its colon */
		if ((eq = strchr(kv, '=')) == NULL) {
			if (o->n > 0 && strcmp(o->name[o->n - 1], "tamper") == 0) {
				kv[-1] = ':';
				continue;
			}
			continue;
		}
		*eq = '\0';
		o->name[o->n] = kv;
		o->value[o->n++] = eq + 1;
	}
	return verb;
}

static int
type_of(const char *s)
{
	int t = envelope_type_parse(s);

	return t != -1 ? t : atoi(s);
}

static int
save(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f != NULL && fwrite(buf, 1, len, f) == len;

	if (f != NULL && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static int
load(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	*len = fread(buf, 1, cap, f);
	fclose(f);
	return 0;
}

static int
step_send(struct tc_io *io, const struct opts *o, uint8_t *buf)
{
	struct tc_spec spec;
	struct status st;
	const char *reply = opt(o, "reply", NULL), *file = opt(o, "save", NULL);
	size_t len;

	memset(&spec, 0, sizeof(spec));
	spec.to = opt(o, "to", NULL);
	spec.type = type_of(opt(o, "type", "referral"));
	spec.from = opt(o, "from", NULL);
	spec.marker = opt(o, "marker", NULL);
	spec.tamper = opt(o, "tamper", NULL);
	spec.pad = (size_t)opt_num(o, "pad", 0);
	spec.urgency = (int)opt_num(o, "urgency", 0);
	if (reply != NULL && strcmp(reply, "last") == 0) {
		spec.has_reply_to = io->has_last;
		memcpy(spec.reply_to, io->last_id, IDS_MSGID_BYTES);
	} else if (reply != NULL) {
		spec.has_reply_to = ids_msgid_parse(reply, spec.reply_to, &st) == 0;
	}
	if (spec.to == NULL || io->k == NULL) {
		fprintf(stderr, "testclient: send needs to= and an agency key (--as)\n");
		return 2;
	}
	if (tc_build_envelope(io->k, io->d, &spec, buf, &len, &st) == -1) {
		fprintf(stderr, "testclient: cannot build the envelope: %s\n", st.text);
		return 2;
	}
	if (file != NULL && save(file, buf, len) == -1) {
		fprintf(stderr, "testclient: cannot write %s\n", file);
		return 2;
	}
	return tc_io_send_envelope(io, FRAME_SEND, 0, buf, len);
}

static int
step_sendmany(struct tc_io *io, const struct opts *o, uint8_t *buf)
{
	struct tc_spec spec;
	struct status st;
	const char *dir = opt(o, "save", NULL);
	char path[PATH_MAX_LEN], marker[PATH_MAX_LEN];
	long long i, n = opt_num(o, "n", 1);
	int rc, gap = (int)opt_num(o, "gap", 0);
	size_t len;

	memset(&spec, 0, sizeof(spec));
	spec.to = opt(o, "to", NULL);
	spec.type = ENVELOPE_REFERRAL;
	if (spec.to == NULL || io->k == NULL)
		return 2;
	for (i = 0; i < n; i++) {
		/* marker-000001, marker-000002, ...: the order can be checked */
		snprintf(marker, sizeof(marker), "%s-%06lld", opt(o, "marker", "sendmany"), i);
		spec.marker = marker;
		if (tc_build_envelope(io->k, io->d, &spec, buf, &len, &st) == -1) {
			fprintf(stderr, "testclient: %s\n", st.text);
			return 2;
		}
		snprintf(path, sizeof(path), "%s/%06lld.env", dir != NULL ? dir : ".", i);
		if (dir != NULL && save(path, buf, len) == -1)
			return 2;
		if ((rc = tc_io_send_envelope(io, FRAME_SEND, 0, buf, len)) != 0)
			return rc;
		tc_io_poll(io, gap, NULL);	/* keep the replies flowing */
	}
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
step_resend(struct tc_io *io, const struct opts *o, uint8_t *buf)
{
	const char *file = opt(o, "file", NULL), *dir = opt(o, "dir", NULL);
	char path[PATH_MAX_LEN], *names[4096];
	struct dirent *e;
	size_t len, n = 0, i;
	DIR *dp;
	int rc = 0;

	if (file != NULL) {
		if (load(file, buf, TC_ENVELOPE_MAX, &len) == -1)
			return 2;
		return tc_io_send_envelope(io, FRAME_SEND, 0, buf, len);
	}
	if (dir == NULL || (dp = opendir(dir)) == NULL)
		return 2;
	while ((e = readdir(dp)) != NULL && n < sizeof(names) / sizeof(names[0]))
		if (strstr(e->d_name, ".env") != NULL)
			names[n++] = strdup(e->d_name);
	closedir(dp);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (rc == 0 && load(path, buf, TC_ENVELOPE_MAX, &len) == 0)
			rc = tc_io_send_envelope(io, FRAME_SEND, 0, buf, len);
		tc_io_poll(io, 0, NULL);
		free(names[i]);
	}
	return rc;
}

static int
step_raw(struct tc_io *io, char *spec)
{
	uint8_t frames[FRAME_MAX_PARTS + 2][FRAME_MAX_BODY];
	size_t lens[FRAME_MAX_PARTS + 2];
	char *hex, *save = NULL;
	int n = 0;

	for (hex = strtok_r(spec, ",", &save); hex != NULL && n < FRAME_MAX_PARTS + 2;
	    hex = strtok_r(NULL, ",", &save), n++) {
		lens[n] = 0;
		if (strcmp(hex, "-") != 0 && sodium_hex2bin(frames[n], sizeof(frames[n]), hex,
						 strlen(hex), NULL, &lens[n], NULL) != 0) {
			fprintf(stderr, "testclient: raw frame '%s' is not hex\n", hex);
			return 2;
		}
	}
	return tc_io_send_frames(io, (const uint8_t(*)[FRAME_MAX_BODY])frames, lens, n);
}

static int
step_big(struct tc_io *io, const struct opts *o, uint8_t *buf)
{
	size_t n = (size_t)opt_num(o, "bytes", 0);

	if (n > TC_ENVELOPE_MAX)
		n = TC_ENVELOPE_MAX;
	randombytes_buf(buf, n);
	return tc_io_send_envelope(io, FRAME_SEND, 0, buf, n);
}

/* Malformed messages of several kinds, as fast as the socket takes them. */
static int
step_flood(struct tc_io *io, const struct opts *o)
{
	static const uint8_t heads[FLOOD_KINDS][FRAME_HEAD_BYTES] = {
		{'X', 'X', 1, FRAME_HELLO},	/* not dutynet */
		{'D', 'N', 9, FRAME_HELLO},	/* bad version */
		{'D', 'N', 1, 0x7f},		/* unknown command */
		{'D', 'N', 1, FRAME_SEND},	/* too few frames */
		{'D', 'N', 1, FRAME_HELLO},	/* body that does not parse */
	};
	uint8_t frames[2][FRAME_MAX_BODY];
	size_t lens[2] = {FRAME_HEAD_BYTES, 3};
	long long i, n = opt_num(o, "n", 1000), sent = 0;

	memcpy(frames[1], "\xc1\xc1\xc1", 3);
	for (i = 0; i < n; i++) {
		memcpy(frames[0], heads[i % FLOOD_KINDS], FRAME_HEAD_BYTES);
		if (tc_io_send_frames(io, (const uint8_t(*)[FRAME_MAX_BODY])frames, lens,
			i % FLOOD_KINDS == 3 ? 1 : 2) == 0)
			sent++;
		tc_io_drain(io);	/* read the ERRORs without printing them */
	}
	/* Until the broker has answered everything it still could. */
	tc_io_quiet(io, FLOOD_QUIET_MS);
	printf("FLOOD 0 sent=%lld\n", sent);
	return 0;
}

static int
run_step(struct tc_io *io, char *step, uint8_t *buf)
{
	struct opts o;
	struct tc_expect e;
	uint64_t until, now;
	char *verb;

	/* raw frames are hex, with no options to split */
	if (strncmp(step, "raw:", 4) == 0)
		return step_raw(io, step + 4);
	if ((verb = split(step, &o)) == NULL)
		return 2;
	if (strcmp(verb, "hello") == 0)
		return tc_io_hello(io, opt(&o, "agency", io->agency),
		    (uint32_t)opt_num(&o, "window", 16));
	if (strcmp(verb, "send") == 0)
		return step_send(io, &o, buf);
	if (strcmp(verb, "sendmany") == 0)
		return step_sendmany(io, &o, buf);
	if (strcmp(verb, "resend") == 0)
		return step_resend(io, &o, buf);
	if (strcmp(verb, "big") == 0)
		return step_big(io, &o, buf);
	if (strcmp(verb, "flood") == 0)
		return step_flood(io, &o);
	if (strcmp(verb, "ping") == 0)
		return tc_io_simple(io, FRAME_PING, clock_now_ms());
	if (strcmp(verb, "ack") == 0)
		return tc_io_simple(io, FRAME_ACK, (uint64_t)opt_num(&o, "seq", 0));
	if (strcmp(verb, "sleep") == 0) {
		tc_io_poll(io, (int)opt_num(&o, "ms", 100), NULL);
		return 0;
	}
	if (strcmp(verb, "until") == 0) {
		until = (uint64_t)opt_num(&o, "ms", 0);
		while ((now = clock_now_ms()) < until)
			tc_io_poll(io, (int)(until - now < UNTIL_STEP_MS ? until - now :
			    UNTIL_STEP_MS), NULL);
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.ms = (int)opt_num(&o, "ms", io->timeout_ms);
	if (strcmp(verb, "recv") == 0) {
		e.count = (int)opt_num(&o, "n", 0);
		tc_io_wait(io, &e);
		return 0;
	}
	if (strcmp(verb, "expect") == 0) {
		e.cmd = opt(&o, "cmd", NULL);
		e.code = (int)opt_num(&o, "code", 0);
		e.text = opt(&o, "text", NULL);
		e.count = (int)opt_num(&o, "count", 1);
		if (tc_io_wait(io, &e) == 0)
			return 0;
		printf("EXPECT-FAILED 0 cmd=%s code=%d text=%s seen=%d of %d\n",
		    e.cmd ? e.cmd : "*", e.code, e.text ? e.text : "*", e.seen, e.count);
		return 1;
	}
	if (strcmp(verb, "receive") == 0) {
		io->receiving = 1;
		e.cmd = "HANDLED";
		e.count = (int)opt_num(&o, "n", 1);
		tc_io_wait(io, &e);
		tc_io_settle(io, e.ms);
		io->receiving = 0;
		return 0;
	}
	fprintf(stderr, "testclient: unknown step '%s'\n", verb);
	return 2;
}

static const char usage[] =
    "usage: dutynet-testclient --config DIR (--as AGENCY | --key FILE | --random-key)\n"
    "         [--routing-id ID] [--timeout MS] [--endpoint EP] STEP...\n"
    "(steps: see the comment at the top of tests/support/testclient/testclient.c)\n";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"as", required_argument, NULL, 'a'},
	    {"key", required_argument, NULL, 'k'},
	    {"random-key", no_argument, NULL, 'r'},
	    {"routing-id", required_argument, NULL, 'i'},
	    {"timeout", required_argument, NULL, 't'},
	    {"endpoint", required_argument, NULL, 'e'},
	    {NULL, 0, NULL, 0},
	};
	struct tc_io_config cfg;
	struct tc_io io;
	uint8_t *buf;
	int c, i, rc = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.timeout_ms = DEFAULT_TIMEOUT_MS;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg.config = optarg;
			break;
		case 'a':
			cfg.agency = optarg;
			break;
		case 'k':
			cfg.key = optarg;
			break;
		case 'r':
			cfg.random_key = 1;
			break;
		case 'i':
			cfg.routing_id = optarg;
			break;
		case 't':
			cfg.timeout_ms = atoi(optarg);
			break;
		case 'e':
			cfg.endpoint = optarg;
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The same clock as a broker started with DUTYNET_CLOCK_OFFSET_MS. */
	if (clock_from_env() == -1) {
		fputs("testclient: DUTYNET_CLOCK_OFFSET_MS is not an integer\n", stderr);
		return 2;
	}
	if (cfg.config == NULL || (buf = malloc(TC_ENVELOPE_MAX)) == NULL) {
		fputs(usage, stderr);
		return 2;
	}
	if (tc_io_open(&io, &cfg) == -1) {
		free(buf);
		return 2;
	}
	for (i = optind; i < argc && rc == 0; i++)
		rc = run_step(&io, argv[i], buf);
	tc_io_close(&io);
	free(buf);
	return rc;
}
