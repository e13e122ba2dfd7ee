delete from applications as a
using slices as s
where a.org_nr = s.org_nr and year(a.received_on) = s.year
