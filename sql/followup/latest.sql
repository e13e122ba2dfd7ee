-- Per agency: the newest entry's status and next follow-up, and the last contact
-- (the newest entry whose status is not :not_contacted).
with entries as (
    select org_nr, status, next_follow_up, written_at, seq
    from followup_entries
),

ranked as (
    select
        org_nr,
        status,
        next_follow_up,
        written_at,
        row_number() over (partition by org_nr order by written_at desc, seq desc) as newest_first
    from entries
),

per_agency as (
    select
        org_nr,
        count(*) as entries,
        max(written_at) filter (where status <> :not_contacted) as last_contact_at
    from entries
    group by org_nr
),

final as (
    select
        ranked.org_nr,
        ranked.status,
        ranked.next_follow_up,
        ranked.written_at as latest_at,
        per_agency.last_contact_at,
        per_agency.entries
    from ranked
    inner join per_agency on per_agency.org_nr = ranked.org_nr
    where ranked.newest_first = 1
)

select * from final
order by org_nr
