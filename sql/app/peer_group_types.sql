-- The kinds of peer group and how each is formed, with the settings of similar agencies.
select * from peer_group_types, peer_settings
order by sort_order
