-- Applications of the file already stored under another year received, in a slice the file does
-- not replace: loading them would count one application twice.
select
    i._row as row_number,
    year(a.received_on) as stored_year
from incoming_applications as i
inner join applications as a
    on a.org_nr = i.org_nr and a.application_key = i.application_key
anti join slices as s
    on s.org_nr = a.org_nr and s.year = year(a.received_on)
order by i._row
