-- An approval rate against the funnel of a peer median ($approval_rate, $peer_median, $decided): the
-- funnel's limits for as many decisions, and whether the rate lies above, within or below it.
select
    wilson_limit($peer_median, $decided, -1) as funnel_low,
    wilson_limit($peer_median, $decided, 1) as funnel_high,
    funnel_difference($approval_rate, $peer_median, $decided) as difference
