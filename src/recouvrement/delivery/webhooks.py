"""What a provider's callback is good for: naming the sending to re-read.

A callback proves nothing by itself: Maileva's carry no signature and AR24's none either.
The receiver authenticates the call by the subscription's secret (in its URL, or its
HTTP Basic credentials), takes from the payload only the sending id, and re-reads that
sending from the API with the client's ``status``; whatever else the payload claims is
ignored, so a forged or replayed call changes nothing.

>>> sending_id_of("maileva", b'{"event_type": "ON_DEPOSIT_PROOF_RECEIVED", '
...               b'"resource_type": "registered_mail/v2/sendings", "resource_id": "abc"}')
'abc'
>>> sending_id_of("ar24", b"id_mail=1001&new_state=ar")
'1001'
>>> sending_id_of("maileva", b"not json") is None
True
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import parse_qs


def sending_id_of(provider: str, body: bytes) -> str | None:
    """The provider's sending id a callback names, or None for a payload that names none."""
    if provider == "maileva":
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        resource = payload.get("resource_id") if isinstance(payload, dict) else None
        return str(resource) if resource else None
    if provider == "ar24":
        values = parse_qs(body.decode("utf-8", "replace")).get("id_mail")
        return values[0] if values else None
    return None


def secret_matches(expected: str, received: str | None) -> bool:
    """Compare a subscription secret in constant time."""
    return received is not None and hmac.compare_digest(expected.encode(), received.encode())
