insert into applications
select
    application_key, org_nr, received_on, decided_on, measure, decision,
    requested_sek, granted_sek, gender, age_band, $load_id
from incoming_applications
