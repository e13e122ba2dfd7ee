-- The definitions of the measures, in the order they are shown.
select * from kpi_definitions
order by sort_order
