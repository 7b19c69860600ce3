"""An independent Standard Webhooks verifier (Python standard library only), for the tests.

Reads one JSON object on stdin: {"secret": "whsec_...", "id", "timestamp", "signature", "body"}
(the three webhook-* headers and the raw body as received) and prints
{"valid": bool, "fresh": bool, "signatures": n}: whether one v1 signature of the space-separated
list is the HMAC-SHA256 of "{id}.{timestamp}.{body}" under the base64-decoded secret, whether the
timestamp is within five minutes of this machine's clock, and how many signatures were sent.
"""
import base64
import hashlib
import hmac
import json
import sys
import time

request = json.load(sys.stdin)
key = base64.b64decode(request["secret"].removeprefix("whsec_"))
signed = f'{request["id"]}.{request["timestamp"]}.{request["body"]}'.encode("utf-8")
expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")
signatures = request["signature"].split(" ")
valid = any(
    version == "v1" and hmac.compare_digest(value, expected)
    for version, _, value in (signature.partition(",") for signature in signatures)
)
fresh = abs(time.time() - int(request["timestamp"])) <= 5 * 60
print(json.dumps({"valid": valid, "fresh": fresh, "signatures": len(signatures)}))
