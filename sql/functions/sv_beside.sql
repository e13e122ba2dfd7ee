-- A number in Swedish form that never reads as the bound it is compared with: with the given
-- decimals (a trailing ,0 left out) where that differs from the bound, else with one more, else
-- "strax över" / "strax under" the bound. sv_beside(3.04, 3, 1) is 3,04; sv_beside(10, 3, 1) is
-- 10; sv_beside(49.7, 50, 0) is 49,7; sv_beside(3.00001, 3, 1) is "strax över 3".
create or replace macro sv_beside(x, bound, decimals) as
    case
        when sv_number(x, decimals) <> sv_number(bound, decimals)
            then regexp_replace(sv_number(x, decimals), ',0+$', '')
        when sv_number(x, decimals + 1) <> sv_number(bound, decimals + 1) then sv_number(x, decimals + 1)
        when x > bound then 'strax över ' || sv_short(bound)
        else 'strax under ' || sv_short(bound)
    end
