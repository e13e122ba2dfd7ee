-- The balance in the coming years if the agency goes on as in its recent past: for every agency
-- and base year, the next 30 years at the agency's mean utilisation of its last three years
-- (those of base_year - 2 .. base_year it reported), with payroll held at the base year's and each
-- year's allocation rate from allocation_rates. Spending can use up the balance but not more:
--   balance(step) = max(0, closing(base) + (1 - mean utilisation) x allocations of steps 1..step)
-- which is exact because the balance moves the same way every year until it reaches zero.
create or replace table fund_projection as
with
kpis as (
    select * from agency_year_kpis
    where has_funds
),

rates as (
    select * from allocation_rates
),

bases as (
    select
        org_nr,
        year as base_year,
        payroll_sek,
        closing_balance_sek,
        avg(utilisation) over last_three as mean_utilisation,
        count(utilisation) over last_three as years_in_mean
    from kpis
    window last_three as (partition by org_nr order by year range between 2 preceding and current row)
),

steps as (
    select
        bases.*,
        step,
        bases.base_year + step as year
    from bases
    cross join range(1, 31) as horizon (step)
    where bases.mean_utilisation is not null
),

allocations as (
    select
        steps.*,
        steps.payroll_sek * rates.rate as allocated_sek
    from steps
    inner join rates on steps.year between rates.first_year and coalesce(rates.last_year, 9999)
),

cumulative as (
    select
        *,
        sum(allocated_sek) over (partition by org_nr, base_year order by step) as allocated_since_base_sek
    from allocations
),

final as (
    select
        org_nr,
        base_year,
        step,
        year,
        mean_utilisation,
        years_in_mean,
        allocated_sek::double as allocated_sek,
        greatest(0, closing_balance_sek + (1 - mean_utilisation) * allocated_since_base_sek) as balance_sek,
        greatest(0, closing_balance_sek + (1 - mean_utilisation) * allocated_since_base_sek)
            / nullif(allocated_sek, 0) as reserve_years
    from cumulative
)

select * from final
