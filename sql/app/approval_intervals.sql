-- Approval rates of one year with their Wilson intervals and peer comparison, for a funnel plot
-- ($year, $group_type).
with
intervals as (
    select * from approval_rate_intervals
    where year = $year and group_type = $group_type
),

agencies as (
    select * from stg_agencies
),

final as (
    select
        intervals.org_nr,
        agencies.name,
        agencies.sector,
        intervals.* exclude (org_nr, year, group_type)
    from intervals
    inner join agencies on agencies.org_nr = intervals.org_nr
)

select * from final
order by decided desc, name collate sv
