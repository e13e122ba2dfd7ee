-- A number with one decimal in Swedish form, the decimal left out when it is zero: 3, 2,5, 10.
create or replace macro sv_short(x) as regexp_replace(sv_number(x, 1), ',0$', '')
