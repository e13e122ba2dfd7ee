-- The digest of the SQL that built the measures, and whether the allocation rates are still the
-- ones they were built on.
select sql_sha256, rates_md5 = allocation_rates_md5() as rates_unchanged
from model_build
