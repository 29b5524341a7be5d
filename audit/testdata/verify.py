#!/usr/bin/env python3
"""An independent verifier of geowarden's audit log, written from
docs/audit-format.md alone: Python's hashlib and base64, and the
cryptography package for Ed25519. It shares no code with geowarden.

    verify.py log VERIFIER_KEY LOGDIR [SINCE_CHECKPOINT]
    verify.py proof VERIFIER_KEY PROOF_FILE

VERIFIER_KEY is the key itself (name+hash+key) or a file holding it. Exit 0
when everything verifies, 1 when something does not (with the reason).
"""

import base64
import hashlib
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Bad(Exception):
    pass


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def tree_hash(leaves):
    """RFC 6962 Merkle tree hash of a list of leaf hashes."""
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(tree_hash(leaves[:k]), tree_hash(leaves[k:]))


def parse_verifier_key(vkey):
    name, key_id, key = vkey.strip().split("+", 2)
    raw = base64.b64decode(key, validate=True)
    if len(raw) != 33 or raw[0] != 0x01:
        raise Bad("not an Ed25519 verifier key")
    # key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4]
    if sha256(name.encode() + b"\n" + raw)[:4].hex() != key_id:
        raise Bad("verifier key: the key ID does not match the key")
    return name, bytes.fromhex(key_id), Ed25519PublicKey.from_public_bytes(raw[1:])


def open_checkpoint(vkey, signed):
    """Check the log's signature on a signed note; return (size, root)."""
    name, key_id, pub = parse_verifier_key(vkey)
    text = signed.decode("utf-8")
    cut = text.rfind("\n\n")
    if cut < 0:
        raise Bad("checkpoint: no blank line before the signatures")
    body, sigs = text[: cut + 1], text[cut + 2 :]
    verified = False
    for line in sigs.splitlines():
        if not line.startswith("\u2014 "):
            raise Bad("checkpoint: malformed signature line")
        signer, sig64 = line[2:].split(" ", 1)
        sig = base64.b64decode(sig64, validate=True)
        if signer != name or sig[:4] != key_id:
            continue  # another key, a witness say: ignored
        try:
            pub.verify(sig[4:], body.encode("utf-8"))
        except InvalidSignature:
            raise Bad("checkpoint: the log's signature does not verify")
        verified = True
    if not verified:
        raise Bad("checkpoint: not signed by the log's key")
    lines = body.split("\n")[:-1]
    if len(lines) < 3 or lines[0] != name:
        raise Bad("checkpoint: want origin (the key's name), size and root")
    size = int(lines[1])
    root = base64.b64decode(lines[2], validate=True)
    return size, root


def inclusion_root(index, size, leaf, path):
    """RFC 9162, section 2.1.3.2: the root an inclusion proof implies."""
    if index >= size:
        raise Bad("proof: index outside the tree")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Bad("proof: too many hashes")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Bad("proof: too few hashes")
    return r


def verify_proof(vkey, proof):
    head, _, checkpoint = proof.partition(b"\n\n")
    lines = head.decode().split("\n")
    if lines[0] != "c2sp.org/tlog-proof@v1":
        raise Bad("proof: not a c2sp.org/tlog-proof@v1")
    lines = lines[1:]
    if not lines[0].startswith("extra "):
        raise Bad("proof: no entry in the extra data")
    entry = base64.b64decode(lines[0][6:], validate=True)
    index = int(lines[1].removeprefix("index "))
    path = [base64.b64decode(h, validate=True) for h in lines[2:]]
    size, root = open_checkpoint(vkey, checkpoint)
    if inclusion_root(index, size, leaf_hash(entry), path) != root:
        raise Bad("proof: the entry is not in the signed tree")
    return index, size


def verify_log(vkey, logdir, since=None):
    with open(logdir + "/checkpoint", "rb") as f:
        size, root = open_checkpoint(vkey, f.read())
    with open(logdir + "/entries", "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        raise Bad("entries: the last line has no newline")
    entries = data.split(b"\n")[:-1] if data else []
    for i, e in enumerate(entries):
        if b'"index":%d,' % i not in e:
            raise Bad("entries: line %d is not entry %d" % (i + 1, i))
    if len(entries) < size:
        raise Bad("entries: %d, the checkpoint signs %d" % (len(entries), size))
    if len(entries) > size:
        raise Bad("entries: %d after the signed %d" % (len(entries) - size, size))
    leaves = [leaf_hash(e) for e in entries]
    if tree_hash(leaves) != root:
        raise Bad("the entries do not give the signed root")
    if since is not None:
        old_size, old_root = open_checkpoint(vkey, since)
        if old_size > size:
            raise Bad("rolled back: the earlier checkpoint signs %d, the log %d" % (old_size, size))
        if tree_hash(leaves[:old_size]) != old_root:
            raise Bad("rewritten: the first %d entries do not give the earlier root" % old_size)
    return size


def main(argv):
    if len(argv) < 4 or argv[1] not in ("log", "proof"):
        print(__doc__, file=sys.stderr)
        return 2
    vkey = argv[2]
    if "+" not in vkey:
        with open(vkey) as f:
            vkey = f.read()
    try:
        if argv[1] == "proof":
            with open(argv[3], "rb") as f:
                index, size = verify_proof(vkey, f.read())
            print("ok: entry %d is in the signed tree of %d entries" % (index, size))
        else:
            since = None
            if len(argv) > 4:
                with open(argv[4], "rb") as f:
                    since = f.read()
            size = verify_log(vkey, argv[3], since)
            print("ok: %d entries match the signed checkpoint" % size)
    except (Bad, ValueError) as e:
        print("FAILED: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
