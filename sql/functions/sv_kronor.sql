-- An amount in whole kronor in Swedish form: 12 345 kr.
create or replace macro sv_kronor(x) as sv_number(x, 0) || chr(160) || 'kr'
