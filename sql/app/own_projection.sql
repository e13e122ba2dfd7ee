-- One agency's projection from one base year ($org_nr, $year, $reserve_limit, $peer_group).
select * from projection_summary(reserve_limit := $reserve_limit, peer_group := $peer_group)
where org_nr = $org_nr and base_year = $year
