-- Whether a share of `trials` trials lies outside the funnel of a median: 'above' over the Wilson 95 %
-- interval of the median for as many trials, 'below' under it, else 'within' (null without trials, share or
-- median).
create or replace macro funnel_difference(share, median, trials) as
    case
        when coalesce(trials, 0) <= 0 or share is null or median is null then null
        when share > wilson_limit(median, trials, 1) then 'above'
        when share < wilson_limit(median, trials, -1) then 'below'
        else 'within'
    end
