-- A number in Swedish form with as many decimals as it takes not to read as the bound it is
-- compared with: sv_beside(3.04, 3, 1) is 3,04 (not 3,0); sv_beside(49.7, 50, 0) is 49,7.
create or replace macro sv_beside(x, bound, decimals) as
    case
        when sv_number(x, decimals) <> sv_number(bound, decimals) then sv_number(x, decimals)
        when sv_number(x, decimals + 1) <> sv_number(bound, decimals + 1) then sv_number(x, decimals + 1)
        else sv_number(x, decimals + 3)
    end
