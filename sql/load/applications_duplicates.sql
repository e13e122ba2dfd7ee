-- Rows of a file whose case number another row of the file also holds
-- (compared pseudonymised: the same case number of the same agency gives the same key).
with twice as (
    select org_nr, application_key
    from incoming_applications
    group by all
    having count(*) > 1
)

select i._row as row_number, count(*) over () as total
from incoming_applications as i
semi join twice as t on t.org_nr = i.org_nr and t.application_key = i.application_key
order by i._row
