update loads
set
    kinds = $kinds,
    status = $status,
    agencies = $agencies,
    first_year = $first_year,
    last_year = $last_year,
    rows_in_file = $rows_in_file,
    rows_inserted = $rows_inserted,
    rows_replaced = $rows_replaced,
    errors = $errors,
    warnings = $warnings,
    finished_at = $finished_at
where load_id = $load_id
