-- Rows that differ, either way, between the file and its slices in the database.
with
existing as (
    select f.* exclude (load_id)
    from fund_years as f
    semi join slices as s on f.org_nr = s.org_nr and f.year = s.year
),

incoming_rows as (
    select
        org_nr, year, employees, payroll_sek, allocated_sek, spent_sek,
        opening_balance_sek, closing_balance_sek, fte
    from incoming_funds
),

added as (select * from incoming_rows except all select * from existing),

removed as (select * from existing except all select * from incoming_rows)

select (select count(*) from added) + (select count(*) from removed) as changed_rows
