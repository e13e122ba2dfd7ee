-- The (agency, year) slices a funds file replaces, with row counts before and after.
create or replace temp table slices as
with
incoming_slices as (
    select org_nr, year, count(*) as rows_after from incoming_funds group by org_nr, year
),

final as (
    select
        s.org_nr,
        s.year,
        count(f.org_nr) as rows_before,
        any_value(s.rows_after) as rows_after
    from incoming_slices as s
    left join fund_years as f on f.org_nr = s.org_nr and f.year = s.year
    group by s.org_nr, s.year
)

select * from final
