-- Replace the case number by HMAC-SHA256(key, org_nr || 0x1f || case number), RFC 2104, computed
-- with the key's inner and outer pads; the hex digest is cut to 128 bits.
select
    left(
        sha256($outer_pad || unhex(sha256($inner_pad || encode(org_nr || chr(31) || application_id)))),
        32
    ) as application_key
from incoming_raw
