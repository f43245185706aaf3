#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Independent check of proto/vectors/*.txt, written from proto/PROTOCOL.md.

A second implementation of the envelope in another language, with other
libraries (PyNaCl for the cryptography, msgpack-python for the encoding), so
the known-answer files are not only what the C code happens to produce: from
the fixed keys and nonces in each file this re-derives the public keys, key
ids and pair key (§1.1, §5.2), parses the envelope and its header (§3, §4),
re-encrypts and re-signs (§5.2, §5.3), verifies the signature, decrypts the
payload and checks its shape (§6), and hashes the envelope (§5.4).

Usage: check_vectors.py [VECTOR-DIR]   (default: $DUTYNET_SOURCE_DIR/proto/vectors)
Needs Debian's python3-nacl and python3-msgpack (scripts/deps installs them).
"""
import glob
import os
import re
import sys

try:
    import msgpack
    import nacl.bindings as sodium
    import nacl.exceptions
    import nacl.hash
    import nacl.signing
    from nacl.encoding import RawEncoder
except ImportError as e:
    sys.exit(f"check_vectors: {e}: apt-get install python3-nacl python3-msgpack")

# §5: every domain tag is the ASCII string followed by one 0x00 byte.
TAG_KEYID = b"dutynet-keyid-v1\x00"
TAG_PAIR = b"dutynet-pair-v1\x00"
TAG_SIGN = b"dutynet-envelope-v1\x00"

HEADER_FIELDS = 13
NONCE_BYTES = 24
TAG_BYTES = 16
SIG_BYTES = 64
KEYID_BYTES = 16
MAX_HEADER = 512
# Payload element counts by envelope type (§6); 0 is the payload version.
PAYLOAD_COUNT = {1: 8, 2: 8, 3: 3, 4: 4, 5: 7, 6: 4, 7: 5, 8: 4}
TYPES_NEEDING_REPLY_TO = range(3, 9)

failures = 0


def fail(where, what):
    global failures
    failures += 1
    print(f"FAIL {where}: {what}")


def check(where, cond, what):
    if not cond:
        fail(where, what)
    return cond


def blake2b(data, size):
    return nacl.hash.blake2b(data, digest_size=size, encoder=RawEncoder)


def keyid(pk):
    return blake2b(TAG_KEYID + pk, KEYID_BYTES)


def pair_key(my_sk, peer_pk, sender_pk, recipient_pk):
    shared = sodium.crypto_scalarmult(my_sk, peer_pk)
    if shared == bytes(32):
        raise ValueError("low-order peer key (523)")
    return blake2b(TAG_PAIR + shared + sender_pk + recipient_pk, 32)


def load(path):
    """name = hex lines; '#' comments and blank lines skipped."""
    values = {}
    with open(path, encoding="ascii") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            m = re.fullmatch(r"([a-z0-9_]+) = ((?:[0-9a-f]{2})*)", line)
            if not m:
                sys.exit(f"{path}:{n}: not 'name = lowercase-hex'")
            if m.group(1) in values:
                sys.exit(f"{path}:{n}: {m.group(1)} appears twice")
            values[m.group(1)] = bytes.fromhex(m.group(2))
    return values


def unpack_strict(where, data):
    """Decodes one msgpack value and checks it is the whole input and
    re-encodes to the same bytes (canonical, §3)."""
    obj = msgpack.unpackb(data, raw=False, strict_map_key=True, use_list=True)
    again = msgpack.packb(obj, use_bin_type=True)
    check(where, again == data, "not the canonical (shortest) encoding")
    return obj


def is_msgid(b):
    # §2.2: 16 bytes, version nibble 7, variant bits 10.
    return isinstance(b, bytes) and len(b) == 16 and b[6] >> 4 == 7 and b[8] >> 6 == 2


def check_file(path, by_name):
    w = os.path.basename(path)
    v = by_name[w]

    # §1.1 and §5.2: public keys, key ids, pair key from both ends.
    sign_key = nacl.signing.SigningKey(v["sender_sign_seed"])
    sign_pk = bytes(sign_key.verify_key)
    check(w, sign_pk == v["sender_sign_pk"], "sender_sign_pk != Ed25519(seed)")
    s_pk = sodium.crypto_scalarmult_base(v["sender_box_sk"])
    r_pk = sodium.crypto_scalarmult_base(v["recipient_box_sk"])
    check(w, s_pk == v["sender_box_pk"], "sender_box_pk != X25519(sk)")
    check(w, r_pk == v["recipient_box_pk"], "recipient_box_pk != X25519(sk)")
    for name, pk in (("sender_sign", sign_pk), ("sender_box", s_pk), ("recipient_box", r_pk)):
        check(w, keyid(pk) == v[name + "_keyid"], f"{name}_keyid wrong")
    key = pair_key(v["sender_box_sk"], r_pk, s_pk, r_pk)
    check(w, key == v["pair_key"], "pair_key (sender's side) wrong")
    check(w, pair_key(v["recipient_box_sk"], s_pk, s_pk, r_pk) == key,
          "recipient's side derives another pair key")
    check(w, pair_key(v["recipient_box_sk"], s_pk, r_pk, s_pk) != key,
          "the reverse direction has the same key")

    # §4.1: the envelope is array(3) [bin header, bin sealed, bin(64) sig].
    envelope = v["envelope"]
    outer = unpack_strict(w, envelope)
    if not check(w, isinstance(outer, list) and len(outer) == 3
                 and all(isinstance(x, bytes) for x in outer),
                 "envelope is not array(3) of bin"):
        return
    header, sealed, sig = outer
    check(w, header == v["header"], "header bin differs from header")
    check(w, sealed == v["sealed"], "sealed bin differs from sealed")
    check(w, sig == v["signature"], "signature bin differs from signature")
    check(w, len(header) <= MAX_HEADER, "header over 512 bytes")
    check(w, len(sig) == SIG_BYTES, "signature not 64 bytes")

    # §4.2: the header.
    h = unpack_strict(w, header)
    if not check(w, isinstance(h, list) and len(h) == HEADER_FIELDS, "header not array(13)"):
        return
    (version, mtype, msgid, case_id, reply_to, frm, to, created_ms, urgency,
     ssk, sbk, rbk, dirver) = h
    check(w, version == 1, "version != 1")
    check(w, mtype in PAYLOAD_COUNT, f"type {mtype} not 1..8")
    check(w, is_msgid(msgid) and msgid == v["msgid"], "message_id wrong or not UUIDv7")
    check(w, int.from_bytes(msgid[:6], "big") == created_ms,
          "message id time != created_ms (the vectors create both at once)")
    check(w, isinstance(case_id, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}",
                                                        case_id), "case_id invalid")
    agency = r"[a-z](?!.*--)[a-z0-9-]{1,30}[a-z0-9]"
    check(w, re.fullmatch(agency, frm) and re.fullmatch(agency, to) and frm != to,
          "from/to invalid")
    check(w, urgency in (1, 2, 3, 4), "urgency not 1..4")
    check(w, (ssk, sbk, rbk) == (v["sender_sign_keyid"], v["sender_box_keyid"],
                                 v["recipient_box_keyid"]), "header key ids differ")
    check(w, isinstance(dirver, int) and 0 <= dirver < 2**32, "directory_version")
    if mtype in TYPES_NEEDING_REPLY_TO:
        check(w, is_msgid(reply_to), "in_reply_to required for this type")
    if reply_to is None:
        check(w, "in_reply_to" not in v, "in_reply_to in file but nil in header")
    else:
        check(w, reply_to == v.get("in_reply_to"), "in_reply_to differs")
    # §2.2: the 10 random bytes fill bytes 6..15, under the version and
    # variant bits.
    rnd = v["msgid_random"]
    msgid_again = (created_ms.to_bytes(6, "big") + bytes([0x70 | rnd[0] & 0x0f, rnd[1],
                                                          0x80 | rnd[2] & 0x3f]) + rnd[3:])
    check(w, msgid_again == msgid, "message id is not UUIDv7(created_ms, msgid_random)")

    # §5.2: sealing is deterministic given the nonce; then open it.
    nonce = v["nonce"]
    check(w, sealed[:NONCE_BYTES] == nonce, "sealed does not start with the nonce")
    ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(v["plaintext"], header, nonce, key)
    check(w, nonce + ct == sealed, "re-encryption gives other sealed bytes")
    try:
        pt = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(sealed[NONCE_BYTES:], header,
                                                               nonce, key)
        check(w, pt == v["plaintext"], "decrypted payload differs from plaintext")
    except nacl.exceptions.CryptoError:
        fail(w, "payload does not decrypt (523)")
        pt = v["plaintext"]
    check(w, len(sealed) == NONCE_BYTES + len(pt) + TAG_BYTES, "sealed length")

    # §5.3: signature over tag || header || sealed; Ed25519 is deterministic.
    signed = TAG_SIGN + header + sealed
    check(w, signed == v["signed"], "signed bytes differ")
    try:
        sign_key.verify_key.verify(signed, sig)
    except nacl.exceptions.BadSignatureError:
        fail(w, "signature does not verify (520)")
    check(w, sign_key.sign(signed).signature == sig, "re-signing gives another signature")
    bad = bytearray(signed)
    bad[len(TAG_SIGN) + 1] ^= 1
    try:
        sign_key.verify_key.verify(bytes(bad), sig)
        fail(w, "a changed header still verifies")
    except nacl.exceptions.BadSignatureError:
        pass

    # §5.4: the envelope hash.
    check(w, blake2b(envelope, 32) == v["envelope_hash"], "envelope_hash wrong")

    # §6: the payload's shape; a receipt names the envelope it acknowledges.
    p = unpack_strict(w, pt)
    if check(w, isinstance(p, list) and len(p) == PAYLOAD_COUNT.get(mtype) and p[0] == 1,
             f"payload not array({PAYLOAD_COUNT.get(mtype)}) starting with version 1"):
        if mtype == 3 and "referral.txt" in by_name:
            ref = by_name["referral.txt"]
            check(w, reply_to == ref["msgid"], "receipt does not answer the referral")
            check(w, p[2] == ref["envelope_hash"], "receipt names another envelope")
            check(w, isinstance(p[1], int), "received_ms not uint")


def main():
    if len(sys.argv) > 1:
        vdir = sys.argv[1]
    else:
        src = os.environ.get("DUTYNET_SOURCE_DIR")
        if not src:
            sys.exit("check_vectors: give the vector directory or set DUTYNET_SOURCE_DIR")
        vdir = os.path.join(src, "proto", "vectors")
    paths = sorted(glob.glob(os.path.join(vdir, "*.txt")))
    if not paths:
        sys.exit(f"check_vectors: no *.txt vectors in {vdir}")
    by_name = {os.path.basename(p): load(p) for p in paths}
    for p in paths:
        check_file(p, by_name)
    for need in ("referral.txt", "receipt.txt", "ack.txt"):
        check(vdir, need in by_name, f"{need} is missing")
    if failures:
        sys.exit(f"check_vectors: {failures} failure(s) in {len(paths)} file(s)")
    print(f"check_vectors: {len(paths)} file(s) in {vdir} agree with PROTOCOL.md")


if __name__ == "__main__":
    main()
