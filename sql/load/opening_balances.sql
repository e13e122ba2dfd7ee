select org_nr, year, opening_balance_sek from fund_years
