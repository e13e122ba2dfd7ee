-- The share of payroll set aside as local transition funds, by year: data, not a constant.
-- These rows are the truth: every publish writes them again (a new agreement is a change here),
-- and the measures are rebuilt when this file changes.
create table if not exists allocation_rates (
    first_year integer primary key,
    last_year integer,  -- null: still in force
    rate decimal(6, 4) not null check (rate > 0 and rate < 0.1),
    source varchar not null,
    check (last_year is null or last_year >= first_year)
);

insert into allocation_rates (first_year, last_year, rate, source)
values
    (2000, 2023, 0.0030, 'Avtal om lokala omställningsmedel (staten): 0,3 % av lönesumman till och med 2023'),
    (2024, null, 0.0020, 'Avtal om lokala omställningsmedel (staten): 0,2 % av lönesumman från 1 januari 2024')
on conflict (first_year) do update set
    last_year = excluded.last_year,
    rate = excluded.rate,
    source = excluded.source;
