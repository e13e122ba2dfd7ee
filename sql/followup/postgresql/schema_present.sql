-- Whether the log's table exists already: then nothing is created (a login granted only select
-- and insert could not create, and needs not).
select to_regclass('followup_entries') is not null as present
