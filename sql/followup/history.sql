-- Every entry of one agency, newest first.
with entries as (
    select
        cast(entry_id as text) as entry_id,
        org_nr,
        status,
        next_follow_up,
        note,
        plan,
        written_by,
        written_at,
        seq
    from followup_entries
    where org_nr = :org_nr
),

final as (
    select * from entries
)

select entry_id, org_nr, status, next_follow_up, note, plan, written_by, written_at
from final
order by written_at desc, seq desc
