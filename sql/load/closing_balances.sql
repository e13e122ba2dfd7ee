select org_nr, year, closing_balance_sek from fund_years
