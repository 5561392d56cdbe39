"""Certificates (持证上岗): issuing when a certification's requirements are met
(or by HR, with a reason), serial numbers, the stored PDF with its QR code,
the public verification page, expiry, renewal, supersession and revocation."""
