-- One row per application. application_key is a keyed pseudonym; the raw case number is never
-- stored. No index and no foreign keys here: at ten million rows they doubled the time of an
-- insert, and the loader already checks that each agency is known and each key unique per file
-- (tests/test_data_integrity.py checks both on the loaded data).
create table if not exists applications (
    application_key varchar not null check (length(application_key) = 32),
    org_nr varchar not null,
    received_on date not null,
    decided_on date check (decided_on >= received_on),
    measure varchar not null,
    decision varchar not null check (
        decision in ('beviljad', 'delvis beviljad', 'avslag', 'återtagen', 'under handläggning')
    ),
    requested_sek decimal(18, 2) not null check (requested_sek >= 0),
    granted_sek decimal(18, 2) not null check (granted_sek >= 0),
    gender varchar check (gender in ('kvinna', 'man', 'annat/uppgift saknas')),
    age_band varchar check (age_band in ('-29', '30-39', '40-49', '50-59', '60-')),
    load_id integer not null,
    check (decided_on is not null or decision = 'under handläggning'),
    check (granted_sek = 0 or decision in ('beviljad', 'delvis beviljad'))
);
