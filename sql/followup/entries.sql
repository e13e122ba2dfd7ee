-- The log's entries: one agency's (:org_nr) or, when :org_nr is null, every agency's; newest first.
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
    where cast(:org_nr as text) is null or org_nr = :org_nr
),

final as (
    select * from entries
)

select entry_id, org_nr, status, next_follow_up, note, plan, written_by, written_at
from final
order by org_nr, written_at desc, seq desc
