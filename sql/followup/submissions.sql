-- The submissions with their outcome, newest first; one agency's (:org_nr) or all (null).
-- The file's bytes are not read here (submission_content.sql reads one file).
select
    cast(s.submission_id as text) as submission_id,
    s.org_nr,
    s.file_name,
    s.sha256,
    s.kinds,
    s.first_year,
    s.last_year,
    s.row_count,
    s.submitted_by,
    s.submitted_at,
    o.outcome,
    o.message,
    o.decided_by,
    o.decided_at
from submissions as s
left join submission_outcomes as o on o.submission_id = s.submission_id
where cast(:org_nr as text) is null or s.org_nr = :org_nr
order by s.submitted_at desc, s.seq desc
