-- Rows of the file that differ from what the database holds for the same agencies.
select count(*) as changed_rows
from (
    select org_nr, name, sector from incoming_agencies
    except all
    select org_nr, name, sector from agencies
)
