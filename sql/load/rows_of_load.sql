-- Rows written by one load, per table: how a load proves that its commit really happened.
select
    (select count(*) from agencies where load_id = $load_id) as agencies,
    (select count(*) from fund_years where load_id = $load_id) as funds,
    (select count(*) from applications where load_id = $load_id) as applications,
    (select any_value(status) from loads where load_id = $load_id) as status
