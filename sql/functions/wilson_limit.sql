-- A limit of the Wilson score interval (95 %, z = 1.95996) of a share observed in `trials` trials:
-- side -1 the lower, +1 the upper; null without trials. Rounded to 12 decimals and kept within
-- 0..1, so that floating-point noise never moves a limit across a median it equals (a share of
-- 100 % has an upper limit of exactly 1). Unlike the normal approximation it keeps a width at a
-- share of 0 or 100 %: n / (n + z^2) .. 1 for 100 %. The count is taken as a double: a count bound
-- from Python is a 32-bit integer, and 4 n^2 outgrows one at 23 171 trials.
create or replace macro wilson_limit(share, trials, side) as
    case
        when trials > 0 then least(1, greatest(0, round(
            (
                share + 1.959963984540054 ** 2 / (2 * trials::double)
                + side * 1.959963984540054 * sqrt(
                    share * (1 - share) / trials + 1.959963984540054 ** 2 / (4 * trials::double * trials)
                )
            ) / (1 + 1.959963984540054 ** 2 / trials),
            12
        )))
    end
