/* SPDX-License-Identifier: ISC */
/*
 * frame: the ZeroMQ messages between an agent (DEALER) and the broker
 * (ROUTER).  Every message starts with a 4-byte command frame, "DN", the
 * protocol version and a command code, as the zguide's Majordomo does, so a
 * peer can reject what it does not speak before parsing anything else.
 * Command bodies are small fixed-position msgpack arrays; envelopes (and a
 * CHECKPOINT's consistency proof) travel as their own frame, byte for byte.  Layouts: proto/PROTOCOL.md, "Framing".
 */
#ifndef DUTYNET_FRAME_H
#define DUTYNET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "proto/checkpoint.h"
#include "proto/ids.h"
#include "proto/status.h"

#define FRAME_VERSION 1
#define FRAME_HEAD_BYTES 4
#define FRAME_MAGIC_0 0x44		/* 'D' */
#define FRAME_MAGIC_1 0x4e		/* 'N' */
#define FRAME_MAX_PARTS 3
#define FRAME_MAX_BODY 1024		/* any command body but an envelope */
#define FRAME_TEXT_MAX 200		/* result and error texts on the wire */
#define FRAME_WINDOW_MAX 65535		/* HELLO window: 1..FRAME_WINDOW_MAX */
#define FRAME_CODE_MIN 200		/* status codes on the wire: 2xx..5xx */
#define FRAME_CODE_MAX 599

enum frame_command {
	FRAME_HELLO = 0x01,	/* agent: here I am; body [agency, window] */
	FRAME_WELCOME = 0x02,	/* broker: [agency, time_ms, max_bytes, hb_ms] */
	FRAME_SEND = 0x03,	/* agent: [] then the envelope frame */
	FRAME_RESULT = 0x04,	/* broker: [id, code, text] for a SEND/RECEIPT */
	FRAME_DELIVER = 0x05,	/* broker: [seq, accepted_ms] then envelope */
	FRAME_RECEIPT = 0x06,	/* agent: [seq] then the receipt envelope */
	FRAME_ACK = 0x07,	/* agent: [seq] (for deliveries not receipted) */
	FRAME_OUTCOME = 0x08,	/* broker: [seq, id, code, text, time_ms] */
	FRAME_PING = 0x09,	/* either: [time_ms] */
	FRAME_PONG = 0x0a,	/* either: [time_ms] echoed */
	FRAME_ERROR = 0x0b,	/* broker: [code, text] for a bad frame */
	FRAME_CHECKPOINT = 0x0c,	/* agent: [checkpoint, from_size] then the proof */
	FRAME_COUNTERSIGNED = 0x0d,	/* broker: [size, code, text, checkpoint] */
};

/* The body of any command (fields unused by a command stay zero). */
struct frame {
	uint8_t command;		/* enum frame_command */
	char agency[IDS_AGENCY_MAX + 1];
	uint32_t window;		/* HELLO: deliveries in flight it allows */
	uint64_t time_ms;
	uint32_t max_bytes;		/* WELCOME: largest envelope accepted */
	uint32_t heartbeat_ms;
	uint64_t seq;			/* DELIVER/RECEIPT/ACK/OUTCOME */
	uint8_t id[IDS_MSGID_BYTES];	/* RESULT/OUTCOME: the message */
	uint16_t code;			/* RESULT/OUTCOME/ERROR/COUNTERSIGNED */
	char text[FRAME_TEXT_MAX + 1];
	uint64_t size;			/* COUNTERSIGNED: the size answered */
	uint64_t from_size;		/* CHECKPOINT: where its proof starts */
	/* CHECKPOINT: the agency-signed checkpoint text (PROTOCOL.md §11.4);
	 * COUNTERSIGNED: the countersigned text, or "" (§7.8). */
	char checkpoint[CHECKPOINT_TEXT_MAX + 1];
};

/* Writes the 4-byte command frame. */
void frame_head_encode(uint8_t command, uint8_t out[FRAME_HEAD_BYTES]);

/* Checks magic, version and command: -1 and st 500 (not dutynet), 502
 * (version) or 501 (unknown command). */
int frame_head_decode(const uint8_t *buf, size_t len, uint8_t *command, struct status *st)
    __attribute__((warn_unused_result));

/* The number of frames a command has (head + body [+ envelope or, for
 * CHECKPOINT, the consistency proof: n * 32 bytes, possibly none]). */
int frame_parts(uint8_t command);

/* Encodes f's body for f->command into out[0..cap); *len = bytes. */
int frame_body_encode(const struct frame *f, uint8_t *out, size_t cap, size_t *len,
    struct status *st) __attribute__((warn_unused_result));

/* Decodes a body for command into f (zeroed first). */
int frame_body_decode(uint8_t command, const uint8_t *buf, size_t len, struct frame *f,
    struct status *st) __attribute__((warn_unused_result));

/* "hello", "send", ... or NULL. */
const char *frame_command_name(int command);

#endif
