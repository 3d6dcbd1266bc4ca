"""Signing Plivo's and Vobiz's webhooks in tests, with the providers' own SDK code.

Neither SDK has a signer as such, but each ``utils/signature_v3.py`` (plivo 4.63.0, vobiz-python
0.1.1) builds the signed string (``construct_get_url``/``construct_post_url``) and the signature
(``get_signature_v3``) with the functions its ``validate_v3_signature`` uses; every signature made
here is checked with that validator. Vobiz's documented variant (the URL without its query, ``.``,
the nonce; parameters unsigned) has no SDK code: it is written here from the docs and checked with
vobiz's V2 validator, which signs the URL without its query followed by the nonce it is given.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from types import ModuleType

import plivo.utils.signature_v3 as plivo_v3
import vobiz.utils
import vobiz.utils.signature_v3 as vobiz_v3


def new_nonce() -> str:
    """A nonce as both providers send it: 20 random digits."""
    return f"{secrets.randbelow(10**20):020d}"


@dataclass(frozen=True)
class V3Signer:
    sdk: ModuleType
    #: The signature header; the nonce's is the same with "-Nonce".
    header: str

    def signature(self, token: str, method: str, url: str, params: dict[str, str], nonce: str) -> str:
        signed = self.sdk.construct_get_url(url, dict(params)) if method == "GET" else self.sdk.construct_post_url(url, dict(params))
        signature = self.sdk.get_signature_v3(token.encode(), signed.decode("utf-8"), nonce.encode()).decode()
        assert self.sdk.validate_v3_signature(method, url, nonce, token, signature, dict(params))
        return signature

    def headers(self, signature: str, nonce: str) -> dict[str, str]:
        return {self.header: signature, f"{self.header}-Nonce": nonce}

    def sign(self, token: str, method: str, url: str, params: dict[str, str], nonce: str | None = None) -> dict[str, str]:
        """The signature headers of a request, as the provider sends them."""
        nonce = nonce or new_nonce()
        return self.headers(self.signature(token, method, url, params, nonce), nonce)


PLIVO = V3Signer(plivo_v3, "X-Plivo-Signature-V3")
VOBIZ = V3Signer(vobiz_v3, "X-Vobiz-Signature-V3")


def vobiz_documented_signature(token: str, url: str, nonce: str) -> str:
    """base64(HMAC-SHA256(auth token, URL without its query + "." + nonce)) (docs.vobiz.ai,
    "Validating Callbacks": V3 is V2 with a "." between the URL and the nonce)."""
    base_url = url.split("?", 1)[0]
    signature = base64.b64encode(hmac.new(token.encode(), f"{base_url}.{nonce}".encode(), hashlib.sha256).digest()).decode()
    assert vobiz.utils.validate_signature(url, "." + nonce, signature, token)
    return signature
