insert into fund_years (
    org_nr, year, employees, payroll_sek, allocated_sek, spent_sek,
    opening_balance_sek, closing_balance_sek, load_id, fte
)
select
    org_nr, year, employees, payroll_sek, allocated_sek, spent_sek,
    opening_balance_sek, closing_balance_sek, $load_id, fte
from incoming_funds
