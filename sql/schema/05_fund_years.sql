-- One row per agency and year: head count, payroll and the movements of the fund.
-- No foreign key to agencies: DuckDB then refuses to update an agency (its upsert is a delete
-- and an insert). The loader checks that every agency is known; tests/test_data_integrity.py too.
create table if not exists fund_years (
    org_nr varchar not null,
    year integer not null check (year >= 2000),
    employees integer not null check (employees >= 0),
    payroll_sek decimal(18, 2) not null check (payroll_sek >= 0),
    allocated_sek decimal(18, 2) not null check (allocated_sek >= 0),
    spent_sek decimal(18, 2) not null check (spent_sek >= 0),
    opening_balance_sek decimal(18, 2) not null,
    closing_balance_sek decimal(18, 2) not null,
    load_id integer not null references loads (load_id),
    primary key (org_nr, year),
    check (abs(closing_balance_sek - (opening_balance_sek + allocated_sek - spent_sek)) <= 1)
);

-- Full-time equivalents (årsarbetskrafter), optional in the file and kept apart from the head
-- count. Added, not created above, so that a database made before it has the same columns in the
-- same order as a new one.
alter table fund_years add column if not exists fte decimal(18, 2);
