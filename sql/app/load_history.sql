-- The load log, newest first.
select
    load_id,
    finished_at,
    file_name,
    kinds,
    status,
    rows_in_file,
    rows_inserted,
    rows_replaced,
    errors,
    warnings
from stg_loads
order by load_id desc
