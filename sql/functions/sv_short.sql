-- A number in Swedish form with at most two decimals, trailing zeros left out: 3, 2,5, 2,55.
create or replace macro sv_short(x) as regexp_replace(sv_number(x, 2), ',?0+$', '')
