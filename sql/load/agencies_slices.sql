-- The agencies a file holds, with how many rows each had before (0 or 1) and will have after.
create or replace temp table slices as
with
incoming_agencies as (
    select org_nr from incoming_agencies
),

final as (
    select
        i.org_nr,
        null::integer as year,
        count(a.org_nr) as rows_before,
        1 as rows_after
    from incoming_agencies as i
    left join agencies as a on a.org_nr = i.org_nr
    group by i.org_nr
)

select * from final
