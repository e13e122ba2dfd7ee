-- Which agency reported funds and applications for which year.
with
fund_rows as (
    select org_nr, year, true as has_funds from fund_years
),

application_rows as (
    select org_nr, year(received_on) as year, count(*) as applications
    from applications
    group by all
),

final as (
    select
        a.name,
        a.org_nr,
        coalesce(f.year, p.year) as year,
        coalesce(f.has_funds, false) as has_funds,
        coalesce(p.applications, 0) as applications
    from fund_rows as f
    full outer join application_rows as p on p.org_nr = f.org_nr and p.year = f.year
    inner join agencies as a on a.org_nr = coalesce(f.org_nr, p.org_nr)
)

select * from final
order by name collate sv, year
