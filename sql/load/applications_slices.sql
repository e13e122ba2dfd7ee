-- The (agency, year received) slices an applications file replaces, with row counts.
create or replace temp table slices as
with
incoming_slices as (
    select org_nr, year(received_on) as year, count(*) as rows_after
    from incoming_applications
    group by all
),

existing_slices as (
    select org_nr, year(received_on) as year, count(*) as rows_before
    from applications
    semi join incoming_slices as s using (org_nr)
    group by all
),

final as (
    select
        i.org_nr,
        i.year,
        coalesce(e.rows_before, 0) as rows_before,
        i.rows_after
    from incoming_slices as i
    left join existing_slices as e on e.org_nr = i.org_nr and e.year = i.year
)

select * from final
