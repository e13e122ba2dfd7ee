-- The funnel of a funnel plot: the Wilson 95 % limits of a peer median ($peer_median) for 1 up to
-- $max_decided decisions, on a grid that is even on the plot's log scale.
with
steps as (
    select round(1.12 ** step)::integer as decided
    from range(0, 2 + ceil(ln(greatest($max_decided, 1)) / ln(1.12))::integer) as grid (step)
),

grid as (
    select distinct least(decided, greatest($max_decided, 1)) as decided
    from steps
),

final as (
    select
        decided,
        wilson_limit($peer_median, decided, -1) as funnel_low,
        wilson_limit($peer_median, decided, 1) as funnel_high
    from grid
)

select * from final
order by decided
