-- The whole log, agency by agency, oldest entry first (the export).
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
),

final as (
    select * from entries
)

select entry_id, org_nr, status, next_follow_up, note, plan, written_by, written_at
from final
order by org_nr, written_at, seq
