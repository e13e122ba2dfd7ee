-- One row per agency and year as reported, with the allocation rate in force that year.
create or replace view stg_fund_years as
with
source as (
    select * from fund_years
),

rates as (
    select * from allocation_rates
),

final as (
    select
        source.org_nr,
        source.year,
        source.employees,
        source.fte,
        source.payroll_sek,
        rates.rate as allocation_rate,
        source.allocated_sek,
        source.spent_sek,
        source.opening_balance_sek,
        source.closing_balance_sek,
        source.load_id
    from source
    left join rates on source.year between rates.first_year and coalesce(rates.last_year, 9999)
)

select * from final
