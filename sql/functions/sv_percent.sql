-- A share as a whole percentage in Swedish form: 0.455 -> 46 %.
create or replace macro sv_percent(x) as sv_number(100 * x, 0) || chr(160) || '%'
