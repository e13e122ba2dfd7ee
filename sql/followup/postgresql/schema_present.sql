-- Whether the log's tables exist already: then nothing is created (a login granted only select
-- and insert could not create, and needs not).
select to_regclass('followup_entries') is not null and to_regclass('submission_outcomes') is not null as present
