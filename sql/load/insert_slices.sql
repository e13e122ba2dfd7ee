insert into load_slices (load_id, kind, org_nr, year, rows_before, rows_after)
select $load_id, $kind, org_nr, year, rows_before, rows_after
from slices
