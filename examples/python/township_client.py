#!/usr/bin/env python3
"""A township API client written from the contract alone (GET /v1/openapi.json), in Python 3 with
the standard library only. It enrols with a one-time code, signs requests by the recipe in the
document's info.description, sends one item of each upload kind, checks a refusal, resends the
batch (every item must come back as a duplicate) and reads the changes feed.

    python3 township_client.py --url http://127.0.0.1:8640 --code XXXX-XXXX-XXXX --poll POLL-ID

It exits 0 when everything the contract promises held, and 1 with the reason otherwise.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import secrets
import sys
import urllib.error
import urllib.request
import uuid


class Township:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.device_id = None
        self.key = None

    def call(self, method, path, body=None, signed=True):
        """Sends one request; returns (status, decoded JSON answer)."""
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=data if body is not None else None, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if signed:
            # The recipe: "HK1\n" + method + "\n" + path?query + "\n" + unix seconds + "\n" + nonce
            # + "\n" + hex SHA-256 of the body, HMAC-SHA256 under the base64-decoded secret, in hex.
            unix = str(int(datetime.datetime.now(datetime.timezone.utc).timestamp()))
            nonce = secrets.token_hex(16)
            digest = hashlib.sha256(data).hexdigest()
            text = "\n".join(["HK1", method, path, unix, nonce, digest])
            sig = hmac.new(self.key, text.encode("utf-8"), hashlib.sha256).hexdigest()
            for name, value in [("X-HK-Device", self.device_id), ("X-HK-Time", unix), ("X-HK-Nonce", nonce),
                                ("X-HK-Content-SHA256", digest), ("X-HK-Signature", sig)]:
                req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())


def check_digit(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def voter_token(vote_key, poll_id, id_number):
    mac = hmac.new(vote_key, ("vote|%s|%s" % (poll_id, id_number.upper())).encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def fail(msg):
    print("township_client: FAILED:", msg, file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--code", required=True, help="one-time enrolment code from `township code`")
    ap.add_argument("--poll", required=True, help="id of an open poll published to the code's village")
    args = ap.parse_args()
    tw = Township(args.url)

    status, doc = tw.call("GET", "/v1/openapi.json", signed=False)
    if status != 200 or doc.get("openapi") != "3.1.0":
        fail("no OpenAPI 3.1 document at /v1/openapi.json (%s)" % status)
    status, info = tw.call("GET", "/v1/info", signed=False)
    print("township:", info["service"], "API", info["api_version"], "max batch", info["max_batch_items"])

    status, cred = tw.call("POST", "/v1/enrol", {"code": args.code, "name": "Python 示例"}, signed=False)
    if status != 200:
        fail("enrol: %s %s" % (status, cred))
    tw.device_id, tw.key = cred["device_id"], base64.b64decode(cred["secret"])
    vote_key = base64.b64decode(cred["vote_key"])
    print("enrolled as", tw.device_id, "of", cred["village"], "numbering cases", cred["kiosk_code"])

    day = datetime.datetime.now(datetime.timezone.utc)
    number = "%s-%s-001" % (day.strftime("%y%m%d"), cred["kiosk_code"])
    resident = check_digit("61040319520304123")
    payloads = [
        ("case", {"number": number, "item_code": "61040300MZ-JF-0001", "item_name": "最低生活保障申请",
                  "applicant": {"name": "李淼喆", "id_number": resident, "phone": "13912345678"},
                  "form": {"家庭人口": "3", "地址": "王上村三组"}, "missing": ["户口簿"],
                  "submitted_at": now(), "promised_by": now()}),
        ("ticket", {"number": "A001", "business": "社会救助", "day": day.strftime("%Y-%m-%d"), "taken_at": now()}),
        ("rating", {"case_number": number, "grade": 2, "reasons": ["等待时间长"], "rated_at": now()}),
        ("message", {"id": "py-" + secrets.token_hex(6), "topic": "道路交通", "text": "三组路灯坏了。\n请修。", "created_at": now()}),
        ("vote", {"poll_id": args.poll, "option": "同意", "voter": voter_token(vote_key, args.poll, resident), "voted_at": now()}),
    ]
    batch = {"items": [{"key": str(uuid.uuid4()), "kind": k, "payload": p} for k, p in payloads]}
    status, answer = tw.call("POST", "/v1/batch", batch)
    if status != 200 or [r["status"] for r in answer["results"]] != ["accepted"] * 5:
        fail("batch: %s %s" % (status, answer))
    print("sent one item of each kind: all accepted")

    status, again = tw.call("POST", "/v1/batch", batch)
    if status != 200 or [r["status"] for r in again["results"]] != ["duplicate"] * 5:
        fail("the same batch again must be all duplicate: %s %s" % (status, again))
    print("the same batch again: all duplicate")

    bad = {"items": [{"key": str(uuid.uuid4()), "kind": "message",
                      "payload": {"id": "py-bad", "topic": "道路交通", "text": "路灯\u202e坏了", "created_at": now()}}]}
    status, refused = tw.call("POST", "/v1/batch", bad)
    reason = refused.get("results", [{}])[0].get("reason", "")
    if status != 422 or refused.get("code") != "invalid_items" or "text: U+202E" not in reason:
        fail("a bidi override must be refused naming the field and code point: %s %s" % (status, refused))
    print("a message with U+202E: 422,", reason)

    seen, cursor = set(), 0
    while True:
        status, page = tw.call("GET", "/v1/changes?after=%d&limit=100" % cursor)
        if status != 200:
            fail("changes: %s %s" % (status, page))
        seen.update((c["kind"], c["key"]) for c in page["changes"])
        cursor = page["cursor"]
        if not page["more"]:
            break
    if ("case_status", number) not in seen or ("poll", args.poll) not in seen:
        fail("the feed lacks the case's status or the poll: %s" % sorted(seen))
    print("changes feed read to", cursor, "with the case's status and the poll")
    print("township_client: OK")


if __name__ == "__main__":
    main()
